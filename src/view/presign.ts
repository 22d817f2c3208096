import { Sha256 } from '@aws-crypto/sha256-js';
// The SDK's S3 signer (what client-s3 signs with), so the bundle leaves it to the runtime's SDK.
import { SignatureV4MultiRegion } from '@aws-sdk/signature-v4-multi-region';
import type { AwsCredentialIdentity } from '@smithy/types';

export interface PresignSettings {
  region: string;
  /** The signer's credentials (the function's role; fresh per call). */
  credentials: () => Promise<AwsCredentialIdentity>;
  /** An S3 endpoint override (`AWS_ENDPOINT_URL_S3`: a local emulator), addressed path-style. */
  endpoint?: string;
  clock: () => number;
}

export interface PresignOptions {
  expiresInSeconds: number;
  /** `response-content-disposition`, `response-content-type` and the like. */
  query?: Record<string, string>;
}

const encodeSegment = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The object's URL: virtual-hosted on AWS (path-style for dotted bucket names), path-style on an override. */
export function objectUrl(settings: Pick<PresignSettings, 'region' | 'endpoint'>, bucket: string, key: string): URL {
  const path = key.split('/').map(encodeSegment).join('/');
  if (settings.endpoint) {
    const base = new URL(settings.endpoint);
    const prefix = base.pathname.replace(/\/$/, '');
    return new URL(`${base.origin}${prefix}/${encodeSegment(bucket)}/${path}`);
  }
  const suffix = settings.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return bucket.includes('.') ? new URL(`https://s3.${settings.region}.${suffix}/${bucket}/${path}`) : new URL(`https://${bucket}.s3.${settings.region}.${suffix}/${path}`);
}

/**
 * A presigned S3 GET URL for `bucket/key`, valid `expiresInSeconds` from the clock's now, signed
 * as the SDK's presigner does (SigV4 in the query, unsigned payload); whoever holds it may read
 * that one object until it expires, with the signer's permissions.
 */
export async function presignGetObject(settings: PresignSettings, bucket: string, key: string, opts: PresignOptions): Promise<string> {
  const url = objectUrl(settings, bucket, key);
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
  const out = new URL(url.toString());
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(signed.query ?? {})) for (const item of [v].flat()) if (item !== null && item !== undefined) params.append(k, String(item));
  out.search = params.toString().replace(/\+/g, '%20');
  return out.toString();
}
