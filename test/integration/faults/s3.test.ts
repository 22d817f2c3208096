/**
 * Transient S3 faults on the worker's writes (event segments, checkpoint parts, result.json),
 * injected by the proxy in front of fauxqs: a fault the SDK's own retries absorb stays inside one
 * delivery; one that outlasts them fails the message, which comes back and resumes from the last
 * checkpoint. Either way the task completes once with coherent events.
 */
import { describe, expect, it } from 'vitest';
import type { FaultRule } from '../../support/s3-proxy.ts';
import { useFaultEnv, type FaultEnv } from './harness.ts';
import { checkTask, eventsOf, readTask } from './invariants.ts';
import { FaultReport, type CaseChecks } from './report.ts';
import { appendedDiff, casePrompt, stepsScript } from './script.ts';

let env: FaultEnv;
const report = new FaultReport('s3');
useFaultEnv(report, (e) => (env = e));
const STEPS = 3;

interface S3Case {
  test: string;
  fault: string;
  taskId: string;
  /** The fault is armed when the model is asked for this turn (0: before the task is sent). */
  armAt: number;
  /** The rule's key pattern under `tasks/<taskId>/`. */
  key: string;
  rule: Omit<FaultRule, 'keyPattern'>;
  /** Whether the first delivery failed (and the message came back). */
  redelivered: boolean;
  /** The checkpoint turn the redelivery resumed at; undefined when it ran from the start. */
  resumedAt?: number;
  /** Model answers per turn: a turn lost to the fault is asked again. */
  answers: number[];
}

const CASES: S3Case[] = [
  {
    test: 'absorbs SlowDown on an event segment within the SDK\'s retries: one delivery',
    fault: 'S3 503 SlowDown ×2 on an event segment PUT',
    taskId: 's3-slow-events',
    armAt: 2,
    key: 'events/',
    rule: { status: 503, code: 'SlowDown', times: 2 },
    redelivered: false,
    answers: [1, 1, 1, 1],
  },
  {
    test: 'redelivers a message whose event segment write failed for good and resumes from the last checkpoint',
    fault: 'S3 500 InternalError ×3 on an event segment PUT (SDK retries used up)',
    taskId: 's3-events',
    armAt: 2,
    key: 'events/',
    rule: { status: 500, code: 'InternalError', times: 3 },
    redelivered: true,
    resumedAt: 1,
    answers: [1, 2, 1, 1],
  },
  {
    test: 'redelivers a message whose checkpoint write failed and redoes only the turn it was saving',
    fault: 'S3 503 SlowDown ×3 on checkpoint.json PUT',
    taskId: 's3-checkpoint',
    armAt: 2,
    key: 'checkpoint\\.json$',
    rule: { status: 503, code: 'SlowDown', times: 3 },
    redelivered: true,
    resumedAt: 1,
    answers: [1, 2, 1, 1],
  },
  {
    test: 'redelivers a message whose result.json write failed and publishes the result once',
    fault: 'S3 500 InternalError ×3 on result.json PUT',
    taskId: 's3-result',
    armAt: 0,
    key: 'result\\.json$',
    rule: { status: 500, code: 'InternalError', times: 3 },
    redelivered: true,
    resumedAt: 3,
    answers: [1, 1, 1, 2],
  },
  {
    test: 'starts over cleanly when the first event segment could not be written (no checkpoint yet)',
    fault: 'S3 500 InternalError ×3 on the first event segment PUT',
    taskId: 's3-first',
    armAt: 0,
    key: 'events/00000001\\.ndjson$',
    rule: { status: 500, code: 'InternalError', times: 3 },
    redelivered: true,
    answers: [1, 1, 1, 1],
  },
];

/** Runs a 3-step task with the case's S3 fault, then checks the invariants and how it was delivered. */
async function runWithFault(c: CaseChecks, k: S3Case): Promise<void> {
  const keyPattern = new RegExp(`^tasks/${k.taskId}/${k.key}`);
  const arm = () => env.proxy.fail({ method: 'PUT', ...k.rule, keyPattern });
  env.scripts.register(k.taskId, stepsScript({ steps: STEPS, onRequest: (r) => r.turn === k.armAt && r.attempt === 0 && arm() }));
  if (k.armAt === 0) arm();
  await env.send({ taskId: k.taskId, prompt: casePrompt(k.taskId, 'count to three') });
  await env.waitForResult(k.taskId);
  await env.waitIdle();
  const art = await readTask(env, k.taskId);
  checkTask(c, art, { status: 'succeeded', turns: STEPS + 1, diff: appendedDiff(STEPS), usagePerTurn: true });
  c.hold(`the proxy answered ${k.rule.times} faults`, () =>
    expect(env.proxy.requests.filter((r) => r.answeredBy === 'fault' && keyPattern.test(r.key)).map((r) => r.status)).toEqual(Array(k.rule.times).fill(k.rule.status)),
  );
  const how = !k.redelivered ? 'one delivery' : `failed once, redelivered, ${k.resumedAt ? `resumed at turn ${k.resumedAt}` : 'run from the start'}`;
  c.hold(`${how}; model answers per turn ${k.answers.join(',')}`, () => {
    expect(env.invocationsOf(k.taskId).map((i) => i.failures.length > 0)).toEqual(k.redelivered ? [true, false] : [false]);
    expect(eventsOf(art.events, 'checkpoint').map((e) => `${e.reason}@${e.turn}`)).toEqual(k.resumedAt ? [`resumed@${k.resumedAt}`] : []);
    expect(env.scripts.answersPerTurn(k.taskId)).toEqual(k.answers);
  });
}

describe('transient S3 faults on the worker\'s writes', () => {
  it.each(CASES.map((k) => [k.test, k] as const))('%s', (_test, k) => report.case(k.fault, (c) => runWithFault(c, k)));

  it('leaves nothing in the dead-letter queue', async () => {
    await report.case('all S3 faults above', async (c) => {
      const dead = await env.deadLetters();
      c.hold('the DLQ is empty', () => expect(dead).toEqual([]));
    });
  });
});
