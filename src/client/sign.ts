import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import type { AwsCredentialIdentity } from '@smithy/types';

/** Signs a GET request: returns the headers to send (the given ones plus the signature). */
export type RequestSigner = (url: URL, headers: Record<string, string>) => Promise<Record<string, string>>;

export interface SignerOptions {
  /** Used when the URL is not a `*.lambda-url.<region>.on.aws` function URL. */
  region: string;
  credentials: () => Promise<AwsCredentialIdentity>;
  /** Default `lambda` (function URLs with `AuthType: AWS_IAM`). */
  service?: string;
  /** Fixed signing time (tests). */
  signingDate?: () => Date;
}

/**
 * A SigV4 signer for GET requests to a function URL, with the caller's credentials (fresh for
 * every request, so long watches survive credential rotation). The region comes from the
 * function URL's host when it names one.
 */
export function createSigV4Signer(opts: SignerOptions): RequestSigner {
  const signers = new Map<string, SignatureV4>();
  const signerFor = (region: string) => {
    let s = signers.get(region);
    if (!s) {
      s = new SignatureV4({ service: opts.service ?? 'lambda', region, credentials: opts.credentials, sha256: Sha256 });
      signers.set(region, s);
    }
    return s;
  };
  return async (url, headers) => {
    const region = regionOfFunctionUrl(url) ?? opts.region;
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of url.searchParams) {
      const prev = query[k];
      query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    const signed = await signerFor(region).sign(
      {
        method: 'GET',
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname,
        query,
        headers: { ...lower(headers), host: url.host },
      },
      opts.signingDate ? { signingDate: opts.signingDate() } : undefined,
    );
    // fetch sets Host itself; sending it too is refused by some clients.
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(signed.headers)) if (k !== 'host') out[k] = v;
    return out;
  };
}

/** `us-east-1` for `https://abc.lambda-url.us-east-1.on.aws/`, else undefined. */
export function regionOfFunctionUrl(url: URL): string | undefined {
  return /\.lambda-url\.([a-z0-9-]+)\.on\.aws$/.exec(url.hostname)?.[1];
}

function lower(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}
