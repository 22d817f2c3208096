import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { materialiseSource, SourceError } from '../../../src/sources/index.ts';
import { startLocalAws, type LocalAws } from '../../support/fauxqs.ts';
import { buildTar, sourceError } from './tar-builder.ts';

let aws: LocalAws;
let tmp: string;
let n = 0;

beforeAll(async () => {
  aws = await startLocalAws({ buckets: ['inputs-bucket'] });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'materialise-'));
  await aws.s3.send(
    new PutObjectCommand({
      Bucket: 'inputs-bucket',
      Key: 'inputs/t1.tar.gz',
      Body: buildTar([
        { path: 'package.json', type: 'File', body: '{"name":"x"}' },
        { path: 'src/a.ts', type: 'File', body: 'export const a = 1;\n' },
      ]),
    }),
  );
  await aws.s3.send(
    new PutObjectCommand({ Bucket: 'inputs-bucket', Key: 'inputs/evil.tar.gz', Body: buildTar([{ path: '../x', type: 'File', body: 'x' }]) }),
  );
});

afterAll(async () => {
  await aws.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function dest(): string {
  return path.join(tmp, `ws-${++n}`);
}

describe('materialiseSource', () => {
  it('streams an S3 tarball into the folder', async () => {
    const d = dest();
    const res = await materialiseSource({ s3: { bucket: 'inputs-bucket', key: 'inputs/t1.tar.gz' } }, d, { s3: aws.s3 });
    expect(res).toEqual({ description: 's3://inputs-bucket/inputs/t1.tar.gz', files: 2, bytes: 12 + 20 });
    expect(fs.readFileSync(path.join(d, 'src/a.ts'), 'utf8')).toBe('export const a = 1;\n');
  });

  it('leaves an empty folder when the task has no source', async () => {
    const d = dest();
    expect(await materialiseSource(undefined, d, {})).toEqual({ description: 'empty workspace', files: 0, bytes: 0 });
    expect(fs.readdirSync(d)).toEqual([]);
  });

  it('fails without retry for a missing object, and refuses an unsafe archive', async () => {
    const missing = await sourceError(materialiseSource({ s3: { bucket: 'inputs-bucket', key: 'inputs/none.tar.gz' } }, dest(), { s3: aws.s3 }));
    const evil = await sourceError(materialiseSource({ s3: { bucket: 'inputs-bucket', key: 'inputs/evil.tar.gz' } }, dest(), { s3: aws.s3 }));
    expect([missing, evil].map((e) => [e instanceof SourceError, e.code, e.retryable])).toEqual([
      [true, 'source_not_found', false],
      [true, 'unsafe_archive', false],
    ]);
  });

  it('applies the configured limits', async () => {
    const err = await sourceError(materialiseSource({ s3: { bucket: 'inputs-bucket', key: 'inputs/t1.tar.gz' } }, dest(), {
      s3: aws.s3,
      limits: { maxBytes: 16 },
    }));
    expect(err.code).toBe('archive_too_large');
  });

  it('refuses a local source', async () => {
    const err = await sourceError(materialiseSource({ local: { path: '/tmp' } }, dest(), {}));
    expect(err.code).toBe('unsupported_source');
  });
});
