import { describe, expect, it } from 'vitest';
import { isNotFound, isTransient, s3Failure } from '../../../src/store/s3-errors.ts';

const answered = (name: string, status: number) => Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });

describe('S3 error classification', () => {
  it('treats no answer, throttling, 5xx and transient codes as worth retrying, and refusals as not', () => {
    const cases: [unknown, boolean][] = [
      [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), true],
      [answered('InternalError', 500), true],
      [answered('SlowDown', 503), true],
      [answered('TooManyRequests', 429), true],
      [answered('RequestTimeout', 400), true],
      [answered('AccessDenied', 403), false],
      [answered('NoSuchBucket', 404), false],
      [answered('InvalidArgument', 400), false],
    ];
    expect(cases.map(([err]) => isTransient(err))).toEqual(cases.map(([, want]) => want));
  });

  it('recognises a missing object in its GetObject and HeadObject forms, not a missing bucket', () => {
    const errors = [answered('NoSuchKey', 404), answered('NotFound', 404), answered('NoSuchBucket', 404), answered('AccessDenied', 403)];
    expect(errors.map(isNotFound)).toEqual([true, true, false, false]);
  });

  it('wraps a failure in a StoreError saying what failed, with the cause and retryability', () => {
    const cause = answered('AccessDenied', 403);
    const err = s3Failure('write s3://b/k', cause);
    expect([err.name, err.message, err.cause, err.retryable]).toEqual(['StoreError', 'cannot write s3://b/k: AccessDenied happened', cause, false]);
  });
});
