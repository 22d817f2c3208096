import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runAgent, type AgentDeps } from '../../../src/agent/index.ts';
import type { StreamEvent } from '../../../src/providers/types.ts';
import { ProviderError } from '../../../src/providers/index.ts';
import type { Task } from '../../../src/task/types.ts';
import { manualTimers } from '../../support/manual-timers.ts';
import { MemoryStore } from '../../support/memory-store.ts';
import { ScriptProvider, callTools, say, type ScriptTurn, SCRIPT_MODEL } from '../../support/script-provider.ts';
import { drain as drainGenerator, testDeps } from '../../support/run-loop.ts';

const MODEL = SCRIPT_MODEL;

let ws: string;
beforeEach(() => {
  ws = fs.mkdtempSync(path.join(os.tmpdir(), 'loop-test-'));
  fs.writeFileSync(path.join(ws, 'a.txt'), 'alpha\n');
});
afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

function deps(provider: ScriptProvider, store: MemoryStore, over: Partial<AgentDeps> = {}): AgentDeps {
  return testDeps({ provider, model: MODEL, store, workspace: ws, ...over });
}

async function drain(turns: ScriptTurn[], over: Partial<AgentDeps> = {}, task: Partial<Task> = {}) {
  const provider = new ScriptProvider(turns);
  const store = new MemoryStore();
  const gen = runAgent({ taskId: 't1', prompt: 'do it', limits: {}, ...task }, deps(provider, store, over));
  return { ...(await drainGenerator(gen)), store, provider };
}

describe('runAgent', () => {
  it('runs a multi-turn tool task and writes task.json first, result.json last, events without gaps', async () => {
    const { events, result, store, provider } = await drain([
      callTools([['tu1', 'read_file', { path: 'a.txt' }]], 'Reading.'),
      callTools([['tu2', 'write_file', { path: 'b/new.txt', content: 'beta\n' }]]),
      say('Done.'),
    ]);
    expect(result).toEqual({
      taskId: 't1',
      status: 'succeeded',
      stopReason: 'end_turn',
      turns: 3,
      model: 'test-model',
      usage: { inputTokens: 300, outputTokens: 30, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 },
      costUsd: 0.00135,
      diff: { files: 1, additions: 1, deletions: 0 },
      summary: 'Done.',
    });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(store.events('t1')).toEqual(events);
    expect(events.map((e) => e.type)).toEqual([
      'task_started', 'turn_started', 'assistant_text', 'usage', 'tool_call', 'tool_result',
      'turn_started', 'usage', 'tool_call', 'tool_result',
      'turn_started', 'assistant_text', 'usage', 'result',
    ]);
    expect(store.writes[0]).toBe('t1/task.json');
    expect(store.writes.at(-2)).toBe('t1/result.json');
    expect(store.json('t1', 'result.json')).toEqual(result);
    const { seq: _s, time: _t, type: _ty, ...resultEvent } = events.at(-1) as any;
    expect(resultEvent).toEqual(result);
    expect(fs.readFileSync(path.join(ws, 'b/new.txt'), 'utf8')).toBe('beta\n');
    expect(store.artifacts.get('t1/diff.patch')).toContain('+++ b/b/new.txt');
    // every tool result went back in the next request, with the model's id
    const second = provider.requests[1].messages.at(-1);
    expect(second?.content).toEqual([{ type: 'tool_result', toolUseId: 'tu1', status: 'success', content: expect.stringContaining('alpha') }]);
    // the transcript is the last request plus the final answer
    const tr = store.json('t1', 'transcript.json');
    expect(tr.messages).toHaveLength(provider.requests[2].messages.length + 1);
    expect(tr.messages.at(-1)).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'Done.' }] });
  });

  it("carries the text of the model's last message as summary, and none after an empty answer", async () => {
    const twoBlocks = [
      { type: 'message_start' },
      { type: 'text_delta', index: 0, text: 'Fixed the parser.' },
      { type: 'block_stop', index: 0 },
      { type: 'text_delta', index: 1, text: 'Tests pass.\n' },
      { type: 'block_stop', index: 1 },
      ...say('').slice(-2),
    ] as StreamEvent[];
    const spoke = await drain([callTools([['r1', 'read_file', { path: 'a.txt' }]], 'Reading.'), twoBlocks]);
    expect([spoke.result.summary, spoke.store.json('t1', 'result.json').summary]).toEqual(['Fixed the parser.\nTests pass.', 'Fixed the parser.\nTests pass.']);
    const silent = await drain([[{ type: 'message_start' }, ...say('').slice(-2)] as StreamEvent[]]);
    expect(silent.result.status).toBe('succeeded');
    expect('summary' in silent.result).toBe(false);
  });

  it('runs read-only calls of one turn in parallel and mutating ones in order', async () => {
    const log: string[] = [];
    const tools = {
      specs: () => [],
      isReadOnly: (n: string) => n === 'read_file',
      execute: async (call: { id: string; name: string }) => {
        log.push(`start ${call.id}`);
        await new Promise((r) => setTimeout(r, 20));
        log.push(`end ${call.id}`);
        return { status: 'success' as const, output: 'ok' };
      },
    };
    await drain([
      callTools([['r1', 'read_file', { path: 'a' }], ['r2', 'read_file', { path: 'b' }], ['w1', 'write_file', { path: 'c', content: '' }], ['r3', 'read_file', { path: 'd' }]]),
      say('ok'),
    ], { tools });
    expect(log).toEqual(['start r1', 'start r2', 'end r1', 'end r2', 'start w1', 'end w1', 'start r3', 'end r3']);
  });

  it('stops at the turn limit with limit_reached and keeps the diff so far', async () => {
    const { result, events } = await drain([
      callTools([['w1', 'write_file', { path: 'x.txt', content: 'x\n' }]]),
      callTools([['w2', 'write_file', { path: 'y.txt', content: 'y\n' }]]),
      say('never'),
    ], { limits: { maxTurns: 2, maxCostUsd: 5, timeoutSeconds: 60 } });
    expect(result.status).toBe('limit_reached');
    expect(result.stopReason).toBe('max_turns');
    expect(result.turns).toBe(2);
    expect(result.diff).toEqual({ files: 2, additions: 2, deletions: 0 });
    expect(result.error?.code).toBe('limit_turns');
    expect(events.filter((e) => e.type === 'turn_started')).toHaveLength(2);
  });

  it('stops when the cost limit is reached', async () => {
    const { result } = await drain([
      callTools([['w1', 'write_file', { path: 'x.txt', content: 'x\n' }]], undefined, { inputTokens: 1_000_000 }),
      say('never'),
    ], { limits: { maxTurns: 10, maxCostUsd: 1, timeoutSeconds: 60 } });
    expect(result).toMatchObject({ status: 'limit_reached', stopReason: 'max_cost', turns: 1, costUsd: 3.00015 });
  });

  it('stops at the wall-time limit while a tool runs, as limit_reached, timed on the injected timers', async () => {
    const timers = manualTimers();
    const tools = {
      specs: () => [],
      isReadOnly: () => false,
      execute: (_c: unknown, ctx: { signal: AbortSignal }) =>
        new Promise<never>((_r, reject) => {
          ctx.signal.addEventListener('abort', () => reject(new Error('aborted')));
          // The tool runs for a while: a little short of the limit, then past it.
          timers.advance(999);
          expect(ctx.signal.aborted).toBe(false);
          timers.advance(1);
        }),
    };
    const { result } = await drain([callTools([['s1', 'shell', { command: 'sleep 100' }]])], { tools, timers, limits: { maxTurns: 10, maxCostUsd: 5, timeoutSeconds: 1 } });
    expect(result).toMatchObject({ status: 'limit_reached', stopReason: 'timeout', error: { code: 'limit_time' } });
    expect(timers.pending()).toBe(0);
  });

  it('drops its time-limit timer when the run ends before the limit', async () => {
    const timers = manualTimers();
    const { result } = await drain([say('done')], { timers });
    expect({ status: result.status, pending: timers.pending() }).toEqual({ status: 'succeeded', pending: 0 });
  });

  it('ends as failed/cancelled when the outside signal aborts, still writing result and diff', async () => {
    const ac = new AbortController();
    const turn: ScriptTurn = () => {
      fs.writeFileSync(path.join(ws, 'partial.txt'), 'p\n');
      ac.abort({ code: 'interrupted', message: 'interrupted (Ctrl-C)' });
      return say('x');
    };
    const { result, store } = await drain([turn], { signal: ac.signal });
    expect(result).toMatchObject({ status: 'failed', stopReason: 'cancelled', error: { code: 'interrupted', message: 'interrupted (Ctrl-C)' } });
    expect(store.artifacts.get('t1/diff.patch')).toContain('partial.txt');
  });

  it('ends as failed with a code of the documented list when the model call fails for good', async () => {
    const err = new ProviderError('ValidationException', 'The model id is invalid.', { statusCode: 400 });
    const { result } = await drain([err]);
    expect(result).toMatchObject({ status: 'failed', turns: 1, error: { code: 'invalid_request', message: 'ValidationException: The model id is invalid.' } });
  });

  it('ends a run failed by something that is not a model call with internal_error, never a class name', async () => {
    const { result } = await drain([new TypeError('x is not a function')]);
    expect(result).toMatchObject({ status: 'failed', stopReason: 'error', error: { code: 'internal_error', message: 'x is not a function' } });
  });

  it('discards a partial turn when the provider retries, and reports the retry', async () => {
    const retrying: StreamEvent[] = [
      { type: 'message_start' },
      { type: 'text_delta', index: 0, text: 'partial that must vanish' },
      { type: 'retry', attempt: 1, waitMs: 10, error: { code: 'throttled', message: 'ThrottlingException: slow down' } },
      ...say('whole answer'),
    ];
    const { events, store } = await drain([retrying]);
    expect(events.find((e) => e.type === 'retry')).toMatchObject({ attempt: 1, waitMs: 10, error: { code: 'throttled', message: 'ThrottlingException: slow down' } });
    expect(store.json('t1', 'transcript.json').messages.at(-1)).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'whole answer' }] });
  });

  it('gives unparsable tool input back to the model as an error result and goes on', async () => {
    const bad: StreamEvent[] = [
      { type: 'tool_use_start', index: 0, id: 'b1', name: 'read_file' },
      { type: 'tool_use_delta', index: 0, input: '{"path": "a.t' },
      { type: 'block_stop', index: 0 },
      { type: 'message_stop', stopReason: 'tool_use', rawStopReason: 'tool_use' },
    ];
    const { events, result } = await drain([bad, say('ok')]);
    expect(result.status).toBe('succeeded');
    expect(events.find((e) => e.type === 'tool_result')).toMatchObject({ id: 'b1', status: 'error' });
  });

  it('refuses tool input nested too deep as an error result, and still writes the transcript, diff and result', async () => {
    const depth = 100_000;
    const deep: StreamEvent[] = [
      { type: 'tool_use_start', index: 0, id: 'd1', name: 'write_file' },
      { type: 'tool_use_delta', index: 0, input: `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` },
      { type: 'block_stop', index: 0 },
      { type: 'message_stop', stopReason: 'tool_use', rawStopReason: 'tool_use' },
    ];
    const { events, result, store } = await drain([deep, say('ok')]);
    expect(result).toMatchObject({ status: 'succeeded', turns: 2 });
    const call = events.find((e) => e.type === 'tool_call');
    const res = events.find((e) => e.type === 'tool_result');
    expect([call && 'input' in call ? call.input : undefined, res && 'output' in res ? [res.status, res.output] : undefined]).toEqual([
      { __invalid_input: 'nested more than 64 levels deep' },
      ['error', 'Invalid input for write_file: nested more than 64 levels deep. Expected write_file({path: string, content: string}).'],
    ]);
    expect(store.json('t1', 'transcript.json').messages[1].content[0]).toEqual({ type: 'tool_use', id: 'd1', name: 'write_file', input: { __invalid_input: 'nested more than 64 levels deep' } });
    expect(store.json('t1', 'result.json')).toMatchObject({ status: 'succeeded' });
  });

  it('ends failed with its result when the transcript cannot be serialised, instead of throwing', async () => {
    const provider = new ScriptProvider([say('ok')]);
    provider.transcript = () => {
      throw new RangeError('Maximum call stack size exceeded');
    };
    const store = new MemoryStore();
    const gen = runAgent({ taskId: 't1', prompt: 'do it', limits: {} }, deps(provider, store));
    let n = await gen.next();
    while (!n.done) n = await gen.next();
    expect([n.value.status, n.value.error, store.json('t1', 'result.json').error]).toEqual([
      'failed',
      { code: 'transcript_failed', message: 'Maximum call stack size exceeded' },
      { code: 'transcript_failed', message: 'Maximum call stack size exceeded' },
    ]);
  });

  it('trims the transcript and retries the turn when the context window is exceeded', async () => {
    const exceeded: StreamEvent[] = [{ type: 'message_stop', stopReason: 'context_window_exceeded', rawStopReason: 'model_context_window_exceeded' }];
    fs.writeFileSync(path.join(ws, 'big.txt'), 'line\n'.repeat(2000));
    const { events, result, provider } = await drain([
      callTools([['r1', 'read_file', { path: 'big.txt' }]]),
      exceeded,
      say('fine'),
    ]);
    expect(result).toMatchObject({ status: 'succeeded', turns: 3 });
    expect(events.some((e) => e.type === 'context_trimmed')).toBe(true);
    expect(provider.requests[2].messages[2].content[0]).toMatchObject({ type: 'tool_result', content: expect.stringContaining('elided') });
  });

  it('fails with context_window_exceeded when nothing is left to trim, instead of looping', async () => {
    const exceeded: StreamEvent[] = [{ type: 'message_stop', stopReason: 'context_window_exceeded', rawStopReason: 'model_context_window_exceeded' }];
    const { result } = await drain([exceeded, exceeded, exceeded]);
    expect(result).toMatchObject({ status: 'failed', turns: 1, error: { code: 'context_window_exceeded' } });
  });

  it('puts the repository instructions file into the system prompt', async () => {
    fs.writeFileSync(path.join(ws, 'AGENTS.md'), 'Always run make check.\n');
    const { provider } = await drain([say('ok')]);
    expect(provider.requests[0].system).toContain('Always run make check.');
    expect(provider.requests[0].system).toContain('# Repository instructions (AGENTS.md)');
  });
});
