import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPOSITORY_SETUP_SCRIPT, workerPreparation, type SetupSettings } from '../../../src/worker/setup.ts';
import { makeCtx, makeWorkspace, removeWorkspaces } from '../agent/tools/helpers.ts';
import { drain } from '../../support/run-loop.ts';

afterEach(() => removeWorkspaces());

const RUN: SetupSettings = { repositoryScript: true, timeoutSeconds: 20 };

/** Runs the preparation; its events, without durations (they vary), and what it returned. */
async function prepare(root: string, settings: SetupSettings, env?: Record<string, string>) {
  let t = 0;
  // The system's programs only: what the step runs needs no more.
  const gen = workerPreparation(settings, () => (t += 7))(makeCtx(root, { env: env ?? { PATH: '/usr/bin:/bin', HOME: root, TMPDIR: os.tmpdir() } }));
  return drain(gen);
}

describe('the worker setup step', () => {
  it('runs the repository script in the workspace, with the tool environment, and reports its output', async () => {
    const root = await makeWorkspace({ [REPOSITORY_SETUP_SCRIPT]: 'echo "setting up in $(pwd)"\nmkdir -p "$HOME/venv" && echo made > "$HOME/venv/marker"\n' });
    const { events, result } = await prepare(root, RUN);
    expect(events).toEqual([
      { type: 'setup_started', step: 'repository', command: `sh ${REPOSITORY_SETUP_SCRIPT}` },
      { type: 'setup_finished', step: 'repository', status: 'succeeded', exitCode: 0, durationMs: 7, output: `setting up in ${root}\n`, truncated: false },
    ]);
    // HOME is the task's own (the tool environment's): what setup installs there, the tools see.
    expect(await fs.readFile(path.join(root, 'venv', 'marker'), 'utf8')).toBe('made\n');
    expect(result.error).toBeUndefined();
    expect(result.environment).toMatch(/^Programs found on the PATH of your shell: /);
  });

  it('runs an executable script directly, so its #! line picks the interpreter', async () => {
    const root = await makeWorkspace({ [REPOSITORY_SETUP_SCRIPT]: '#!/bin/sh\necho "args: $0"\n' });
    await fs.chmod(path.join(root, REPOSITORY_SETUP_SCRIPT), 0o755);
    const { events } = await prepare(root, RUN);
    expect(events[0]).toEqual({ type: 'setup_started', step: 'repository', command: `./${REPOSITORY_SETUP_SCRIPT}` });
    expect(events[1]).toMatchObject({ status: 'succeeded', output: `args: ./${REPOSITORY_SETUP_SCRIPT}\n` });
  });

  it('ends with setup_failed and the tail of the output when the script fails', async () => {
    const root = await makeWorkspace({ [REPOSITORY_SETUP_SCRIPT]: 'for i in $(seq 1 2000); do echo "line $i"; done\necho "pip: no matching distribution" >&2\nexit 3\n' });
    const { events, result } = await prepare(root, RUN);
    expect(events.map((e) => e.type)).toEqual(['setup_started', 'setup_finished']);
    expect(events[1]).toMatchObject({ status: 'failed', exitCode: 3, truncated: true });
    expect(Buffer.byteLength((events[1] as { output: string }).output)).toBeLessThanOrEqual(4096);
    expect(result.environment).toBeUndefined();
    expect(result.error?.code).toBe('setup_failed');
    expect(result.error?.message).toMatch(/^\.agent-runner\/setup\.sh failed \(exit code 3\); the end of its output:\n\[\.\.\. \d+ bytes cut \.\.\.\]\n/);
    expect(result.error?.message.endsWith('line 2000\npip: no matching distribution\n')).toBe(true);
  });

  it('runs the stack\'s command first, then the repository script', async () => {
    const root = await makeWorkspace({ [REPOSITORY_SETUP_SCRIPT]: 'cat from-command.txt\n' });
    const { events, result } = await prepare(root, { ...RUN, command: 'echo one > from-command.txt' });
    expect(events.filter((e) => e.type === 'setup_finished').map((e) => [e.step, e.status, e.output])).toEqual([
      ['command', 'succeeded', '(no output)'],
      ['repository', 'succeeded', 'one\n'],
    ]);
    expect(result.error).toBeUndefined();
  });

  it('does not run a repository script the configuration refuses, and says so', async () => {
    const root = await makeWorkspace({ [REPOSITORY_SETUP_SCRIPT]: 'touch ran\n' });
    const { events, result } = await prepare(root, { ...RUN, repositoryScript: false });
    expect(events).toEqual([{ type: 'setup_skipped', step: 'repository', path: REPOSITORY_SETUP_SCRIPT, reason: "this stack's configuration refuses repository setup scripts" }]);
    await expect(fs.access(path.join(root, 'ran'))).rejects.toThrow();
    expect(result.error).toBeUndefined();
  });

  it('does not follow a setup script that is a symbolic link', async () => {
    const root = await makeWorkspace({ 'elsewhere.sh': 'touch ran\n' });
    await fs.mkdir(path.join(root, '.agent-runner'));
    await fs.symlink('../elsewhere.sh', path.join(root, REPOSITORY_SETUP_SCRIPT));
    const { events } = await prepare(root, RUN);
    expect(events).toEqual([{ type: 'setup_skipped', step: 'repository', path: REPOSITORY_SETUP_SCRIPT, reason: `${REPOSITORY_SETUP_SCRIPT} is not a regular file` }]);
  });

  it('stops a step at the setup time limit', async () => {
    const root = await makeWorkspace({ [REPOSITORY_SETUP_SCRIPT]: 'echo started; sleep 30\n' });
    const { events, result } = await prepare(root, { ...RUN, timeoutSeconds: 1 });
    expect(events[1]).toMatchObject({ status: 'failed', exitCode: null, output: 'started\n' });
    expect(result.error?.message).toMatch(/^\.agent-runner\/setup\.sh failed \(exit code: timeout after 1s/);
  });

  it('without any script only looks at the toolchain', async () => {
    const root = await makeWorkspace({ 'README.md': '# x\n' });
    const bin = await fs.mkdtemp(path.join(os.tmpdir(), 'setup-bin-'));
    try {
      const { events, result } = await prepare(root, RUN, { PATH: bin, HOME: root, TMPDIR: os.tmpdir() });
      expect(events).toEqual([]);
      expect(result.environment).toContain('Not found here: git, node, npm, python3, pip, make, g++, java, go, cargo.');
    } finally {
      await fs.rm(bin, { recursive: true, force: true });
    }
  });
});
