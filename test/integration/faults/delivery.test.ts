/**
 * Delivery faults: the same message (and the same task in two messages) delivered twice at once,
 * and poison among good messages: only what can never succeed reaches the dead-letter queue.
 */
import { describe, expect, it } from 'vitest';
import { processBatch, type BatchReport } from '../../../src/worker/index.ts';
import { sqsRecord } from '../../unit/worker/helpers.ts';
import { BUCKET, DEFAULT_TIMING, MAX_RECEIVE_COUNT, useFaultEnv, waitFor, type FaultEnv } from './harness.ts';
import { checkTask, readTask } from './invariants.ts';
import { FaultReport } from './report.ts';
import { appendedDiff, casePrompt, stepsScript } from './script.ts';

let env: FaultEnv;
const report = new FaultReport('delivery');
useFaultEnv(report, (e) => (env = e));

/** Of two parallel batches, what the one that did not run the task did: 'duplicate' or 'retried'. */
function otherCopy(reports: BatchReport[]): string {
  const other = reports.filter((r) => r.outcomes[0]?.outcome !== 'succeeded');
  if (other.length !== 1) return `${other.length} copies did not run it`;
  return other[0].batchItemFailures.length > 0 ? 'retried' : (other[0].outcomes[0]?.outcome ?? 'none');
}

describe('duplicate deliveries', () => {
  it.each([
    ['the same SQS message', { taskId: 'twice', messageIds: ['m-twice', 'm-twice'], other: ['duplicate', 'retried'] }],
    ['two messages of one task', { taskId: 'two-messages', messageIds: ['m-first', 'm-second'], other: ['duplicate'] }],
  ] as const)('runs %s delivered to two invocations at once exactly once', async (what, { taskId, messageIds, other }) => {
    await report.case(`${what} delivered to two invocations at once`, async (c) => {
      env.scripts.register(taskId, stepsScript({ steps: 2 }));
      const body = JSON.stringify({ taskId, prompt: casePrompt(taskId, 'count to two') });
      const reports = await Promise.all(
        messageIds.map((id) => processBatch({ Records: [sqsRecord(body, id, 1, env.queueArn)] }, env.worker.deps, { ...DEFAULT_TIMING, remainingMs: () => DEFAULT_TIMING.timeoutMs })),
      );
      checkTask(c, await readTask(env, taskId), { status: 'succeeded', turns: 3, diff: appendedDiff(2), usagePerTurn: true });
      c.hold(`one invocation ran it; the other copy was ${other.join(' or ')}, never run`, () => {
        expect(reports.filter((r) => r.outcomes[0]?.outcome === 'succeeded')).toHaveLength(1);
        expect(other as readonly string[]).toContain(otherCopy(reports));
        expect(env.scripts.of(taskId).map((s) => s.turn)).toEqual([1, 2, 3]);
      });
    });
  });

  it('acknowledges a later message of a finished task without running it again', async () => {
    await report.case('the same task sent twice through the queue', async (c) => {
      env.scripts.register('resent', stepsScript({ steps: 1 }));
      const task = { taskId: 'resent', prompt: casePrompt('resent', 'count to one') };
      await env.sendBatch([task, task]);
      await env.waitForResult('resent');
      await env.waitIdle();
      checkTask(c, await readTask(env, 'resent'), { status: 'succeeded', turns: 2, diff: appendedDiff(1), usagePerTurn: true });
      c.hold('one run; the other message acknowledged as duplicate', () => {
        expect(env.invocationsOf('resent').flatMap((i) => i.outcomes.map((o) => o.outcome)).sort()).toEqual(['duplicate', 'succeeded']);
        expect(env.scripts.of('resent').map((s) => s.turn)).toEqual([1, 2]);
      });
    });
  });
});

describe('poison messages', () => {
  it('sends only the message that can never succeed to the DLQ; the others in its batches complete', async () => {
    await report.case('poison (task.json PUT always 500), beside invalid JSON, a source that stays unreachable and a good task', async (c) => {
      env.proxy.fail({ method: 'PUT', keyPattern: /^tasks\/poison\/task\.json$/, status: 500, code: 'InternalError', times: Infinity });
      env.proxy.fail({ method: 'GET', keyPattern: /^inputs\/unreachable\.tar\.gz$/, status: 500, code: 'InternalError', times: Infinity });
      env.scripts.register('poison', stepsScript({ steps: 1 }));
      env.scripts.register('neighbour', stepsScript({ steps: 2 }));
      env.scripts.register('no-source', stepsScript({ steps: 1 }));
      const poison = JSON.stringify({ taskId: 'poison', prompt: casePrompt('poison', 'never runs') });
      const [poisonId, invalidId, , noSourceId] = await env.sendBatch([
        poison,
        'this is {not JSON',
        { taskId: 'neighbour', prompt: casePrompt('neighbour', 'count to two') },
        { taskId: 'no-source', prompt: casePrompt('no-source', 'never runs'), source: { s3: { bucket: BUCKET, key: 'inputs/unreachable.tar.gz' } } },
      ]);
      const dead = await waitFor('the poison message in the DLQ', async () => ((await env.deadLetters()).length > 0 ? env.deadLetters() : undefined), 12_000);
      await env.waitForResult('no-source');
      await env.waitIdle();
      c.hold('the DLQ holds exactly the poison message', () => expect(dead).toEqual([poison]));
      const poisonResult = await env.getText('tasks/poison/result.json');
      c.hold(`the poison message was tried ${MAX_RECEIVE_COUNT} times, each a batch failure; no result, no model call`, () => {
        expect(env.invocationsOf('poison').map((i) => i.failures.includes(poisonId))).toEqual(Array(MAX_RECEIVE_COUNT).fill(true));
        expect(poisonResult).toBeUndefined();
        expect(env.scripts.of('poison')).toEqual([]);
      });
      c.hold('the good task in the same batch completed once', () => expect(env.invocationsOf('neighbour')[0].taskIds).toEqual(['poison', undefined, 'neighbour', 'no-source']));
      checkTask(c, await readTask(env, 'neighbour'), { status: 'succeeded', turns: 3, diff: appendedDiff(2), usagePerTurn: true });
      const rejected = JSON.parse((await env.getText(`tasks/${invalidId}/result.json`)) ?? '{}') as { status?: string; error?: { code: string } };
      c.hold('invalid JSON: rejected at tasks/<messageId>/result.json, acknowledged at once, not in the DLQ', () => {
        expect([rejected.status, rejected.error?.code]).toEqual(['rejected', 'invalid_json']);
        expect(env.invocations.filter((i) => i.messageIds.includes(invalidId)).map((i) => i.failures.includes(invalidId))).toEqual([false]);
      });
      const noSource = JSON.parse((await env.getText('tasks/no-source/result.json')) ?? '{}') as { status?: string; stopReason?: string; error?: { code: string } };
      c.hold(`a source that stays unreachable: retried, then failed after ${MAX_RECEIVE_COUNT} attempts, not in the DLQ`, () => {
        expect([noSource.status, noSource.stopReason, noSource.error?.code]).toEqual(['failed', 'source_error', 'source_unavailable']);
        expect(env.invocationsOf('no-source').map((i) => i.failures.includes(noSourceId))).toEqual([true, true, false]);
        expect(env.scripts.of('no-source')).toEqual([]);
      });
    });
  });
});
