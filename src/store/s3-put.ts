import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { isNotFound, statusOf } from './s3-errors.ts';

export interface ConditionalPut {
  bucket: string;
  key: string;
  body: string;
  contentType: string;
  /** `If-None-Match: *` (create only) or `If-Match` on an ETag (replace only that version). */
  condition: { IfNoneMatch: '*' } | { IfMatch: string };
}

/**
 * A PutObject under an S3 condition. Resolves the new ETag ('' if S3 sent none), or undefined when
 * the condition did not hold (412), a concurrent conditional write was in flight (409
 * ConditionalRequestConflict: the caller reads again and decides), or If-Match named an object
 * that does not exist (404). Any other failure rejects with the SDK's error.
 */
export async function conditionalPut(client: S3Client, put: ConditionalPut): Promise<string | undefined> {
  try {
    const res = await client.send(
      // The length given, an empty body is not taken for a stream of unknown length (an SDK warning).
      new PutObjectCommand({ Bucket: put.bucket, Key: put.key, Body: put.body, ContentLength: Buffer.byteLength(put.body), ContentType: put.contentType, ...put.condition }),
    );
    return res.ETag ?? '';
  } catch (err) {
    const status = statusOf(err);
    if (status === 412 || status === 409 || ('IfMatch' in put.condition && isNotFound(err))) return undefined;
    throw err;
  }
}
