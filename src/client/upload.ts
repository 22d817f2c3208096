import fs from 'node:fs';
import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ClientConfigError, ClientError } from './errors.ts';
import { firstLine } from './aws.ts';

export interface UploadOptions {
  s3: S3Client;
  bucket: string;
  key: string;
  file: string;
  /** Part size (at least 5 MiB; grown so a file needs at most 10,000 parts). */
  partSize?: number;
  /** Parts in flight at once (default 4). */
  queueSize?: number;
  onProgress?: (loaded: number, total: number) => void;
  signal?: AbortSignal;
}

export interface UploadResult {
  bytes: number;
  /** True when the object went up as a multipart upload. */
  multipart: boolean;
}

const MIN_PART = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;

/**
 * Uploads a file to `s3://bucket/key` with lib-storage's Upload: one PutObject for a small file,
 * a multipart upload with parallel parts for a large one (parts are aborted on failure).
 * A missing bucket or a refusal is a ClientConfigError (exit 2), anything else a ClientError.
 */
export async function uploadFile(opts: UploadOptions): Promise<UploadResult> {
  const size = fs.statSync(opts.file).size;
  const partSize = Math.max(opts.partSize ?? 8 * 1024 * 1024, MIN_PART, Math.ceil(size / MAX_PARTS));
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const upload = new Upload({
    client: opts.s3,
    params: { Bucket: opts.bucket, Key: opts.key, Body: fs.createReadStream(opts.file), ContentType: 'application/gzip', ContentLength: size },
    partSize,
    queueSize: opts.queueSize ?? 4,
    leavePartsOnError: false,
    abortController: controller,
  });
  upload.on('httpUploadProgress', (p) => opts.onProgress?.(p.loaded ?? 0, p.total ?? size));
  try {
    await upload.done();
  } catch (err) {
    throw uploadError(opts.bucket, opts.key, err);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  opts.onProgress?.(size, size);
  return { bytes: size, multipart: size > partSize };
}

/** Removes an uploaded input whose task could not be sent; failures are ignored. */
export async function deleteQuietly(s3: S3Client, bucket: string, key: string): Promise<void> {
  try {
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  } catch {
    // best effort: a lifecycle rule on inputs/ cleans up what is left
  }
}

function uploadError(bucket: string, key: string, err: unknown): Error {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const msg = firstLine(e?.message ?? String(err));
  if (e?.name === 'NoSuchBucket') {
    return new ClientConfigError(`bucket ${bucket} does not exist: check --bucket or --stack`, { cause: err });
  }
  if (e?.name === 'AccessDenied' || e?.$metadata?.httpStatusCode === 403) {
    return new ClientConfigError(`not allowed to upload to s3://${bucket}/${key} (${msg}): the caller needs s3:PutObject on inputs/`, { cause: err });
  }
  if (e?.name === 'CredentialsProviderError') {
    return new ClientConfigError(`no AWS credentials found (${msg})`, { cause: err });
  }
  return new ClientError(`cannot upload to s3://${bucket}/${key}: ${msg}`, { cause: err });
}
