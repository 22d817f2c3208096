/**
 * Limits hold exactly: once a model call's usage (or the time) reaches a limit, the tool calls of
 * that answer do not run, and the result says which limit and by how much.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AgentLimits } from '../../../src/agent/index.ts';
import { MemoryStore } from '../../support/memory-store.ts';
import { drainAgent, testDeps } from '../../support/run-loop.ts';
import { ScriptProvider, callTools, say, SCRIPT_MODEL, type ScriptTurn } from '../../support/script-provider.ts';

let ws: string;
beforeEach(() => {
  ws = fs.mkdtempSync(path.join(os.tmpdir(), 'limits-test-'));
});
afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

const MILLION_IN = { inputTokens: 1_000_000, outputTokens: 0 }; // USD 3 at the scripted model's price

async function run(turns: ScriptTurn[], limits: AgentLimits, clock = { now: Date.parse('2026-01-01T00:00:00Z') }) {
  const provider = new ScriptProvider(turns);
  const store = new MemoryStore();
  const deps = testDeps({ provider, model: SCRIPT_MODEL, store, workspace: ws, clock: () => (clock.now += 5), limits });
  const { result, events } = await drainAgent({ taskId: 't1', prompt: 'do it', limits: {} }, deps);
  return { result, events, ran: fs.existsSync(path.join(ws, 'ran.txt')), provider, store };
}

const touch = (u = {}) => callTools([['s1', 'shell', { command: 'echo yes > ran.txt' }]], undefined, u);
const base: AgentLimits = { maxTurns: 10, maxCostUsd: 5, timeoutSeconds: 600 };

describe('limits', () => {
  it('a turn whose cost is exactly at the limit runs none of its tool calls', async () => {
    const { result, events, ran, provider } = await run([touch(MILLION_IN), say('never asked')], { ...base, maxCostUsd: 3 });
    expect({ ran, calls: provider.requests.length, toolEvents: events.filter((e) => e.type === 'tool_call' || e.type === 'tool_result').length }).toEqual({ ran: false, calls: 1, toolEvents: 0 });
    expect(result).toMatchObject({
      status: 'limit_reached',
      stopReason: 'max_cost',
      turns: 1,
      costUsd: 3,
      error: { code: 'limit_cost', message: 'reached the cost limit of USD 3: spent USD 3 (USD 0 over)' },
    });
  });

  it('a turn just under the cost limit runs its tool calls', async () => {
    const { result, ran } = await run([touch(MILLION_IN), say('done')], { ...base, maxCostUsd: 3.000001 });
    expect([ran, result.status]).toEqual([true, 'succeeded']);
  });

  it('says by how much the cost limit was passed', async () => {
    const { result, ran } = await run([touch({ inputTokens: 1_000_000, outputTokens: 10_000 })], { ...base, maxCostUsd: 1 });
    expect([ran, result.error]).toEqual([false, { code: 'limit_cost', message: 'reached the cost limit of USD 1: spent USD 3.15 (USD 2.15 over)' }]);
  });

  it('a turn that reaches the token limit runs none of its tool calls', async () => {
    const { result, ran } = await run([touch({ inputTokens: 100, outputTokens: 25 })], { ...base, maxTokens: 120 });
    expect([ran, result.stopReason, result.error]).toEqual([false, 'max_tokens', { code: 'limit_tokens', message: 'reached the token limit of 120: used 125 tokens (5 over)' }]);
  });

  it('a model call that ends past the time limit runs none of its tool calls', async () => {
    const clock = { now: Date.parse('2026-01-01T00:00:00Z') };
    // The (virtual) model call takes 61 s of a 60 s limit.
    const slow: ScriptTurn = () => ((clock.now += 61_000), touch());
    const { result, ran } = await run([slow], { ...base, timeoutSeconds: 60 }, clock);
    expect([ran, result.stopReason, result.error?.code, result.error?.message]).toEqual([false, 'timeout', 'limit_time', 'reached the time limit of 60 s: used 61 s (1 s over)']);
  });

  it('keeps the answer that reached the limit, its tool calls unanswered, as the last message of the transcript', async () => {
    const { store } = await run([touch(MILLION_IN)], { ...base, maxCostUsd: 3 });
    expect(store.json('t1', 'transcript.json').messages.map((m: { role: string; content: { type: string }[] }) => [m.role, m.content.map((b) => b.type)])).toEqual([
      ['user', ['text']],
      ['assistant', ['tool_use']],
    ]);
  });
});
