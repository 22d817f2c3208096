import { Sha256 } from '@aws-crypto/sha256-js';
// The SDK's S3 signer (what client-s3 signs with), so the bundle leaves it to the runtime's SDK.
import { SignatureV4MultiRegion } from '@aws-sdk/signature-v4-multi-region';
import type { AwsCredentialIdentity } from '@smithy/types';

export interface PresignSettings {
  region: string;
  /** The signer's credentials (the function's role; fresh per call). */
  credentials: () => Promise<AwsCredentialIdentity>;
  /**
   * The bucket's endpoint as the S3 client resolves it (its endpoint rules: virtual-hosted on
   * AWS, path-style for dotted names or an `AWS_ENDPOINT_URL_S3` override), path ending at the bucket.
   */
  bucketEndpoint: (bucket: string) => URL;
  clock: () => number;
}

export interface PresignOptions {
  expiresInSeconds: number;
  /** `response-content-disposition`, `response-content-type` and the like. */
  query?: Record<string, string>;
}

const encodeSegment = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The object's URL: the bucket's endpoint with the key's segments encoded once. */
export function objectUrl(bucketEndpoint: URL, key: string): URL {
  const url = new URL(bucketEndpoint.toString());
  url.pathname = `${url.pathname.replace(/\/$/, '')}/${key.split('/').map(encodeSegment).join('/')}`;
  return url;
}

/**
 * A presigned S3 GET URL for `bucket/key`, valid `expiresInSeconds` from the clock's now, signed
 * as the SDK's presigner does (SigV4 in the query, unsigned payload); whoever holds it may read
 * that one object until it expires, with the signer's permissions.
 */
export async function presignGetObject(settings: PresignSettings, bucket: string, key: string, opts: PresignOptions): Promise<string> {
  const url = objectUrl(settings.bucketEndpoint(bucket), key);
  const signer = new SignatureV4MultiRegion({ service: 's3', region: settings.region, credentials: settings.credentials, sha256: Sha256, uriEscapePath: false, applyChecksum: false });
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: { ...(opts.query ?? {}) },
      headers: { host: url.host, 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' },
    },
    { expiresIn: opts.expiresInSeconds, signingDate: new Date(settings.clock()) },
  );
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(signed.query ?? {})) for (const item of [v].flat()) if (item !== null && item !== undefined) params.append(k, String(item));
  url.search = params.toString().replace(/\+/g, '%20');
  return url.toString();
}
