import { afterEach, describe, expect, it } from 'vitest';
import type { SQSRecord } from 'aws-lambda';
import { processBatch } from '../../../src/worker/index.ts';
import type { Task } from '../../../src/task/types.ts';
import { MemoryStore } from '../../support/memory-store.ts';
import { callTools, say, type ScriptTurn } from '../../support/script-provider.ts';
import { harness, sqsEvent, sqsRecord, type Harness } from './helpers.ts';

const LAMBDA_TIMEOUT_MS = 15 * 60_000;
let h: Harness | undefined;
afterEach(() => h?.cleanup());

/**
 * A task of `toolTurns` one-minute turns (the clock is virtual: each model call takes a minute)
 * run by a worker with Lambda's 15-minute limit, delivering every continuation it queues.
 */
async function simulate(toolTurns: number, limits: Task['limits'] = {}) {
  const store = new MemoryStore();
  let now = Date.parse('2026-01-01T00:00:00Z');
  const turns: ScriptTurn[] = Array.from({ length: toolTurns }, (_, i) => () => {
    now += 60_000;
    return callTools([[`c${i + 1}`, 'shell', { command: `echo ${i + 1} >> log.txt` }]]);
  });
  turns.push(() => {
    now += 60_000;
    return say('all done');
  });
  const queue: SQSRecord[] = [sqsRecord(JSON.stringify({ taskId: 'long', prompt: 'count to 40', limits: { timeoutSeconds: 3600, maxTurns: 100, ...limits } }), 'm-0')];
  const sent: Task[] = [];
  h = harness(store, turns, {
    clock: () => now,
    continueTask: async (task) => {
      sent.push(task);
      queue.push(sqsRecord(JSON.stringify(task), `m-${sent.length}`));
    },
  });
  const invocations: { remainingAtStart: number; failures: number }[] = [];
  while (queue.length > 0 && invocations.length < 20) {
    const record = queue.shift()!;
    const deadline = now + LAMBDA_TIMEOUT_MS;
    const report = await processBatch(sqsEvent(record), h.deps, { remainingMs: () => deadline - now });
    invocations.push({ remainingAtStart: LAMBDA_TIMEOUT_MS, failures: report.batchItemFailures.length });
  }
  return { store, sent, invocations, now };
}

describe('a task longer than one invocation', () => {
  it('runs 40 minutes of turns across four 15-minute invocations as one task with one transcript, diff and result', async () => {
    const { store, sent, invocations } = await simulate(40);
    expect(invocations.map((i) => i.failures)).toEqual([0, 0, 0, 0]);
    expect(sent.map((t) => t.taskId)).toEqual(['long', 'long', 'long']);
    const result = store.json('long', 'result.json');
    expect(result).toMatchObject({ taskId: 'long', status: 'succeeded', turns: 41, usage: { inputTokens: 4100, outputTokens: 410 }, diff: { files: 1, additions: 40, deletions: 0 } });
    const events = store.events('long');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === 'turn_started').map((e) => (e as { turn: number }).turn)).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
    expect(events.filter((e) => e.type === 'checkpoint').map((e) => `${(e as { reason: string }).reason}@${(e as { turn: number }).turn}`)).toEqual([
      'continuation@13',
      'resumed@13',
      'continuation@26',
      'resumed@26',
      'continuation@39',
      'resumed@39',
    ]);
    expect(events.filter((e) => e.type === 'result')).toHaveLength(1);
    expect(store.json('long', 'transcript.json').messages).toHaveLength(1 + 40 * 2 + 1);
    expect(store.artifacts.get('long/diff.patch')).toContain(`@@ -0,0 +1,40 @@\n${Array.from({ length: 40 }, (_, i) => `+${i + 1}`).join('\n')}\n`);
    expect(h!.metrics.published.map((m) => m.outcome)).toEqual(['continued', 'continued', 'continued', 'succeeded']);
    // Each invocation let go of the lease before queueing its continuation.
    expect(JSON.parse(store.artifacts.get('long/lease.json')!).expiresAt).toBe(0);
  });

  it('counts the time limit across invocations', async () => {
    const { store } = await simulate(40, { timeoutSeconds: 20 * 60 });
    expect(store.json('long', 'result.json')).toMatchObject({ status: 'limit_reached', stopReason: 'timeout', turns: 20 });
  });

  it('acknowledges a continuation of a task that already has its result without running anything', async () => {
    const { store, sent } = await simulate(3);
    const before = new Map(store.artifacts);
    const report = await processBatch(sqsEvent(sqsRecord(JSON.stringify(sent[0] ?? { taskId: 'long', prompt: 'again' }), 'late')), h!.deps, {
      remainingMs: () => LAMBDA_TIMEOUT_MS,
    });
    expect(report.batchItemFailures).toEqual([]);
    expect(report.outcomes).toEqual([{ taskId: 'long', outcome: 'duplicate' }]);
    expect(store.artifacts).toEqual(before);
  });

  it('resumes a checkpoint in a worker that cannot queue continuations, going on with the events instead of starting over', async () => {
    // The second invocation's worker has no queue (its configuration changed): it finishes the task in one go.
    const again = new MemoryStore();
    let now = Date.parse('2026-01-01T00:00:00Z');
    const turns: ScriptTurn[] = Array.from({ length: 20 }, (_, i) => () => {
      now += 60_000;
      return callTools([[`c${i + 1}`, 'shell', { command: `echo ${i + 1} >> log.txt` }]]);
    });
    turns.push(say('all done'));
    const queued: Task[] = [];
    h = harness(again, turns, { clock: () => now, continueTask: async (task) => void queued.push(task) });
    const first = sqsRecord(JSON.stringify({ taskId: 'long', prompt: 'count', limits: { timeoutSeconds: 3600, maxTurns: 100 } }), 'm-0');
    let deadline = now + LAMBDA_TIMEOUT_MS;
    await processBatch(sqsEvent(first), h.deps, { remainingMs: () => deadline - now });
    expect([queued.length, again.json('long', 'checkpoint.json').turn]).toEqual([1, 13]);
    h.deps.continueTask = undefined;
    deadline = now + LAMBDA_TIMEOUT_MS;
    const report = await processBatch(sqsEvent(sqsRecord(JSON.stringify(queued[0]), 'm-1')), h.deps, { remainingMs: () => deadline - now });
    expect(report.outcomes.map((o) => o.outcome)).toEqual(['succeeded']);
    const events = again.events('long');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === 'task_started')).toHaveLength(1);
    expect(again.json('long', 'result.json')).toMatchObject({ status: 'succeeded', turns: 21, diff: { additions: 20 } });
  });
});
