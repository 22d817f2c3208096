import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildToolEnv, createShellTool, ToolCancelledError } from '../../../../src/agent/tools/index.ts';
import { makeCtx, makeWorkspace, removeWorkspaces } from './helpers.ts';

afterEach(removeWorkspaces);

const shell = createShellTool({ killGraceMs: 300, drainMs: 200 });

/** Whether a process is gone (or a zombie no one reaped yet, which holds nothing). */
async function isDead(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat === '' || / Z /.test(stat);
}

async function waitDead(pid: number): Promise<boolean> {
  for (let i = 0; i < 40; i++) {
    if (await isDead(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe('shell', () => {
  it('runs in the workspace and starts the result with the exit code', async () => {
    const root = await makeWorkspace({ 'a.txt': 'hi' });
    expect(await shell.run({ command: 'pwd; cat a.txt' }, makeCtx(root))).toEqual({ status: 'success', output: `exit code: 0\n${root}\nhi` });
  });

  it('gives an error result with the output on a non-zero exit, stdout and stderr interleaved', async () => {
    const root = await makeWorkspace();
    const r = await shell.run({ command: 'echo one; echo two >&2; echo three; exit 3' }, makeCtx(root));
    expect(r).toEqual({ status: 'error', output: 'exit code: 3\none\ntwo\nthree\n' });
  });

  it('says when there is no output, and closes stdin', async () => {
    const root = await makeWorkspace();
    expect(await shell.run({ command: 'cat' }, makeCtx(root))).toEqual({ status: 'success', output: 'exit code: 0\n(no output)' });
  });

  it('starts the command through ctx.wrapCommand when given (the local sandbox)', async () => {
    const root = await makeWorkspace();
    const seen: unknown[] = [];
    const ctx = makeCtx(root, {
      wrapCommand: (cmd) => {
        seen.push(cmd);
        return { ...cmd, argv: ['/usr/bin/env', 'WRAPPED=yes', ...cmd.argv] };
      },
    });
    expect(await shell.run({ command: 'echo "$WRAPPED"' }, ctx)).toEqual({ status: 'success', output: 'exit code: 0\nyes\n' });
    expect(seen).toEqual([{ argv: ['/bin/sh', '-c', 'exec /bin/sh -c "$1" 2>&1', 'sh', 'echo "$WRAPPED"'], cwd: root, env: ctx.env }]);
  });

  it('reports death by signal as 128+n', async () => {
    const root = await makeWorkspace();
    expect(await shell.run({ command: 'kill -9 $$' }, makeCtx(root))).toEqual({ status: 'error', output: 'exit code: 137 (killed by SIGKILL)\n(no output)' });
  });

  it('shows the child no credential of the runner', async () => {
    const root = await makeWorkspace();
    const parent = {
      PATH: process.env.PATH,
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI',
      AWS_SESSION_TOKEN: 'FwoGZXIvYXdzE',
      GITHUB_TOKEN: 'ghp_secret',
      OPENAI_API_KEY: 'sk-secret',
    };
    const env = buildToolEnv(parent, { home: path.join(root, '.home'), tmpDir: '/tmp' });
    const r = await shell.run({ command: 'env' }, makeCtx(root, { env }));
    expect(r.status).toBe('success');
    for (const secret of ['AKIAEXAMPLE', 'wJalrXUtnFEMI', 'FwoGZXIvYXdzE', 'ghp_secret', 'sk-secret', 'AWS_', 'GITHUB_TOKEN', 'OPENAI']) {
      expect(r.output).not.toContain(secret);
    }
    expect(r.output).toContain('CI=true');
    expect(r.output).toContain(`HOME=${path.join(root, '.home')}`);
  });

  it('cuts a 5 MB output to head and tail under 32 KiB', async () => {
    const root = await makeWorkspace();
    const cmd = 'echo FIRST; head -c 5000000 /dev/zero | tr "\\0" x; echo; echo LAST';
    const r = await shell.run({ command: cmd }, makeCtx(root));
    expect(r.status).toBe('success');
    expect(Buffer.byteLength(r.output)).toBeLessThanOrEqual(32 * 1024);
    expect(r.output.startsWith('exit code: 0\nFIRST\nxxx')).toBe(true);
    expect(r.output.endsWith('xxx\nLAST\n')).toBe(true);
    const cut = Number(/\[\.\.\. (\d+) bytes cut \.\.\.\]/.exec(r.output)![1]);
    const kept = r.output.length - 'exit code: 0\n'.length - `\n\n[... ${cut} bytes cut ...]\n\n`.length;
    expect(kept + cut).toBe('FIRST\n'.length + 5_000_000 + 1 + 'LAST\n'.length);
  });

  it('on timeout kills the whole process group, backgrounded grandchild included', async () => {
    const root = await makeWorkspace();
    // Killed at its timeout: a command left to sleep 100 s would outlast the test.
    const r = await shell.run({ command: 'sleep 100 & echo $! > bg.pid; echo started; sleep 100', timeout_ms: 400 }, makeCtx(root));
    expect(r).toEqual({
      status: 'error',
      output: 'exit code: timeout after 0.4s (the command and its process group were killed; pass a larger timeout_ms, at most 20000, or make the command faster)\nstarted\n',
    });
    const bg = Number(await fs.readFile(path.join(root, 'bg.pid'), 'utf8'));
    expect(await waitDead(bg)).toBe(true);
  });

  it('escalates to SIGKILL when the group ignores SIGTERM', async () => {
    const root = await makeWorkspace();
    const r = await shell.run({ command: "trap '' TERM; echo $$ > sh.pid; while :; do sleep 0.05; done", timeout_ms: 300 }, makeCtx(root));
    expect(r.status).toBe('error');
    expect(r.output.startsWith('exit code: timeout after 0.3s')).toBe(true);
    expect(await waitDead(Number(await fs.readFile(path.join(root, 'sh.pid'), 'utf8')))).toBe(true);
  });

  it('caps timeout_ms at the maximum', async () => {
    const root = await makeWorkspace();
    const r = await shell.run({ command: 'sleep 5', timeout_ms: 60_000 }, makeCtx(root, { maxShellTimeoutMs: 300 }));
    expect(r.output.startsWith('exit code: timeout after 0.3s')).toBe(true);
  });

  it('kills background processes left running when the command ends', async () => {
    const root = await makeWorkspace();
    const r = await shell.run({ command: 'sleep 100 & echo $! > bg.pid' }, makeCtx(root));
    expect(r).toEqual({ status: 'success', output: 'exit code: 0\n(no output)' });
    expect(await waitDead(Number(await fs.readFile(path.join(root, 'bg.pid'), 'utf8')))).toBe(true);
  });

  it('on abort kills the group and throws ToolCancelledError', async () => {
    const root = await makeWorkspace();
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('deadline')), 300);
    const run = shell.run({ command: 'sleep 100 & echo $! > bg.pid; sleep 100' }, makeCtx(root, { signal: controller.signal }));
    await expect(run).rejects.toBeInstanceOf(ToolCancelledError);
    await expect(run).rejects.toMatchObject({ toolName: 'shell', name: 'ToolCancelledError' });
    expect(await waitDead(Number(await fs.readFile(path.join(root, 'bg.pid'), 'utf8')))).toBe(true);
  });

  it('throws ToolCancelledError without starting when already aborted', async () => {
    const root = await makeWorkspace();
    await expect(shell.run({ command: 'touch ran' }, makeCtx(root, { signal: AbortSignal.abort() }))).rejects.toBeInstanceOf(ToolCancelledError);
    await expect(fs.access(path.join(root, 'ran'))).rejects.toThrow();
  });
});
