/**
 * Faults of the model service, through the real Bedrock client and provider against the fake:
 * throttling bursts and 5xx answers, throttling past the retry budget, streams cut mid-turn.
 */
import { describe, expect, it } from 'vitest';
import { cut, exception, httpError, text, toolUse } from '../../support/fake-bedrock.ts';
import { useFaultEnv, type FaultEnv } from './harness.ts';
import { checkTask, eventsOf, readTask } from './invariants.ts';
import { FaultReport } from './report.ts';
import { appendedDiff, casePrompt, stepsScript } from './script.ts';

let env: FaultEnv;
const report = new FaultReport('bedrock');
useFaultEnv(report, (e) => (env = e));

describe('faults of the model service', () => {
  it('rides out a throttling burst and 5xx answers mid-task: retried in the same delivery, one result', async () => {
    await report.case('Bedrock throttling burst (429 ×2, in-stream throttlingException) and 5xx (500, 503) mid-task', async (c) => {
      env.scripts.register('throttle', stepsScript({
        steps: 3,
        faults: {
          2: [httpError(429, 'ThrottlingException'), httpError(429, 'ThrottlingException'), [exception('throttlingException')]],
          3: [httpError(500, 'InternalServerException'), httpError(503, 'ServiceUnavailableException')],
        },
      }));
      await env.send({ taskId: 'throttle', prompt: casePrompt('throttle', 'count to three') });
      await env.waitForResult('throttle');
      await env.waitIdle();
      const art = await readTask(env, 'throttle');
      checkTask(c, art, { status: 'succeeded', turns: 4, diff: appendedDiff(3), usagePerTurn: true });
      c.hold('a retry event for each of the 5 faults, in order', () =>
        expect(eventsOf(art.events, 'retry').map((e) => [e.attempt, e.error.code])).toEqual([
          [1, 'throttled'],
          [2, 'throttled'],
          [3, 'throttled'],
          [1, 'service_unavailable'],
          [2, 'service_unavailable'],
        ]),
      );
      c.hold('one delivery, no batch failure; nothing in the DLQ', () => {
        expect(env.invocationsOf('throttle').map((i) => i.failures)).toEqual([[]]);
      });
      c.hold('each turn answered once', () => expect(env.scripts.answersPerTurn('throttle')).toEqual([1, 1, 1, 1]));
    });
  });

  it('ends a task whose model calls stay throttled past the retry budget with one failed result, not in the DLQ', async () => {
    await report.case('Bedrock throttling that outlasts the retries (7 × 429 on turn 2)', async (c) => {
      env.scripts.register('throttled-out', stepsScript({ steps: 3, faults: { 2: Array.from({ length: 7 }, () => httpError(429, 'ThrottlingException')) } }));
      await env.send({ taskId: 'throttled-out', prompt: casePrompt('throttled-out', 'count to three') });
      await env.waitForResult('throttled-out');
      await env.waitIdle();
      const art = await readTask(env, 'throttled-out');
      checkTask(c, art, { status: 'failed', turns: 2, transcriptTurns: 1, diff: appendedDiff(1) });
      c.hold('error names the throttling, under the documented code', () => expect(art.result?.error).toMatchObject({ code: 'throttled', message: expect.stringMatching(/^ThrottlingException: /) }));
      c.hold('6 retry events, then no further model call', () => {
        expect(eventsOf(art.events, 'retry')).toHaveLength(6);
        expect(env.scripts.of('throttled-out')).toHaveLength(1 + 7);
      });
      c.hold('the message is acknowledged (one delivery), nothing in the DLQ', () => {
        expect(env.invocationsOf('throttled-out').map((i) => i.failures)).toEqual([[]]);
      });
    });
  });

  it('retries a turn whose stream is cut from its start, without duplicating its text in the transcript', async () => {
    await report.case('stream cut mid-turn (connection dropped; modelStreamErrorException)', async (c) => {
      env.scripts.register('cut', stepsScript({
        steps: 3,
        faults: {
          2: [[text('Step 2: appending 2.'), cut()]],
          3: [[text('Step 3: appending 3.'), toolUse('t3', 'shell', { command: 'echo 3 >> log.txt' }, { chunks: 2 }), exception('modelStreamErrorException')]],
        },
      }));
      await env.send({ taskId: 'cut', prompt: casePrompt('cut', 'count to three') });
      await env.waitForResult('cut');
      await env.waitIdle();
      const art = await readTask(env, 'cut');
      checkTask(c, art, { status: 'succeeded', turns: 4, diff: appendedDiff(3), usagePerTurn: true });
      const assistant = art.transcript!.messages.filter((m) => m.role === 'assistant');
      c.hold('the cut turns appear once each in the transcript, as the retry streamed them', () => {
        expect(assistant[1].content.filter((b) => !b.cachePoint)).toEqual([{ text: 'Step 2: appending 2.' }, { toolUse: { toolUseId: 't2', name: 'shell', input: { command: 'echo 2 >> log.txt' } } }]);
        expect(assistant[2].content.filter((b) => !b.cachePoint)).toEqual([{ text: 'Step 3: appending 3.' }, { toolUse: { toolUseId: 't3', name: 'shell', input: { command: 'echo 3 >> log.txt' } } }]);
      });
      c.hold('the cut attempt\'s text is never told: a retry event, then the answer once; the tool runs once', () => {
        const turn2 = art.events.filter((e) => e.type === 'retry' || ('turn' in e && e.turn === 2)).slice(0, 6);
        expect(turn2.map((e) => e.type)).toEqual(['turn_started', 'retry', 'assistant_text', 'usage', 'tool_call', 'tool_result']);
        expect(eventsOf(art.events, 'assistant_text').map((e) => e.text)).toEqual(['Step 1: appending 1.', 'Step 2: appending 2.', 'Step 3: appending 3.', expect.any(String)]);
        expect(eventsOf(art.events, 'retry').map((e) => [e.attempt, e.error.code])).toEqual([[1, 'network_error'], [1, 'service_unavailable']]);
        expect(eventsOf(art.events, 'tool_call').map((e) => e.id)).toEqual(['t1', 't2', 't3']);
        expect(eventsOf(art.events, 'tool_result').map((e) => e.id)).toEqual(['t1', 't2', 't3']);
      });
      c.hold('one delivery, each turn answered once', () => {
        expect(env.invocationsOf('cut').map((i) => i.failures)).toEqual([[]]);
        expect(env.scripts.answersPerTurn('cut')).toEqual([1, 1, 1, 1]);
      });
    });
  });

  it('leaves nothing in the dead-letter queue', async () => {
    await report.case('all model faults above', async (c) => {
      const dead = await env.deadLetters();
      c.hold('the DLQ is empty', () => expect(dead).toEqual([]));
    });
  });
});
