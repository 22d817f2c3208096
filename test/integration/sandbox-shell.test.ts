/**
 * The shell tool under a real bubblewrap sandbox: what the command leaves running dies with it
 * (the sandbox's PID namespace ends with the command, so even a process that left the process
 * group goes), and a timeout or an abort kills the whole sandbox.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShellTool, ToolCancelledError } from '../../src/agent/tools/index.ts';
import { bubblewrapWrapper, buildSandboxPolicy, findBubblewrap, type CommandWrapper } from '../../src/sandbox/index.ts';
import { makeCtx } from '../unit/agent/tools/helpers.ts';

const shell = createShellTool({ killGraceMs: 300, drainMs: 200 });
let dir: string;
let ws: string;
let wrap: CommandWrapper;

beforeAll(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-shell-')));
  ws = path.join(dir, 'ws');
  fs.mkdirSync(ws);
  fs.mkdirSync(path.join(dir, 'tmp'));
  const bwrap = findBubblewrap({ platform: process.platform, pathEnv: process.env.PATH });
  const policy = buildSandboxPolicy({ mode: 'workspace-write', workspace: ws, home: path.join(dir, 'home'), writableRoots: [], hiddenPaths: [], privateTmp: path.join(dir, 'tmp') });
  wrap = bubblewrapWrapper(bwrap.path, policy, bwrap.features);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('shell in the sandbox', () => {
  it('kills what the command left running, a process in its own session included', async () => {
    const r = await shell.run({ command: "setsid sh -c 'sleep 1; echo alive > late-setsid.txt' & (sleep 1; echo alive > late-bg.txt) & echo started" }, makeCtx(ws, { wrapCommand: wrap }));
    expect(r).toEqual({ status: 'success', output: 'exit code: 0\nstarted\n' });
    await settle(2500);
    expect(fs.readdirSync(ws)).toEqual([]);
  });

  it('on timeout kills the sandbox and says so', async () => {
    const r = await shell.run({ command: 'echo before; sleep 30', timeout_ms: 500 }, makeCtx(ws, { wrapCommand: wrap }));
    expect(r.status).toBe('error');
    expect(r.output).toMatch(/^exit code: timeout after 0\.5s .*\nbefore\n$/s);
  });

  it('on abort kills the sandbox and throws ToolCancelledError', async () => {
    const ac = new AbortController();
    const run = shell.run({ command: 'sleep 1; echo alive > aborted.txt' }, makeCtx(ws, { wrapCommand: wrap, signal: ac.signal }));
    setTimeout(() => ac.abort(new Error('stop')), 200);
    await expect(run).rejects.toBeInstanceOf(ToolCancelledError);
    await settle(1500);
    expect(fs.existsSync(path.join(ws, 'aborted.txt'))).toBe(false);
  });
});
