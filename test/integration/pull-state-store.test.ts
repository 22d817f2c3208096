/**
 * The pull requests' records on S3 (fauxqs behind the proxy that enforces S3's conditional
 * writes): compare-and-swap loses no update among concurrent writers, and of fixes started at the
 * same moment exactly one gets the pull request.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PullStateConflictError } from '../../src/github/errors.ts';
import { EMPTY_PULL_STATE, startAutomatic, type StartDecision } from '../../src/github/pull-state.ts';
import { S3PullStateStore } from '../../src/github/pull-state-store.ts';
import { startLocalAws, type LocalAws } from '../support/fauxqs.ts';
import { s3ClientFor, startS3Proxy, type S3Proxy } from '../support/s3-proxy.ts';

const BUCKET = 'pull-state';
let aws: LocalAws;
let proxy: S3Proxy;
let client: S3Client;
let store: S3PullStateStore;
let n = 0;
const nextPull = () => ({ owner: 'Octo', repo: 'Demo', number: ++n });

beforeAll(async () => {
  aws = await startLocalAws({ buckets: [BUCKET] });
  proxy = await startS3Proxy(aws.endpoint);
  client = s3ClientFor(proxy.url);
  store = new S3PullStateStore({ client, bucket: BUCKET });
});
afterAll(async () => {
  client?.destroy();
  await proxy?.close();
  await aws?.stop();
});
beforeEach(() => proxy.reset());

describe('S3PullStateStore', () => {
  it('creates the record with If-None-Match, then replaces it with If-Match, under webhook/ci-fix/', async () => {
    const pull = nextPull();
    const bump = (s: typeof EMPTY_PULL_STATE) => ({ next: { ...s, attempts: s.attempts + 1 }, result: s.attempts });
    expect([await store.update(pull, bump), await store.update(pull, bump), await store.update(pull, (s) => ({ result: s.attempts }))]).toEqual([0, 1, 2]);
    const key = `webhook/ci-fix/octo/demo/${pull.number}.json`;
    const stored = await aws.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(JSON.parse(await stored.Body!.transformToString())).toEqual({ ...EMPTY_PULL_STATE, attempts: 2 });
    expect(proxy.requests.map((r) => [r.method, r.key, r.status])).toEqual([
      ['GET', key, 404],
      ['PUT', key, 200],
      ['GET', key, 200],
      ['PUT', key, 200],
      ['GET', key, 200],
    ]);
  });

  it('loses no update among five concurrent writers', async () => {
    const pull = nextPull();
    await Promise.all(Array.from({ length: 5 }, (_, i) => store.update(pull, (s) => ({ next: { ...s, shas: [...s.shas, `sha${i}`] }, result: undefined }))));
    const final = await store.update(pull, (s) => ({ result: s }));
    expect(final.shas.sort()).toEqual(['sha0', 'sha1', 'sha2', 'sha3', 'sha4']);
    expect(proxy.requests.some((r) => r.answeredBy === 'condition')).toBe(true);
  });

  it('lets exactly one of five fixes started at once take the pull request', async () => {
    const pull = nextPull();
    const now = Date.now();
    const decisions = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        store.update(pull, (s) => {
          const d: StartDecision = startAutomatic(s, `sha${i}`, { taskId: `t${i}`, branch: 'agent/x', push: true, kind: 'automatic', until: now + 60_000 }, { now, maxAttempts: 5 });
          return { next: d.kind === 'skip' ? undefined : d.next, result: d.kind };
        }),
      ),
    );
    expect(decisions.sort()).toEqual(['skip', 'skip', 'skip', 'skip', 'start']);
    expect(await store.update(pull, (s) => ({ result: [s.attempts, s.leases.length] }))).toEqual([1, 1]);
  });

  it('gives up with PullStateConflictError when every write keeps losing', async () => {
    const pull = nextPull();
    proxy.fail({ method: 'PUT', keyPattern: /^webhook\/ci-fix\//, status: 412, code: 'PreconditionFailed', times: 3 });
    const small = new S3PullStateStore({ client, bucket: BUCKET, attempts: 3 });
    await expect(small.update(pull, (s) => ({ next: s, result: undefined }))).rejects.toBeInstanceOf(PullStateConflictError);
  });
});
