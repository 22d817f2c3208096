import { StoreError } from './errors.ts';

// S3 error codes worth another attempt even though some come with a 4xx status.
const TRANSIENT_CODES = new Set([
  'SlowDown',
  'RequestTimeout',
  'InternalError',
  'ServiceUnavailable',
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TimeoutError',
]);

/** The HTTP status of an SDK error, when the service answered at all. */
export function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

/**
 * True for S3's "no such object" in its forms (GetObject's NoSuchKey, HeadObject's bare 404); a
 * missing bucket is a configuration fault, not a missing artifact.
 */
export function isNotFound(err: unknown): boolean {
  const name = (err as { name?: string })?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || (statusOf(err) === 404 && name !== 'NoSuchBucket');
}

/**
 * True when trying again may succeed: no answer at all (network, timeout), throttling, 5xx, or a
 * code S3 documents as transient. Access, validation and missing-bucket errors are not.
 */
export function isTransient(err: unknown): boolean {
  const status = statusOf(err);
  if (status === undefined || status === 429 || status >= 500) return true;
  return TRANSIENT_CODES.has((err as { name?: string })?.name ?? '');
}

/** A StoreError for a failed S3 call, `what` saying which (`write s3://b/k`), retryable when transient. */
export function s3Failure(what: string, err: unknown): StoreError {
  return new StoreError(`cannot ${what}: ${(err as Error)?.message ?? String(err)}`, { cause: err, retryable: isTransient(err) });
}
