import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidKeyError, S3ArtifactStore, StoreError } from '../../src/store/index.ts';
import { startLocalAws, type LocalAws } from '../support/fauxqs.ts';
import { s3ClientFor, startS3Proxy, type S3Proxy } from '../support/s3-proxy.ts';

const BUCKET = 'conditional';
let aws: LocalAws;
let proxy: S3Proxy;
let client: S3Client;
let store: S3ArtifactStore;

beforeAll(async () => {
  aws = await startLocalAws({ buckets: [BUCKET] });
  proxy = await startS3Proxy(aws.endpoint);
  client = s3ClientFor(proxy.url);
  store = new S3ArtifactStore({ client, bucket: BUCKET });
});
afterAll(async () => {
  client?.destroy();
  await proxy?.close();
  await aws?.stop();
});
beforeEach(() => proxy.reset());

async function object(key: string): Promise<{ body: string; etag: string | undefined; contentType: string | undefined }> {
  const res = await aws.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return { body: await res.Body!.transformToString(), etag: res.ETag, contentType: res.ContentType };
}

describe('S3ArtifactStore conditional writes through an enforcing proxy', () => {
  it('creates an artifact once: a second If-None-Match create gets 412 and changes nothing', async () => {
    const etag = await store.putIfAbsent('c1', 'lease.json', '{"owner":"a"}');
    expect(await store.putIfAbsent('c1', 'lease.json', '{"owner":"b"}')).toBeUndefined();
    const stored = await object('tasks/c1/lease.json');
    expect(stored).toEqual({ body: '{"owner":"a"}', etag, contentType: 'application/json' });
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(await store.getVersioned('c1', 'lease.json')).toEqual({ body: '{"owner":"a"}', etag });
    expect(proxy.requests.map((r) => [r.method, r.key, r.status, r.answeredBy])).toEqual([
      ['PUT', 'tasks/c1/lease.json', 200, undefined],
      ['PUT', 'tasks/c1/lease.json', 412, 'condition'],
      ['GET', 'tasks/c1/lease.json', 200, undefined],
    ]);
  });

  it('replaces only while the ETag matches: a stale ETag, or an object that is gone, loses', async () => {
    const first = (await store.putIfAbsent('c2', 'lease.json', '{"v":1}'))!;
    const second = await store.putIfMatch('c2', 'lease.json', '{"v":2}', first);
    expect(second).toMatch(/^"[0-9a-f]{32}"$/);
    expect(second).not.toBe(first);
    expect(await store.putIfMatch('c2', 'lease.json', '{"v":3}', first)).toBeUndefined();
    await store.put('c2', 'lease.json', '{"v":"plain"}');
    expect(await store.putIfMatch('c2', 'lease.json', '{"v":4}', second!)).toBeUndefined();
    expect(await store.putIfMatch('absent', 'lease.json', '{"v":1}', first)).toBeUndefined();
    expect([(await object('tasks/c2/lease.json')).body, await store.get('absent', 'lease.json')]).toEqual(['{"v":"plain"}', undefined]);
    expect(proxy.requests.filter((r) => r.answeredBy).map((r) => [r.key, r.status])).toEqual([
      ['tasks/c2/lease.json', 412],
      ['tasks/c2/lease.json', 412],
      ['tasks/absent/lease.json', 404],
    ]);
  });

  it('of many concurrent creates of one key, exactly one wins', async () => {
    const etags = await Promise.all(Array.from({ length: 12 }, (_, i) => store.putIfAbsent('c3', 'lease.json', `{"racer":${i}}`)));
    const winners = etags.filter((e) => e !== undefined);
    expect(winners.length).toBe(1);
    const winner = etags.findIndex((e) => e !== undefined);
    expect(await store.getVersioned('c3', 'lease.json')).toEqual({ body: `{"racer":${winner}}`, etag: winners[0] });
  });

  it('stores checkpoint parts under tasks/<id>/checkpoint/ with their content types', async () => {
    await store.putIfAbsent('c4', 'checkpoint/00000003.json', '{"turn":3}');
    await store.put('c4', 'checkpoint/ws-00000003.patch', 'diff --git a/x b/x\n');
    const head = await aws.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'tasks/c4/checkpoint/ws-00000003.patch' }));
    expect([(await object('tasks/c4/checkpoint/00000003.json')).contentType, head.ContentType]).toEqual(['application/json', 'text/x-diff; charset=utf-8']);
    expect(await store.get('c4', 'checkpoint/ws-00000003.patch')).toBe('diff --git a/x b/x\n');
  });

  it('refuses names that could leave the task prefix, before any request', async () => {
    const bad = ['checkpoint/../../other/result.json', '../result.json', '/etc/passwd', 'checkpoint/a\\b.json', 'checkpoint/a/b.json', 'checkpoint/'];
    for (const name of bad) {
      await expect(store.putIfAbsent('c5', name as 'checkpoint/x', '{}')).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(store.getVersioned('c5', name as 'checkpoint/x')).rejects.toBeInstanceOf(InvalidKeyError);
    }
    expect(proxy.requests).toEqual([]);
  });

  it('answers a conditional write that collides with another in flight (409) as lost, not as a failure', async () => {
    const etag = (await store.putIfAbsent('c6', 'lease.json', '{"v":1}'))!;
    proxy.fail({ method: 'PUT', keyPattern: /c6\/lease\.json$/, status: 409, code: 'ConditionalRequestConflict', times: 1 });
    expect(await store.putIfMatch('c6', 'lease.json', '{"v":2}', etag)).toBeUndefined();
    expect(await store.putIfMatch('c6', 'lease.json', '{"v":2}', etag)).toMatch(/^"/);
  });

  it('turns injected 5xx faults into a retryable StoreError once the SDK has used its attempts', async () => {
    proxy.fail({ method: 'PUT', keyPattern: /c7\/lease\.json$/, status: 500, code: 'InternalError', times: 3 });
    const err = await store.putIfAbsent('c7', 'lease.json', '{}').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect([(err as StoreError).retryable, (err as StoreError).message]).toEqual([
      true,
      `cannot write s3://${BUCKET}/tasks/c7/lease.json: injected InternalError`,
    ]);
    expect(proxy.requests).toEqual(
      Array.from({ length: 3 }, () => ({ method: 'PUT', bucket: BUCKET, key: 'tasks/c7/lease.json', query: 'x-id=PutObject', status: 500, bytes: 2, answeredBy: 'fault' })),
    );
    // The rule is used up: the next attempt goes through.
    expect(await store.putIfAbsent('c7', 'lease.json', '{}')).toMatch(/^"/);
  });

  it('rides out one fault with the SDK\'s own retry, and tells throttling from refusal', async () => {
    proxy.fail({ method: 'PUT', keyPattern: /c8\//, status: 500, code: 'InternalError', times: 1 });
    expect(await store.putIfAbsent('c8', 'lease.json', '{}')).toMatch(/^"/);
    expect(proxy.requests.map((r) => r.status)).toEqual([500, 200]);

    const once = new S3ArtifactStore({ client: s3ClientFor(proxy.url, { maxAttempts: 1 }), bucket: BUCKET });
    proxy.fail({ method: 'GET', keyPattern: /c8\//, status: 503, code: 'SlowDown' });
    proxy.fail({ method: 'PUT', keyPattern: /c8\//, status: 403, code: 'AccessDenied' });
    const slow = await once.getVersioned('c8', 'lease.json').catch((e: unknown) => e);
    const denied = await once.putIfMatch('c8', 'lease.json', '{}', '"x"').catch((e: unknown) => e);
    expect([slow instanceof StoreError && slow.retryable, denied instanceof StoreError && denied.retryable]).toEqual([true, false]);
  });

  it('lets an unconditional write through untouched', async () => {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'tasks/c9/task.json', Body: '{}' }));
    expect(proxy.requests.map((r) => [r.method, r.status, r.bytes])).toEqual([['PUT', 200, 2]]);
  });
});
