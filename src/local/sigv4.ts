/**
 * SigV4 verification as AWS does it for a function URL with `AuthType: AWS_IAM`, written
 * independently of the SDK's signer (so a test of the signer is not the signer checking itself).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface VerifyInput {
  method: string;
  /** Path and query as received (`/tasks/x/events?after=3`). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** Secret keys by access key id. */
  secrets: Record<string, string>;
  /** For temporary credentials: the session token each access key id must come with. */
  sessionTokens?: Record<string, string>;
  service: string;
  region: string;
  /** The body as received: its SHA-256 is what the signature covers (empty when absent). */
  body?: Buffer;
  /** When given (ms since the epoch), X-Amz-Date must be within 15 minutes of it, as AWS requires. */
  now?: number;
}

const MAX_SKEW_MS = 15 * 60 * 1000;

/**
 * Checks a SigV4 `Authorization` header the way AWS does: known access key (and its session
 * token), scope, signed `host`, date, the body's hash, the signature. Returns undefined when
 * valid, else why not (for logs; callers answer the same 403 whatever the reason).
 */
export function verifySigV4(input: VerifyInput): string | undefined {
  const header = (name: string) => {
    const v = input.headers[name.toLowerCase()];
    return Array.isArray(v) ? v.join(',') : v;
  };
  const auth = header('authorization');
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth ?? '');
  if (!m) return 'missing or malformed Authorization';
  const [, akid, day, region, service, signedHeaders, signature] = m;
  const secret = Object.hasOwn(input.secrets, akid) ? input.secrets[akid] : undefined;
  if (!secret) return `unknown access key ${akid}`;
  const token = input.sessionTokens && Object.hasOwn(input.sessionTokens, akid) ? input.sessionTokens[akid] : undefined;
  if (token !== undefined && header('x-amz-security-token') !== token) return 'missing or wrong session token';
  if (region !== input.region || service !== input.service) return `wrong scope ${region}/${service}`;
  const amzDate = header('x-amz-date');
  if (!amzDate || !amzDate.startsWith(day)) return 'missing or inconsistent X-Amz-Date';
  if (input.now !== undefined) {
    const d = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
    const at = d ? Date.UTC(+d[1], +d[2] - 1, +d[3], +d[4], +d[5], +d[6]) : NaN;
    if (!(Math.abs(at - input.now) <= MAX_SKEW_MS)) return 'signature expired or not yet valid';
  }
  const names = signedHeaders.split(';');
  if (!names.includes('host')) return 'host is not signed';
  const bodyHash = sha256hex(input.body ?? Buffer.alloc(0));
  const claimed = header('x-amz-content-sha256');
  if (claimed !== undefined && claimed !== 'UNSIGNED-PAYLOAD' && claimed !== bodyHash) return 'the body does not match X-Amz-Content-Sha256';
  const u = new URL(input.url, 'http://placeholder');
  const query = [...u.searchParams.entries()]
    .map(([k, v]) => [enc(k), enc(v)])
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalHeaders = names.map((n) => `${n}:${(header(n) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const path = u.pathname.split('/').map((s) => enc(decodeURIComponent(s))).join('/');
  // Services other than S3 escape the already escaped path once more.
  const canonicalPath = path.split('/').map((s) => enc(s)).join('/');
  const canonical = [input.method, canonicalPath, query, canonicalHeaders, signedHeaders, claimed ?? bodyHash].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256hex(canonical)].join('\n');
  let key: Buffer = hmac(`AWS4${secret}`, day);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  const expected = createHmac('sha256', key).update(toSign).digest();
  return timingSafeEqual(expected, Buffer.from(signature, 'hex')) ? undefined : 'signature does not match';
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function sha256hex(s: string | Buffer): string {
  return createHash('sha256').update(s).digest('hex');
}

function enc(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
