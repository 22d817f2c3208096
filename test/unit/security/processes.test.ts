import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readProcess, selectLeftovers, ToolProcessSweeper, TOOL_TAG_VARIABLE, type ProcessInfo } from '../../../src/security/index.ts';

const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

const alive = (pid: number) => {
  const p = readProcess(pid);
  return p !== undefined && p.state !== 'Z';
};

describe('selectLeftovers', () => {
  const self = { pid: 100, uid: 993, start: 5000, ancestors: new Set([1, 50]), hostRoot: false };
  const p = (pid: number, over: Partial<ProcessInfo> = {}): ProcessInfo => ({ pid, ppid: 1, uid: 993, start: 6000, state: 'S', ...over });
  const table = [
    p(1, { start: 0 }),
    p(50, { start: 10 }),
    p(100, { start: 5000 }),
    p(20, { start: 900 }), // an extension, started before the worker
    p(201, { tag: 'w1.t-done' }), // a finished task's tool
    p(202, { tag: 'w1.t-running' }), // a running task's tool
    p(203), // untagged, started after the worker: env -i, or a developer's editor
    p(204, { tag: 'other-worker.t' }), // another local run's tool, or a forged tag
    p(205, { uid: 0 }), // another user's
    p(206, { tag: 'w1.t-done', state: 'Z' }), // a zombie
  ];
  const rule = (scope: 'uid' | 'marked') => ({ scope, workerToken: 'w1', active: (t: string) => t === 't-running' });

  it('by user: every process of the user started after the worker but the running tasks\' tools', () => {
    expect(selectLeftovers(table, self, rule('uid')).map((x) => x.pid)).toEqual([201, 203, 204]);
  });

  it('by user as the root of a host: only this worker\'s tagged tools, as marked (every newer root process of the machine is not a leftover)', () => {
    const root = (t: ProcessInfo): ProcessInfo => ({ ...t, uid: t.uid === 0 ? 993 : 0 });
    expect(selectLeftovers(table.map(root), { ...self, uid: 0, hostRoot: true }, rule('uid')).map((x) => x.pid)).toEqual([201]);
  });

  it('marked: only this worker\'s tagged tools of tasks that ended', () => {
    expect(selectLeftovers(table, self, rule('marked')).map((x) => x.pid)).toEqual([201]);
  });
});

describe('ToolProcessSweeper', () => {
  it('marked: kills what a finished task\'s tools left, in a new session, and spares a running task\'s and untagged processes', async () => {
    const sweeper = new ToolProcessSweeper({ scope: 'marked' });
    const done = sweeper.open();
    const running = sweeper.open();
    const leave = (env: Record<string, string>) => Number(spawnSync('sh', ['-c', 'setsid sleep 60 >/dev/null 2>&1 & echo $!'], { encoding: 'utf8', env: { PATH: process.env.PATH!, ...env } }).stdout.trim());
    const [left, kept] = [leave(done.env), leave(running.env)];
    const untagged = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' }).pid!;
    started.push(left, kept, untagged);
    sweeper.close(done.token);
    const report = await sweeper.sweep();
    expect([report, alive(left), alive(kept), alive(untagged), Object.keys(done.env)]).toEqual([{ killed: [left], survivors: [] }, false, true, true, [TOOL_TAG_VARIABLE]]);
  });

  it('by user, alone in a PID namespace as in Lambda: kills every process started after the worker, however hidden, and spares the one started before it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uid-sweep-'));
    try {
      const child = path.join(import.meta.dirname, 'support', 'uid-sweep-child.ts');
      const pidFile = path.join(dir, 'extension.pid');
      const script = `sleep 300 & echo $! > ${pidFile}; sleep 0.1; "${process.execPath}" --import tsx ${child} ${pidFile}`;
      const userNs = process.getuid?.() === 0 ? [] : ['--user', '--map-root-user'];
      const r = spawnSync('unshare', [...userNs, '--pid', '--fork', '--mount-proc', 'sh', '-c', script], { encoding: 'utf8', cwd: path.resolve(import.meta.dirname, '../../..'), timeout: 60_000 });
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toEqual({ extension: true, leftovers: [false, false, false], killed: true, survivors: [], self: true });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
