import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ArtifactStore, StoreError } from '../../../src/store/index.ts';
import { FAKE_CREDENTIALS, REGION, startLocalAws, type LocalAws } from '../../support/fauxqs.ts';
import { turnEvents } from './events.ts';

const BUCKET = 'artifacts';
let aws: LocalAws;
/** Every S3 request the store makes, as `METHOD path?query`. */
const requests: string[] = [];

beforeAll(async () => {
  aws = await startLocalAws({ buckets: [BUCKET] });
  aws.s3.middlewareStack.add(
    (next) => async (args) => {
      const req = args.request as { method: string; path: string; query?: Record<string, string> };
      const q = new URLSearchParams(req.query ?? {}).toString();
      requests.push(`${req.method} ${req.path}${q ? `?${q}` : ''}`);
      return next(args);
    },
    { step: 'finalizeRequest', name: 'recordRequests' },
  );
});
afterAll(async () => aws.stop());

function newStore(): S3ArtifactStore {
  return new S3ArtifactStore({ client: aws.s3, bucket: BUCKET });
}

async function body(key: string): Promise<string> {
  const res = await aws.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return res.Body!.transformToString();
}

describe('S3ArtifactStore', () => {
  it('puts artifacts at tasks/<id>/<name> and gets them back', async () => {
    const store = newStore();
    await store.put('a1', 'result.json', '{"status":"succeeded"}');
    expect(await body('tasks/a1/result.json')).toBe('{"status":"succeeded"}');
    expect([await store.get('a1', 'result.json'), await store.get('a1', 'task.json')]).toEqual(['{"status":"succeeded"}', undefined]);
  });

  it('writes each append as a new segment named by its first seq, 8 digits', async () => {
    const store = newStore();
    await store.appendEvents('a2', turnEvents('a2', 1, 3));
    await store.appendEvents('a2', turnEvents('a2', 4, 4));
    await store.appendEvents('a2', turnEvents('a2', 5, 12));
    const listed = await aws.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'tasks/a2/' }));
    expect(listed.Contents?.map((c) => c.Key)).toEqual([
      'tasks/a2/events/00000001.ndjson',
      'tasks/a2/events/00000004.ndjson',
      'tasks/a2/events/00000005.ndjson',
    ]);
    expect(await body('tasks/a2/events/00000004.ndjson')).toBe(JSON.stringify(turnEvents('a2', 4, 4)[0]) + '\n');
    expect(await store.readEvents('a2')).toEqual(turnEvents('a2', 1, 12));
  });

  it('reads incrementally: from a segment boundary it lists with StartAfter and fetches only new segments', async () => {
    const writer = newStore();
    await writer.appendEvents('a3', turnEvents('a3', 1, 2));
    await writer.appendEvents('a3', turnEvents('a3', 3, 5));
    const reader = newStore();
    expect(await reader.readEvents('a3')).toEqual(turnEvents('a3', 1, 5));
    await writer.appendEvents('a3', turnEvents('a3', 6, 7));
    requests.length = 0;
    expect(await reader.readEvents('a3', 5)).toEqual(turnEvents('a3', 6, 7));
    expect(requests).toEqual([
      'GET /artifacts/?list-type=2&prefix=tasks%2Fa3%2Fevents%2F&start-after=tasks%2Fa3%2Fevents%2F00000005.ndjson',
      'GET /artifacts/tasks/a3/events/00000006.ndjson?x-id=GetObject',
    ]);
    requests.length = 0;
    expect(await reader.readEvents('a3', 7)).toEqual([]);
    expect(requests.length).toBe(1);
  });

  it('resumes from a seq in the middle of a segment (a fresh reader, as after a reconnect)', async () => {
    const writer = newStore();
    await writer.appendEvents('a4', turnEvents('a4', 1, 4));
    await writer.appendEvents('a4', turnEvents('a4', 5, 8));
    await writer.appendEvents('a4', turnEvents('a4', 9, 9));
    expect(await newStore().readEvents('a4', 2)).toEqual(turnEvents('a4', 3, 9));
    expect(await newStore().readEvents('a4', 6)).toEqual(turnEvents('a4', 7, 9));
    expect(await newStore().readEvents('a4', 8)).toEqual(turnEvents('a4', 9, 9));
    expect(await newStore().readEvents('a4', 9)).toEqual([]);
    expect(await newStore().readEvents('missing', 3)).toEqual([]);
  });

  it('follows listing pages', async () => {
    const store = new S3ArtifactStore({ client: aws.s3, bucket: BUCKET, listPageSize: 3 });
    await Promise.all(
      Array.from({ length: 11 }, (_, i) =>
        aws.s3.send(
          new PutObjectCommand({
            Bucket: BUCKET,
            Key: `tasks/many/events/${String(i + 1).padStart(8, '0')}.ndjson`,
            Body: JSON.stringify(turnEvents('many', i + 1, i + 1)[0]) + '\n',
          }),
        ),
      ),
    );
    expect((await store.readEvents('many', 4)).map((e) => e.seq)).toEqual([5, 6, 7, 8, 9, 10, 11]);
    expect((await store.readEvents('many')).length).toBe(11);
  });

  it('clears a task\'s segments', async () => {
    const store = newStore();
    await store.appendEvents('a5', turnEvents('a5', 1, 2));
    await store.appendEvents('a5', turnEvents('a5', 3, 3));
    await store.clearEvents('a5');
    expect(await store.readEvents('a5')).toEqual([]);
  });

  it('honours another prefix', async () => {
    const store = new S3ArtifactStore({ client: aws.s3, bucket: BUCKET, prefix: 'other/' });
    await store.put('p1', 'task.json', '{}');
    expect(await body('other/p1/task.json')).toBe('{}');
  });

  it('turns an unreachable S3 into a retryable StoreError', async () => {
    const dead = new S3Client({
      region: REGION,
      endpoint: 'http://127.0.0.1:9',
      forcePathStyle: true,
      credentials: FAKE_CREDENTIALS,
      maxAttempts: 1,
    });
    const store = new S3ArtifactStore({ client: dead, bucket: BUCKET });
    const err = await store.put('x', 'task.json', '{}').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).retryable).toBe(true);
    await expect(store.get('x', 'task.json')).rejects.toBeInstanceOf(StoreError);
    dead.destroy();
  });
});
