/**
 * What the local sandbox adds to each command: the shell tool runs `true` unsandboxed and under
 * bubblewrap (workspace-write, then offline), interleaved so load drifts hit all three alike;
 * per command, wall time from calling the tool to its result. The bubblewrap arguments are built
 * per command as `agent-runner run` builds them (the user's real hidden-path list, looked up).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createShellTool, type ToolContext } from '../src/agent/tools/index.ts';
import { bubblewrapWrapper, buildSandboxPolicy, findBubblewrap, hiddenPathsFor, type CommandWrapper, type SandboxPolicy } from '../src/sandbox/index.ts';
import { median } from './stats.ts';
import type { BenchContext, Measurement } from './types.ts';

const COMMANDS = 40;

async function runOnce(ctx: BenchContext, i: number): Promise<Record<string, number>> {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(ctx.tmp, `sandbox-${i}-`)));
  const ws = path.join(dir, 'ws');
  fs.mkdirSync(ws);
  fs.mkdirSync(path.join(dir, 'tmp'));
  const bwrap = findBubblewrap({ platform: process.platform, pathEnv: process.env.PATH });
  const home = process.env.HOME || os.homedir();
  const hiddenPaths = hiddenPathsFor({ home, env: process.env, uid: process.getuid?.() });
  const policy = (mode: SandboxPolicy['mode']) => buildSandboxPolicy({ mode, workspace: ws, home, writableRoots: [], hiddenPaths, privateTmp: path.join(dir, 'tmp') });
  const wrappers: Record<string, CommandWrapper | undefined> = {
    plain: undefined,
    sandboxed: bubblewrapWrapper(bwrap.path, policy('workspace-write'), bwrap.features),
    offline: bubblewrapWrapper(bwrap.path, policy('offline'), bwrap.features),
  };
  const shell = createShellTool();
  const base: ToolContext = { root: ws, signal: new AbortController().signal, clock: Date.now, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, shellTimeoutMs: 30_000, maxShellTimeoutMs: 30_000, maxOutputBytes: 32 * 1024 };
  const times: Record<string, number[]> = { plain: [], sandboxed: [], offline: [] };
  try {
    for (let n = 0; n < COMMANDS + 1; n++) {
      for (const [name, wrapCommand] of Object.entries(wrappers)) {
        const started = performance.now();
        const r = await shell.run({ command: 'true' }, wrapCommand ? { ...base, wrapCommand } : base);
        if (r.status !== 'success') throw new Error(`${name}: ${r.output}`);
        // The first round warms caches (bwrap's pages, the dynamic loader) and is left out.
        if (n > 0) times[name].push(performance.now() - started);
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const plain = median(times.plain);
  return { plain, sandboxed: median(times.sandboxed), offline: median(times.offline), overhead: median(times.sandboxed) - plain, offlineOverhead: median(times.offline) - plain };
}

export const sandboxOverhead: Measurement = {
  id: 'sandbox',
  title: 'Local sandbox: time per command',
  method: `The shell tool runs \`true\` ${COMMANDS} times in each of three ways, interleaved: unsandboxed, under bubblewrap (workspace-write) and under bubblewrap offline (a new network namespace); each figure is the median per command of one run, from calling the tool to its result. Overhead is the sandboxed median minus the unsandboxed one.`,
  figures: [
    { key: 'plain', label: 'unsandboxed (`--sandbox off`)', unit: 'ms' },
    { key: 'sandboxed', label: 'workspace-write (bubblewrap)', unit: 'ms' },
    { key: 'offline', label: 'offline (bubblewrap, own network namespace)', unit: 'ms' },
    { key: 'overhead', label: 'added by the sandbox, workspace-write', unit: 'ms' },
    { key: 'offlineOverhead', label: 'added by the sandbox, offline', unit: 'ms' },
  ],
  defaultRuns: 3,
  async measure(ctx, runs) {
    const out: Record<string, number>[] = [];
    for (let i = 0; i < runs; i++) out.push(await runOnce(ctx, i));
    return out;
  },
};
