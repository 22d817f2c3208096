import { afterEach, describe, expect, it } from 'vitest';
import type { SQSRecord } from 'aws-lambda';
import { processBatch } from '../../../src/worker/index.ts';
import type { ContinuationInfo, Task } from '../../../src/task/types.ts';
import { MemoryStore } from '../../support/memory-store.ts';
import { callTools, say, type ScriptTurn } from '../../support/script-provider.ts';
import { manualTimers } from '../../support/manual-timers.ts';
import { harness, sqsEvent, sqsRecord, type Harness } from './helpers.ts';

const LAMBDA_TIMEOUT_MS = 15 * 60_000;
let h: Harness | undefined;
afterEach(() => h?.cleanup());

interface Simulation {
  /** The invocation's timeout (default Lambda's 15 minutes). */
  lambdaMs?: number;
  /** What each (virtual) model call takes (default a minute). */
  turnMs?: number;
  limits?: Task['limits'];
  maxContinuations?: number;
  /** Rewrites each continuation body before it is delivered (a user resending the task). */
  tamper?: (body: Record<string, unknown>) => Record<string, unknown>;
}

/**
 * A task of `toolTurns` turns (the clock is virtual: each model call takes `turnMs`) run by a
 * worker whose invocations last `lambdaMs`, delivering every continuation it queues.
 */
async function simulate(toolTurns: number, opts: Simulation = {}) {
  const lambdaMs = opts.lambdaMs ?? LAMBDA_TIMEOUT_MS;
  const turnMs = opts.turnMs ?? 60_000;
  const store = new MemoryStore();
  let now = Date.parse('2026-01-01T00:00:00Z');
  const turns: ScriptTurn[] = Array.from({ length: toolTurns }, (_, i) => () => {
    now += turnMs;
    return callTools([[`c${i + 1}`, 'shell', { command: `echo ${i + 1} >> log.txt` }]]);
  });
  turns.push(() => {
    now += turnMs;
    return say('all done');
  });
  const queue: SQSRecord[] = [sqsRecord(JSON.stringify({ taskId: 'long', prompt: 'count to 40', limits: { timeoutSeconds: 3600, maxTurns: 1000, ...opts.limits } }), 'm-0')];
  const sent: (Task & { continuation: ContinuationInfo })[] = [];
  h = harness(store, turns, {
    clock: () => now,
    ...(opts.maxContinuations !== undefined ? { maxContinuations: opts.maxContinuations } : {}),
    continueTask: async (task, continuation) => {
      const body = { ...task, continuation };
      sent.push(body);
      queue.push(sqsRecord(JSON.stringify(opts.tamper ? opts.tamper(body) : body), `m-${sent.length}`));
    },
  });
  const invocations: { failures: number }[] = [];
  while (queue.length > 0 && invocations.length < 100) {
    const record = queue.shift()!;
    const deadline = now + lambdaMs;
    const report = await processBatch(sqsEvent(record), h.deps, { remainingMs: () => deadline - now });
    invocations.push({ failures: report.batchItemFailures.length });
  }
  return { store, sent, invocations, now };
}

const checkpoints = (store: MemoryStore) => store.events('long').filter((e) => e.type === 'checkpoint').map((e) => `${(e as { reason: string }).reason}@${(e as { turn: number }).turn}`);

describe('a task longer than one invocation', () => {
  it('runs 40 minutes of turns across three 15-minute invocations as one task with one transcript, diff and result', async () => {
    const { store, sent, invocations } = await simulate(40);
    expect(invocations.map((i) => i.failures)).toEqual([0, 0, 0]);
    expect(sent.map((t) => [t.taskId, t.continuation])).toEqual([
      ['long', { hop: 1 }],
      ['long', { hop: 2 }],
    ]);
    const result = store.json('long', 'result.json');
    expect(result).toMatchObject({ taskId: 'long', status: 'succeeded', turns: 41, usage: { inputTokens: 4100, outputTokens: 410 }, diff: { files: 1, additions: 40, deletions: 0 } });
    const events = store.events('long');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === 'turn_started').map((e) => (e as { turn: number }).turn)).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
    // A pause keeps back what the longest turn (a minute) and the deadline's margin need, not a fixed 150 s.
    expect(checkpoints(store)).toEqual(['continuation@14', 'resumed@14', 'continuation@28', 'resumed@28']);
    expect(events.filter((e) => e.type === 'result')).toHaveLength(1);
    expect(store.json('long', 'transcript.json').messages).toHaveLength(1 + 40 * 2 + 1);
    expect(store.artifacts.get('long/diff.patch')).toContain(`@@ -0,0 +1,40 @@\n${Array.from({ length: 40 }, (_, i) => `+${i + 1}`).join('\n')}\n`);
    expect(h!.metrics.published.map((m) => [m.outcome, m.continuations])).toEqual([
      ['continued', 1],
      ['continued', 2],
      ['succeeded', 2],
    ]);
    // Each invocation let go of the lease before queueing its continuation.
    expect(JSON.parse(store.artifacts.get('long/lease.json')!).expiresAt).toBe(0);
  });

  it('counts the time limit across invocations', async () => {
    const { store } = await simulate(40, { limits: { timeoutSeconds: 20 * 60 } });
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
    expect([queued.length, again.json('long', 'checkpoint.json').turn]).toEqual([1, 14]);
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

describe('continuation that fits the invocation', () => {
  it('finishes a 3-turn task of 1-second turns in one 120 s invocation', async () => {
    const { store, sent, invocations } = await simulate(2, { lambdaMs: 120_000, turnMs: 1000 });
    expect({ invocations: invocations.length, sent: sent.length, checkpoints: checkpoints(store) }).toEqual({ invocations: 1, sent: 0, checkpoints: [] });
    expect(store.json('long', 'result.json')).toMatchObject({ status: 'succeeded', turns: 3 });
  });

  it('bounds its own chain: past MaxContinuations (here 20, more than Lambda’s 16 hops) the task ends limit_reached', async () => {
    // 50-second turns in 120 s invocations: two turns an invocation, then a pause (a quarter is kept back).
    const { store, sent, invocations } = await simulate(400, { lambdaMs: 120_000, turnMs: 50_000, limits: { timeoutSeconds: 7 * 24 * 3600 }, maxContinuations: 20 });
    expect(sent.map((t) => t.continuation.hop)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(invocations).toHaveLength(21);
    expect(invocations.every((i) => i.failures === 0)).toBe(true);
    expect(store.json('long', 'result.json')).toMatchObject({
      status: 'limit_reached',
      stopReason: 'max_continuations',
      turns: 21 * 2,
      error: { code: 'limit_continuations', message: "reached the limit of 20 continuations (invocations of 120 s); raise MaxContinuations or the worker's timeout" },
    });
    expect(checkpoints(store).filter((c) => c.startsWith('continuation@'))).toHaveLength(20);
    expect(store.json('long', 'checkpoint.json').continuations).toBe(20);
  });

  it('keeps the bound when continuation messages are resent without their hop count (or with a lower one)', async () => {
    let n = 0;
    const { store, sent } = await simulate(400, {
      lambdaMs: 120_000,
      turnMs: 50_000,
      limits: { timeoutSeconds: 7 * 24 * 3600 },
      maxContinuations: 20,
      tamper: ({ continuation: _dropped, ...task }) => (++n % 2 === 0 ? task : { ...task, continuation: { hop: 1 } }),
    });
    expect(sent.map((t) => t.continuation.hop)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(store.json('long', 'result.json')).toMatchObject({ status: 'limit_reached', error: { code: 'limit_continuations' } });
  });

  it('derives the bound from the task’s time limit when none is configured', async () => {
    // 600 s on 120 s invocations: ceil(2 * 600 / 120) + 2 = 12 continuations; the time limit comes first here.
    const { store, sent } = await simulate(400, { lambdaMs: 120_000, turnMs: 20_000, limits: { timeoutSeconds: 600 } });
    expect([sent.length, store.json('long', 'result.json').error.code]).toEqual([5, 'limit_time']);
    const { store: tight } = await simulate(400, { lambdaMs: 120_000, turnMs: 20_000, limits: { timeoutSeconds: 600 }, tamper: (body) => ({ ...body, continuation: { hop: 12 } }) });
    // A message may claim more hops than it has (it ends its own task sooner), never fewer.
    expect(tight.json('long', 'result.json')).toMatchObject({ status: 'limit_reached', error: { code: 'limit_continuations', message: expect.stringContaining('limit of 12 continuations') } });
  });
});

describe('an invocation that completes no turn', () => {
  it('continues once, and ends the task failed with turn_too_long when the next invocation completes none either', async () => {
    const store = new MemoryStore();
    // A model call that never answers: only the deadline ends it, once the invocation's time has passed.
    const timers = manualTimers();
    const stuck: ScriptTurn = (req) =>
      new Promise((_resolve, reject) => {
        req.signal!.addEventListener('abort', () => reject(req.signal!.reason));
        timers.advance(2000);
      });
    const queue: SQSRecord[] = [sqsRecord(JSON.stringify({ taskId: 'stuck', prompt: 'think forever' }), 'm-0')];
    const sent: ContinuationInfo[] = [];
    h = harness(store, [stuck, stuck], {
      timers,
      continueTask: async (task, continuation) => {
        sent.push(continuation);
        queue.push(sqsRecord(JSON.stringify({ ...task, continuation }), `m-${sent.length}`));
      },
    });
    const outcomes: string[] = [];
    while (queue.length > 0 && outcomes.length < 5) {
      // A 2-second invocation: the deadline aborts the loop a quarter of a second before its end (on the manual timers).
      const report = await processBatch(sqsEvent(queue.shift()!), h.deps, { remainingMs: () => 2000 });
      outcomes.push(...report.outcomes.map((o) => o.outcome));
    }
    expect({ outcomes, sent }).toEqual({ outcomes: ['continued', 'failed'], sent: [{ hop: 1 }] });
    expect(store.json('stuck', 'result.json')).toMatchObject({
      status: 'failed',
      stopReason: 'turn_too_long',
      error: { code: 'turn_too_long', message: "two invocations in a row (2 s each) ended before a turn was complete: raise the worker's timeout, or lower tools.shell_timeout_ms" },
    });
    expect(store.events('stuck').filter((e) => e.type === 'checkpoint').map((e) => (e as { reason: string }).reason)).toEqual(['deadline', 'resumed']);
  });
});
