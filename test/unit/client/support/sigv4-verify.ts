import { createHash, createHmac } from 'node:crypto';

export interface VerifyInput {
  method: string;
  /** Path and query as received (`/tasks/x/events?after=3`). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** Secret keys by access key id. */
  secrets: Record<string, string>;
  service: string;
  region: string;
}

/**
 * Checks a SigV4 `Authorization` header the way AWS does for a bodiless request (independently of
 * the SDK's signer): returns undefined when valid, else why not.
 */
export function verifySigV4(input: VerifyInput): string | undefined {
  const header = (name: string) => {
    const v = input.headers[name.toLowerCase()];
    return Array.isArray(v) ? v.join(',') : v;
  };
  const auth = header('authorization');
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(auth ?? '');
  if (!m) return 'missing or malformed Authorization';
  const [, akid, day, region, service, signedHeaders, signature] = m;
  const secret = input.secrets[akid];
  if (!secret) return `unknown access key ${akid}`;
  if (region !== input.region || service !== input.service) return `wrong scope ${region}/${service}`;
  const amzDate = header('x-amz-date');
  if (!amzDate || !amzDate.startsWith(day)) return 'missing or inconsistent X-Amz-Date';
  const names = signedHeaders.split(';');
  if (!names.includes('host')) return 'host is not signed';
  const u = new URL(input.url, 'http://placeholder');
  const query = [...u.searchParams.entries()]
    .map(([k, v]) => [enc(k), enc(v)])
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalHeaders = names.map((n) => `${n}:${(header(n) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const payloadHash = header('x-amz-content-sha256') ?? sha256hex('');
  const path = u.pathname.split('/').map((s) => enc(decodeURIComponent(s))).join('/');
  // Services other than S3 escape the already escaped path once more.
  const canonicalPath = path.split('/').map((s) => enc(s)).join('/');
  const canonical = [input.method, canonicalPath, query, canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256hex(canonical)].join('\n');
  let key: Buffer = hmac(`AWS4${secret}`, day);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  const expected = createHmac('sha256', key).update(toSign).digest('hex');
  return expected === signature ? undefined : 'signature does not match';
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function sha256hex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function enc(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
