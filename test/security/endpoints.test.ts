/**
 * The two HTTP endpoints: a caller without the right credentials learns nothing, not even
 * whether a task or delivery exists; and task ids are not guessable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTaskId } from '../../functions/lib/aws.ts';
import { handleDelivery, signBody, type DeliveryLog, type IngestDeps, type TaskQueue, type WebhookRequest } from '../../src/github/ingest/index.ts';
import type { GitHubClient } from '../../src/github/index.ts';
import { createSigV4Signer } from '../../src/client/sign.ts';
import { createLambdaContext, installAwsLambdaGlobal, startFunctionUrlServer, type FunctionUrlServer } from '../../src/local/index.ts';
import { silentLog } from '../../src/observability/index.ts';
import { handleProgressRequest, type ProgressDeps } from '../../src/progress/index.ts';
import { TASK_ID_PATTERN } from '../../src/task/index.ts';
import { MemoryStore } from '../support/memory-store.ts';
import { securityReport } from './report.ts';

const report = securityReport('endpoints');
const RESULT = {
  status: 'succeeded',
  stopReason: 'end_turn',
  turns: 1,
  model: 'm',
  usage: { inputTokens: 1, outputTokens: 1, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 },
  costUsd: 0,
  diff: { files: 0, additions: 0, deletions: 0 },
} as const;
let server: FunctionUrlServer;
let invocations = 0;
let restoreGlobal: () => void;

beforeAll(async () => {
  restoreGlobal = installAwsLambdaGlobal();
  const store = new MemoryStore();
  await store.put('known-task', 'task.json', JSON.stringify({ taskId: 'known-task', prompt: 'secret plans' }));
  await store.appendEvents('known-task', [
    { seq: 1, time: '2026-01-01T00:00:00.000Z', taskId: 'known-task', type: 'turn_started', turn: 1 },
    { seq: 2, time: '2026-01-01T00:00:01.000Z', taskId: 'known-task', type: 'result', ...RESULT },
  ]);
  const deps: Omit<ProgressDeps, 'from' | 'remainingMs'> = { store, clock: Date.now, sleep: async () => undefined, log: silentLog, pollMs: 1, heartbeatMs: 60_000 };
  const handler = awslambda.streamifyResponse(async (event, stream, context) => {
    invocations++;
    await handleProgressRequest(event, stream, { ...deps, from: (s, p) => awslambda.HttpResponseStream.from(s, p), remainingMs: () => context.getRemainingTimeInMillis() });
  });
  server = await startFunctionUrlServer({
    handler,
    context: () => createLambdaContext({ functionName: 'Progress', timeoutMs: 10_000, clock: Date.now }),
    clock: Date.now,
    log: silentLog,
    iamAuth: { region: 'us-east-1', credentials: [ALLOWED] },
  });
});
afterAll(async () => {
  await server?.close();
  restoreGlobal?.();
  report.flush();
});

const ALLOWED = { accessKeyId: 'AKIDALLOWEDCALLER', secretAccessKey: 'allowed-caller-secret' };

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(new URL(path, server.url), { headers });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

/** Headers signing a GET of `path` with `creds`, as `agent-runner watch` signs it. */
function signed(path: string, creds: { accessKeyId: string; secretAccessKey: string }, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return createSigV4Signer({ region: 'us-east-1', credentials: async () => creds })(new URL(path, server.url), extra);
}

describe('progress endpoint', () => {
  it('answers an unsigned request the same for a known and an unknown task, without running the handler', async () => {
    const before = invocations;
    const [known, unknown, lastEventId] = await Promise.all([
      get('/tasks/known-task/events'),
      get('/tasks/no-such-task/events'),
      get('/tasks/known-task/events', { 'last-event-id': '0' }),
    ]);
    report.check(
      'unsigned GET /tasks/<id>/events for a known and an unknown task (local function-URL server, AuthType AWS_IAM stand-in)',
      'identical 403, no event, handler never invoked',
      { known, unknown, lastEventId, invoked: invocations - before },
      { known: FORBIDDEN, unknown: FORBIDDEN, lastEventId: FORBIDDEN, invoked: 0 },
    );
  });

  it('answers a request signed with the wrong key, for another path, or with another body the same 403, for a known and an unknown task', async () => {
    const before = invocations;
    const stranger = { accessKeyId: 'AKIDSTRANGER', secretAccessKey: 'whatever' };
    const wrongSecret = { ...ALLOWED, secretAccessKey: 'guessed' };
    const results = await Promise.all([
      get('/tasks/known-task/events', await signed('/tasks/known-task/events', stranger)),
      get('/tasks/no-such-task/events', await signed('/tasks/no-such-task/events', stranger)),
      get('/tasks/known-task/events', await signed('/tasks/known-task/events', wrongSecret)),
      get('/tasks/no-such-task/events', await signed('/tasks/no-such-task/events', wrongSecret)),
      // A valid signature of another path, its headers replayed onto the known task.
      get('/tasks/known-task/events', await signed('/tasks/other/events', ALLOWED)),
      get('/tasks/known-task/events?after=0', await signed('/tasks/known-task/events', ALLOWED)),
    ]);
    report.check(
      'GET /tasks/<id>/events signed by an unknown key, with a wrong secret, or with a signature of another path or query (local server of agent-runner dev)',
      'identical 403, handler never invoked',
      { results, invoked: invocations - before },
      { results: results.map(() => FORBIDDEN), invoked: 0 },
    );
  });

  it('(control) a correctly signed request reaches the handler: the known task streams, an unknown one is 404', async () => {
    const known = await get('/tasks/known-task/events', await signed('/tasks/known-task/events', ALLOWED));
    const unknown = await get('/tasks/no-such-task/events', await signed('/tasks/no-such-task/events', ALLOWED));
    expect([known.status, known.type, known.body.includes('event: turn_started'), unknown.status]).toEqual([200, 'text/event-stream; charset=utf-8', true, 404]);
  });
});
const FORBIDDEN = { status: 403, type: 'application/json', body: '{"Message":"Forbidden"}' };

describe('webhook endpoint', () => {
  const SECRET = 'the-webhook-secret';
  const calls: string[] = [];
  const deliveries: DeliveryLog = {
    claim: async (id) => (calls.push(`claim ${id}`), id !== 'seen-before'),
    release: async (id) => void calls.push(`release ${id}`),
  };
  const queue: TaskQueue = { send: async (t) => void calls.push(`send ${t.taskId}`) };
  const deps: IngestDeps = {
    webhookSecret: async () => SECRET,
    deliveries,
    queue,
    github: () => {
      calls.push('github client');
      return {} as GitHubClient;
    },
    triggers: { label: 'agent', checkRuns: false },
  };
  const body = Buffer.from(JSON.stringify({ action: 'labeled', label: { name: 'agent' }, issue: { number: 1, title: 't', body: 'b' }, repository: { name: 'r', owner: { login: 'o' }, default_branch: 'main' }, sender: { login: 'u' } }));
  const request = (delivery: string, signature: string | undefined, payload: Buffer = body): WebhookRequest => ({
    method: 'POST',
    headers: { 'x-github-event': 'issues', 'x-github-delivery': delivery, 'content-type': 'application/json', ...(signature === undefined ? {} : { 'x-hub-signature-256': signature }) },
    body: payload,
  });

  it('answers every unauthenticated delivery with the same 401, for a seen and a new delivery id, touching nothing', async () => {
    const attempts: [string, string | undefined, Buffer?][] = [
      ['no signature', undefined],
      ['malformed signature', 'sha256=not-hex'],
      ['sha1 signature', `sha1=${'0'.repeat(40)}`],
      ['signed with another secret', signBody('guessed-secret', body)],
      ['valid signature of another body (replayed onto a changed body)', signBody(SECRET, Buffer.from('{}')), body],
      ['empty signature', ''],
    ];
    for (const [attack, signature, payload] of attempts) {
      const seen = await handleDelivery(request('seen-before', signature, payload), deps);
      const fresh = await handleDelivery(request('fresh-delivery-id', signature, payload), deps);
      report.check(`webhook: ${attack}, for a seen and a new delivery id`, 'identical 401; no claim, no enqueue, no GitHub call', { seen, fresh, calls }, { seen: UNAUTHORIZED, fresh: UNAUTHORIZED, calls: [] });
    }
  });

  it('(control) a correctly signed delivery seen before is claimed and acknowledged', async () => {
    const seen = await handleDelivery(request('seen-before', signBody(SECRET, body)), deps);
    expect({ seen, calls }).toEqual({ seen: { statusCode: 200, body: { duplicate: 'seen-before' } }, calls: ['claim seen-before'] });
    calls.length = 0;
  });
});
const UNAUTHORIZED = { statusCode: 401, body: { error: 'invalid or missing X-Hub-Signature-256' } };

describe('task ids', () => {
  it('are 128 random bits: unique, in the id alphabet, every bit unbiased', () => {
    const N = 20_000;
    const ids = Array.from({ length: N }, () => newTaskId());
    const ones = new Array<number>(128).fill(0);
    for (const id of ids) {
      const bytes = Buffer.from(id, 'base64url');
      for (let bit = 0; bit < 128; bit++) ones[bit] += (bytes[bit >> 3] >> (7 - (bit & 7))) & 1;
    }
    // Each bit is 1 with probability 1/2: its count has a standard deviation of sqrt(N)/2 (~71).
    const biased = ones.map((c, bit) => [bit, c] as const).filter(([, c]) => Math.abs(c - N / 2) > 6 * Math.sqrt(N) / 2);
    report.check(
      `${N} generated task ids`,
      '22 base64url characters (128 bits), all distinct, valid ids, no biased bit (6 sigma)',
      { lengths: [...new Set(ids.map((i) => i.length))], distinct: new Set(ids).size, valid: ids.every((i) => TASK_ID_PATTERN.test(i)), biased },
      { lengths: [22], distinct: N, valid: true, biased: [] },
    );
  });
});
