/**
 * The conditional-write proxy `agent-runner dev` runs in front of fauxqs (src/local/s3-proxy.ts),
 * with what tests add on top: every request recorded, and fault rules answering S3-shaped errors.
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { startS3ConditionalProxy, type S3ProxyRequest } from '../../src/local/index.ts';
import { FAKE_CREDENTIALS, REGION } from './fauxqs.ts';

/** One request the proxy answered. */
export interface ProxiedRequest extends S3ProxyRequest {
  status: number;
  /** The error code when the proxy answered itself: an injected fault or a failed precondition. */
  answeredBy?: 'fault' | 'condition';
}

/** Answers matching requests with an S3 error instead of passing them on. */
export interface FaultRule {
  method?: string;
  /** Tested against the decoded object key. */
  keyPattern?: RegExp;
  status: number;
  code: string;
  message?: string;
  /** How many matching requests fail (default 1). */
  times?: number;
}

export interface S3Proxy {
  /** `http://127.0.0.1:<port>`: the value for AWS_ENDPOINT_URL_S3 (path-style requests). */
  url: string;
  requests: ProxiedRequest[];
  /** Adds a fault rule; rules are looked at in the order added, a used-up rule is dropped. */
  fail(rule: FaultRule): void;
  /** Forgets the recorded requests and the fault rules left. */
  reset(): void;
  close(): Promise<void>;
}

/** Starts the product's proxy in front of `target`, recording requests and answering fault rules. */
export async function startS3Proxy(target: string): Promise<S3Proxy> {
  const requests: ProxiedRequest[] = [];
  let rules: (FaultRule & { left: number })[] = [];
  const proxy = await startS3ConditionalProxy({
    target,
    intercept(req) {
      const rule = rules.find((r) => (r.method === undefined || r.method === req.method) && (r.keyPattern === undefined || r.keyPattern.test(req.key)));
      if (!rule) return undefined;
      if (--rule.left <= 0) rules = rules.filter((r) => r !== rule);
      return { status: rule.status, code: rule.code, message: rule.message ?? `injected ${rule.code}` };
    },
    onAnswer: (req, status, answeredBy) => void requests.push({ ...req, status, ...(answeredBy ? { answeredBy } : {}) }),
  });
  return {
    url: proxy.url,
    requests,
    fail(rule) {
      rules.push({ ...rule, left: rule.times ?? 1 });
    },
    reset() {
      requests.length = 0;
      rules = [];
    },
    close: () => proxy.close(),
  };
}

/** An S3 client of its own (path-style, fake keys) sending to `endpoint`, e.g. a proxy's url. */
export function s3ClientFor(endpoint: string, config: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({ region: REGION, endpoint, forcePathStyle: true, credentials: FAKE_CREDENTIALS, ...config });
}
