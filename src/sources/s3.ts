import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SourceError } from './errors.ts';
import { extractTarball, type ExtractLimits, type ExtractStats } from './extract.ts';

/**
 * Streams `s3://bucket/key` (a gzip tar archive, entries relative to the workspace root) into
 * `dest`. A missing object or denied access fails the task; throttling, 5xx and network faults are
 * retryable.
 */
export async function fetchS3Source(
  client: S3Client,
  loc: { bucket: string; key: string },
  dest: string,
  opts: Partial<ExtractLimits> & { signal?: AbortSignal } = {},
): Promise<ExtractStats> {
  let body: AsyncIterable<Uint8Array>;
  try {
    const res = await client.send(new GetObjectCommand({ Bucket: loc.bucket, Key: loc.key }), { abortSignal: opts.signal });
    if (!res.Body) throw new SourceError('invalid_archive', `s3://${loc.bucket}/${loc.key} has no body`);
    body = res.Body as AsyncIterable<Uint8Array>;
  } catch (err) {
    throw classifyS3Error(err, `s3://${loc.bucket}/${loc.key}`);
  }
  return extractTarball(body, dest, opts);
}

function classifyS3Error(err: unknown, where: string): SourceError {
  if (err instanceof SourceError) return err;
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const message = `cannot read ${where}: ${e.name ?? 'Error'}: ${e.message ?? String(err)}`;
  if (e.name === 'NoSuchKey' || e.name === 'NoSuchBucket' || status === 404) {
    return new SourceError('source_not_found', message, { cause: err, statusCode: 404 });
  }
  if (e.name === 'AccessDenied' || status === 403) {
    return new SourceError('source_not_found', message, { cause: err, statusCode: 403 });
  }
  return new SourceError('source_unavailable', message, {
    cause: err,
    retryable: true,
    ...(status === undefined ? {} : { statusCode: status }),
  });
}
