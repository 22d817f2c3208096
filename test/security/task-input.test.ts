/**
 * Hostile task messages: named cases and thousands of generated ones through the real parser,
 * then through the worker's batch handling: every bad message is rejected with a reason naming
 * the field, never throws, is never retried, and the batch goes on.
 */
import { afterAll, afterEach, describe, it } from 'vitest';
import { parseTaskMessage, TASK_ID_PATTERN, type ParseTaskResult } from '../../src/task/index.ts';
import { processBatch } from '../../src/worker/index.ts';
import { MemoryStore } from '../support/memory-store.ts';
import { say } from '../support/script-provider.ts';
import { harness, sqsEvent, sqsRecord, TIMING, type Harness } from '../unit/worker/helpers.ts';
import { fuzzer, SCHEMA_KEYS } from './support/fuzz.ts';
import { securityReport } from './report.ts';

const report = securityReport('task-input');
afterAll(() => report.flush());
let h: Harness | undefined;
afterEach(() => h?.cleanup());

const OPTS = { messageId: '6d1f2c1e-0d1a-4c55-9f3e-5a8b1c2d3e4f', newId: () => 'generated-id', allowedSourceBuckets: ['mine'] };
const parse = (body: unknown): ParseTaskResult => parseTaskMessage(typeof body === 'string' ? body : JSON.stringify(body), OPTS);
const rejection = (r: ParseTaskResult): Record<string, string> => (r.ok ? { accepted: r.task.taskId } : { taskId: r.taskId, ...r.error });

describe('named hostile messages', () => {
  const cases: [string, unknown, Record<string, string>][] = [
    ['invalid JSON', '{"prompt": ', { taskId: OPTS.messageId, code: 'invalid_json', message: 'the message body is not JSON: Unexpected end of JSON input' }],
    ['a JSON array body', '[1,2]', { taskId: OPTS.messageId, code: 'invalid_task', message: 'the message body must be a JSON object' }],
    ['prompt of the wrong type', { prompt: 42 }, { taskId: OPTS.messageId, code: 'invalid_task', message: 'prompt: Invalid input: expected string, received number' }],
    ['an unknown top-level field', { prompt: 'p', admin: true }, { taskId: OPTS.messageId, code: 'invalid_task', message: 'admin: unknown field' }],
    ['a __proto__ field', '{"prompt": "p", "__proto__": {"admin": true}}', { taskId: OPTS.messageId, code: 'invalid_task', message: '__proto__: unknown field' }],
    ['an unknown nested field', { prompt: 'p', limits: { maxTurns: 3, unlimited: true } }, { taskId: OPTS.messageId, code: 'invalid_task', message: 'limits.unlimited: unknown field' }],
    ['an oversized prompt (256 KiB + 1)', { prompt: 'p'.repeat(256 * 1024 + 1) }, { taskId: OPTS.messageId, code: 'invalid_task', message: 'prompt: longer than 262144 bytes' }],
    ['taskId ../../etc', { taskId: '../../etc', prompt: 'p' }, { taskId: OPTS.messageId, code: 'invalid_task', message: 'taskId: must match [A-Za-z0-9_-]{1,64}' }],
    ['taskId a/b', { taskId: 'a/b', prompt: 'p' }, { taskId: OPTS.messageId, code: 'invalid_task', message: 'taskId: must match [A-Za-z0-9_-]{1,64}' }],
    ['taskId with a NUL byte', { taskId: 'a\u0000b', prompt: 'p' }, { taskId: OPTS.messageId, code: 'invalid_task', message: 'taskId: must match [A-Za-z0-9_-]{1,64}' }],
    ['a source bucket other than allowed', { prompt: 'p', source: { s3: { bucket: 'theirs', key: 'inputs/x.tar.gz' } } }, { taskId: OPTS.messageId, code: 'invalid_task', message: 'source.s3.bucket: bucket "theirs" is not allowed' }],
    ['a file:// git source', { prompt: 'p', source: { git: { url: 'file:///etc/passwd' } } }, { taskId: OPTS.messageId, code: 'invalid_task', message: 'source.git.url: must be an http(s) URL' }],
    ['a git ref with ..', { prompt: 'p', source: { git: { url: 'https://x/y.git', ref: 'a/../../b' } } }, { taskId: OPTS.messageId, code: 'invalid_task', message: 'source.git.ref: must be a valid git ref' }],
    ['maxTurns 1e308', { prompt: 'p', limits: { maxTurns: 1e308 } }, { taskId: OPTS.messageId, code: 'invalid_task', message: 'limits.maxTurns: Too big: expected int to be <=9007199254740991' }],
    ['reply nested 10 000 levels deep', `{"prompt": "p", "reply": ${'['.repeat(10_000)}${']'.repeat(10_000)}}`, { taskId: OPTS.messageId, code: 'invalid_task', message: 'reply: nested deeper than 16 levels' }],
    ['reply of 100 KB', { prompt: 'p', reply: { note: 'x'.repeat(100_000) } }, { taskId: OPTS.messageId, code: 'invalid_task', message: 'reply: larger than 16384 bytes' }],
    ['reply.github pointing at a path', { prompt: 'p', reply: { github: { owner: '../x', repo: 'r', issue: 1 } } }, { taskId: OPTS.messageId, code: 'invalid_task', message: 'reply.github.owner: must be a GitHub owner (letters, digits, hyphens and underscores, not starting with a hyphen)' }],
  ];
  it.each(cases)('rejects %s with a reason naming the field', (attack, body, wanted) => {
    report.check(`task message: ${attack}`, `rejected: ${wanted.message}`, rejection(parse(body)), wanted);
  });
});

describe('generated hostile messages', () => {
  const SEED = 20_260_101;
  const COUNT = 5000;

  it(`parses ${COUNT} generated bodies (seed ${SEED}) without throwing, each accepted safely or rejected naming a field`, () => {
    const f = fuzzer(SEED);
    const problems: string[] = [];
    let rejected = 0;
    for (let i = 0; i < COUNT; i++) {
      const body = f.body();
      let r: ParseTaskResult;
      try {
        r = parseTaskMessage(body, { ...OPTS, messageId: `m-${i}` });
      } catch (err) {
        problems.push(`#${i} threw ${(err as Error).message}: ${body.slice(0, 120)}`);
        continue;
      }
      const problem = r.ok ? acceptedProblem(r) : rejectionProblem(r, body);
      if (problem) problems.push(`#${i} ${problem}: ${body.slice(0, 120)}`);
      if (!r.ok) rejected++;
    }
    report.check(`${COUNT} generated bodies (seed ${SEED}, ${rejected} rejected)`, 'no throw; every rejection names a field; every acceptance is safe', problems.slice(0, 5), []);
  });

  it('runs generated bad bodies through the worker: all rejected, none retried, the batch goes on', async () => {
    const f = fuzzer(SEED + 1);
    const bodies: string[] = [];
    while (bodies.length < 60) {
      const body = f.body();
      if (!parseTaskMessage(body, { ...OPTS, messageId: 'probe' }).ok) bodies.push(body);
    }
    const store = new MemoryStore();
    h = harness(store, [say('done')], { allowedSourceBuckets: ['mine'] });
    const records = bodies.map((b, i) => sqsRecord(b, `bad-${i}`));
    records.push(sqsRecord(JSON.stringify({ taskId: 'good-after-bad', prompt: 'p' }), 'good'));
    const out = await processBatch(sqsEvent(...records), h.deps, TIMING);
    const statuses = out.outcomes.map((o) => o.outcome);
    report.check(
      `${bodies.length} generated bad messages then a good one in one SQS batch`,
      'no batchItemFailures; every bad one rejected with result.json; the good one runs',
      {
        failures: out.batchItemFailures,
        rejected: statuses.filter((s) => s === 'rejected').length,
        results: out.outcomes.filter((o) => o.outcome === 'rejected').every((o) => store.json(o.taskId, 'result.json')?.status === 'rejected'),
        last: out.outcomes.at(-1)?.outcome,
      },
      { failures: [], rejected: bodies.length, results: true, last: 'succeeded' },
    );
  });
});

function acceptedProblem(r: Extract<ParseTaskResult, { ok: true }>): string | undefined {
  const t = r.task;
  if (!TASK_ID_PATTERN.test(t.taskId)) return `accepted an unsafe taskId ${JSON.stringify(t.taskId)}`;
  if (typeof t.prompt !== 'string' || t.prompt.trim() === '' || Buffer.byteLength(t.prompt) > 256 * 1024) return 'accepted a bad prompt';
  if (t.source && 's3' in t.source && t.source.s3.bucket !== 'mine') return `accepted bucket ${t.source.s3.bucket}`;
  return undefined;
}

function rejectionProblem(r: Extract<ParseTaskResult, { ok: false }>, body: string): string | undefined {
  if (!TASK_ID_PATTERN.test(r.taskId)) return `recorded under an unsafe id ${JSON.stringify(r.taskId)}`;
  const { code, message } = r.error;
  if (code === 'invalid_json') return message.startsWith('the message body is not JSON: ') ? undefined : `bad invalid_json message ${message}`;
  if (code !== 'invalid_task') return `unknown code ${code}`;
  if (message.startsWith('the message body must be a JSON object') || message.startsWith('body: ')) return undefined;
  let keys: string[];
  try {
    keys = Object.keys(JSON.parse(body) as Record<string, unknown>);
  } catch {
    return `invalid_task for a body that is not JSON: ${message}`;
  }
  const named = [...SCHEMA_KEYS, ...keys].some((k) => [':', '.', ','].some((sep) => message.startsWith(`${k}${sep}`)));
  return named ? undefined : `message names no field: ${message.slice(0, 80)}`;
}
