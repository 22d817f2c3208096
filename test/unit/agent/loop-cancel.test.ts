import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CancelledError } from '../../../src/agent/errors.ts';
import { drainAgent, testDeps } from '../../support/run-loop.ts';
import { MemoryStore } from '../../support/memory-store.ts';
import { ScriptProvider, SCRIPT_MODEL, callTools, say } from '../../support/script-provider.ts';

let ws: string;
beforeEach(() => {
  ws = fs.mkdtempSync(path.join(os.tmpdir(), 'loop-cancel-'));
});
afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

describe('runAgent with a cancel port', () => {
  it('asks once before every model call and, when told, ends failed/cancelled before the call, keeping the diff', async () => {
    const provider = new ScriptProvider([callTools([['w1', 'write_file', { path: 'half.txt', content: 'half\n' }]]), say('never')]);
    const store = new MemoryStore();
    const asked: number[] = [];
    const { result, events } = await drainAgent(
      { taskId: 't1', prompt: 'go', limits: {} },
      testDeps({
        provider,
        model: SCRIPT_MODEL,
        store,
        workspace: ws,
        cancelled: async () => {
          asked.push(provider.requests.length);
          return asked.length === 2 ? 'the task was cancelled by @octo' : undefined;
        },
      }),
    );
    expect(asked).toEqual([0, 1]);
    expect(provider.requests.length).toBe(1);
    expect(result).toMatchObject({ status: 'failed', stopReason: 'cancelled', turns: 1, error: { code: 'cancelled', message: 'the task was cancelled by @octo' }, diff: { files: 1 } });
    expect(store.artifacts.get('t1/diff.patch')).toContain('half.txt');
    expect(events.filter((e) => e.type === 'turn_started').length).toBe(1);
  });

  it('stops a task cancelled before it started without any model call', async () => {
    const provider = new ScriptProvider([say('never')]);
    const { result } = await drainAgent(
      { taskId: 't2', prompt: 'go', limits: {} },
      testDeps({ provider, model: SCRIPT_MODEL, store: new MemoryStore(), workspace: ws, cancelled: async () => 'the task was cancelled' }),
    );
    expect({ calls: provider.requests.length, result }).toMatchObject({ calls: 0, result: { status: 'failed', stopReason: 'cancelled', turns: 0, costUsd: 0 } });
  });

  it('ends failed/cancelled with code cancelled when the signal aborts with a CancelledError while a command runs', async () => {
    const ac = new AbortController();
    const provider = new ScriptProvider([callTools([['s1', 'shell', { command: 'echo started > started.txt; sleep 30' }]])]);
    const started = path.join(ws, 'started.txt');
    const poll = setInterval(() => {
      if (fs.existsSync(started)) ac.abort(new CancelledError('the task was cancelled by agent-runner cancel'));
    }, 20);
    try {
      const { result } = await drainAgent({ taskId: 't3', prompt: 'go', limits: {} }, testDeps({ provider, model: SCRIPT_MODEL, store: new MemoryStore(), workspace: ws, signal: ac.signal }));
      expect(result).toMatchObject({ status: 'failed', stopReason: 'cancelled', turns: 1, error: { code: 'cancelled', message: 'the task was cancelled by agent-runner cancel' }, diff: { files: 1 } });
    } finally {
      clearInterval(poll);
    }
  });
});
