import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadFile } from '../../src/client/upload.ts';
import { ClientConfigError } from '../../src/client/errors.ts';
import { startLocalAws, type LocalAws } from '../support/fauxqs.ts';

let aws: LocalAws;
let tmp: string;
beforeAll(async () => {
  aws = await startLocalAws({ buckets: ['artifacts'] });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'upload-test-'));
});
afterAll(async () => {
  await aws.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('uploadFile against fauxqs', () => {
  it('uploads a large file as a multipart upload, reporting progress up to the total', async () => {
    const file = path.join(tmp, 'big.bin');
    const body = randomBytes(11 * 1024 * 1024 + 123);
    fs.writeFileSync(file, body);
    const progress: [number, number][] = [];
    const res = await uploadFile({ s3: aws.s3, bucket: 'artifacts', key: 'inputs/big.tar.gz', file, partSize: 5 * 1024 * 1024, onProgress: (l, t) => progress.push([l, t]) });
    expect(res).toEqual({ bytes: body.length, multipart: true });
    const head = await aws.s3.send(new HeadObjectCommand({ Bucket: 'artifacts', Key: 'inputs/big.tar.gz' }));
    // A multipart ETag is "<md5 of part md5s>-<part count>".
    expect({ etag: /-(\d+)"$/.exec(head.ETag ?? '')?.[1], length: head.ContentLength, type: head.ContentType }).toEqual({ etag: '3', length: body.length, type: 'application/gzip' });
    const got = await aws.s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: 'inputs/big.tar.gz' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
    expect(progress.at(-1)).toEqual([body.length, body.length]);
    expect(progress.every(([l, t], i) => t === body.length && (i === 0 || l >= progress[i - 1][0]))).toBe(true);
    expect(progress.length).toBeGreaterThan(2);
  });

  it('uploads a small file with one PutObject', async () => {
    const file = path.join(tmp, 'small.bin');
    fs.writeFileSync(file, 'small');
    expect(await uploadFile({ s3: aws.s3, bucket: 'artifacts', key: 'inputs/small.tar.gz', file })).toEqual({ bytes: 5, multipart: false });
    const uploads = await aws.s3.send(new ListMultipartUploadsCommand({ Bucket: 'artifacts' })).catch(() => ({ Uploads: [] }));
    expect(uploads.Uploads ?? []).toEqual([]);
  });

  it('says in one line that the bucket does not exist', async () => {
    const file = path.join(tmp, 'small.bin');
    const err = await uploadFile({ s3: aws.s3, bucket: 'no-such-bucket', key: 'inputs/x.tar.gz', file }).catch((e) => e);
    expect({ type: err.constructor, message: err.message }).toEqual({ type: ClientConfigError, message: 'bucket no-such-bucket does not exist: check --bucket or --stack' });
  });
});
