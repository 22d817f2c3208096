/**
 * A 40-minute task over the real protocols: a virtual clock (every model turn takes a minute)
 * and Lambda's 15-minute timeout with the production margins, so the worker pauses between turns
 * and queues continuations on the real queue (fauxqs), which the poller feeds back to it.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMING, useFaultEnv, type FaultEnv } from './harness.ts';
import { checkTask, eventsOf, readTask } from './invariants.ts';
import { FaultReport } from './report.ts';
import { appendedDiff, casePrompt, stepsScript } from './script.ts';

let env: FaultEnv;
const report = new FaultReport('long-task');
useFaultEnv(report, (e) => (env = e));
const MINUTE = 60_000;
const STEPS = 40;

describe('a task longer than a Lambda invocation', () => {
  it('runs 40 one-minute turns across several 15-minute invocations as one task', async () => {
    await report.case('a 40-minute task under a 15-minute Lambda timeout (virtual clock)', async (c) => {
      let now = Date.parse('2026-01-01T00:00:00Z');
      env.worker.setClock(() => now);
      // What functions/worker.ts runs with: Lambda's 15 minutes and processBatch's default margins.
      env.timing = { timeoutMs: 15 * MINUTE, hardMarginMs: 15_000, softMarginMs: 40_000, minStartMs: MINUTE, pauseMarginMs: 150_000 };
      env.scripts.register('long', stepsScript({ steps: STEPS, onRequest: () => (now += MINUTE) }));
      try {
        await env.send({ taskId: 'long', prompt: casePrompt('long', 'count to forty, a minute a step'), limits: { maxTurns: 100, timeoutSeconds: 3600 } });
        // 41 turns over S3 and SQS emulators: room for a busy machine.
        await env.waitForResult('long', 100_000);
        await env.waitIdle();
      } finally {
        env.worker.setClock(Date.now);
        env.timing = { ...DEFAULT_TIMING };
      }
      const art = await readTask(env, 'long');
      checkTask(c, art, { status: 'succeeded', turns: STEPS + 1, diff: appendedDiff(STEPS), usagePerTurn: true });
      const runs = env.invocationsOf('long');
      c.hold('three invocations, each from its own SQS message: two paused and continued (hops 1, 2), the last finished', () => {
        expect(runs.map((i) => [i.failures.length, i.outcomes.map((o) => [o.outcome, o.continuation?.hop])])).toEqual([
          [0, [['continued', 1]]],
          [0, [['continued', 2]]],
          [0, [['succeeded', undefined]]],
        ]);
        expect(new Set(runs.map((i) => i.messageIds[0])).size).toBe(3);
      });
      c.hold('paused between turns once less was left than a turn (a minute) and the deadline margin need, and resumed there', () =>
        expect(eventsOf(art.events, 'checkpoint').map((e) => `${e.reason}@${e.turn}`)).toEqual(['continuation@14', 'resumed@14', 'continuation@28', 'resumed@28']),
      );
      c.hold('every turn asked once; 41 minutes of (virtual) time from task_started to result', () => {
        expect(env.scripts.of('long').map((s) => s.turn)).toEqual(Array.from({ length: STEPS + 1 }, (_, i) => i + 1));
        expect(Date.parse(art.events.at(-1)!.time) - Date.parse(art.events[0].time)).toBe((STEPS + 1) * MINUTE);
      });
      c.hold('one transcript with every turn: the prompt, 40 tool rounds, the final answer', () => expect(art.transcript?.messages).toHaveLength(1 + STEPS * 2 + 1));
      const dead = await env.deadLetters();
      c.hold('the DLQ is empty', () => expect(dead).toEqual([]));
    });
  }, 120_000);
});
