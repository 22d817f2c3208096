import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FAKE_CREDENTIALS, REGION } from './fauxqs.ts';

/** One request the proxy answered. */
export interface ProxiedRequest {
  method: string;
  bucket: string;
  /** The object key, decoded; '' for bucket-level requests (listings, DeleteObjects). */
  key: string;
  /** The query string without '?', as sent ('' when none). */
  query: string;
  status: number;
  /** Bytes of the request body as sent (aws-chunked framing included when the SDK uses it). */
  bytes: number;
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

const PRECONDITION_MESSAGE = 'At least one of the pre-conditions you specified did not hold';

/**
 * An HTTP proxy in front of an S3 emulator (fauxqs) that adds what the emulator lacks: PutObject's
 * conditional writes, as S3 does them. A PUT with `If-None-Match: *` fails with 412
 * PreconditionFailed when the key exists; one with `If-Match` fails with 412 when the object's
 * current ETag differs and with 404 NoSuchKey when there is no object. Writes to one key (PUT,
 * DELETE) pass through the proxy one at a time, the condition checked with a HEAD just before
 * the write, so a check and its write are atomic as they are in S3. Fault rules answer S3-shaped
 * XML errors; every request is recorded. Path-style addressing only (`/<bucket>/<key>`).
 */
export async function startS3Proxy(target: string): Promise<S3Proxy> {
  const upstream = new Agent({ keepAlive: true });
  const requests: ProxiedRequest[] = [];
  let rules: (FaultRule & { left: number })[] = [];
  const queues = new Map<string, Promise<void>>();

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, req.method ?? 'GET', 502, 'ProxyError', (err as Error).message);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://proxy');
    const [bucket = '', ...rest] = url.pathname.slice(1).split('/');
    const key = decodeURIComponent(rest.join('/'));
    const query = url.search.slice(1);
    const record = (status: number, answeredBy?: ProxiedRequest['answeredBy']): void =>
      void requests.push({ method, bucket, key, query, status, bytes: body.length, ...(answeredBy ? { answeredBy } : {}) });

    const rule = rules.find((r) => (r.method === undefined || r.method === method) && (r.keyPattern === undefined || r.keyPattern.test(key)));
    if (rule) {
      if (--rule.left <= 0) rules = rules.filter((r) => r !== rule);
      sendError(res, method, rule.status, rule.code, rule.message ?? `injected ${rule.code}`, key);
      record(rule.status, 'fault');
      return;
    }
    const forward = async (): Promise<void> => record(await pipeUpstream(target, upstream, req, body, res));
    if (!key || (method !== 'PUT' && method !== 'DELETE')) return forward();

    await serialised(queues, `${bucket}/${key}`, async () => {
      const failed = await checkCondition(target, upstream, req.headers, url.pathname);
      if (!failed) return forward();
      sendError(res, method, failed.status, failed.code, failed.message, key, failed.condition);
      record(failed.status, 'condition');
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    fail(rule) {
      rules.push({ ...rule, left: rule.times ?? 1 });
    },
    reset() {
      requests.length = 0;
      rules = [];
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      upstream.destroy();
    },
  };
}

/** An S3 client of its own (path-style, fake keys) sending to `endpoint`, e.g. a proxy's url. */
export function s3ClientFor(endpoint: string, config: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({ region: REGION, endpoint, forcePathStyle: true, credentials: FAKE_CREDENTIALS, ...config });
}

interface FailedCondition {
  status: number;
  code: string;
  message: string;
  condition?: string;
}

/** The failure S3 would answer for the request's If-None-Match / If-Match, or undefined when it may go on. */
async function checkCondition(target: string, agent: Agent, headers: IncomingHttpHeaders, path: string): Promise<FailedCondition | undefined> {
  const ifNoneMatch = headers['if-none-match'];
  const ifMatch = headers['if-match'];
  if (ifNoneMatch === undefined && ifMatch === undefined) return undefined;
  const current = await headEtag(target, agent, path);
  if (ifNoneMatch !== undefined && current !== undefined) {
    return { status: 412, code: 'PreconditionFailed', message: PRECONDITION_MESSAGE, condition: 'If-None-Match' };
  }
  if (ifMatch !== undefined) {
    if (current === undefined) return { status: 404, code: 'NoSuchKey', message: 'The specified key does not exist.' };
    if (unquote(ifMatch) !== unquote(current)) return { status: 412, code: 'PreconditionFailed', message: PRECONDITION_MESSAGE, condition: 'If-Match' };
  }
  return undefined;
}

async function headEtag(target: string, agent: Agent, path: string): Promise<string | undefined> {
  const res = await send(target, agent, { method: 'HEAD', path, headers: {} }, Buffer.alloc(0));
  res.resume();
  if (res.statusCode === 404) return undefined;
  if (res.statusCode !== 200) throw new Error(`HEAD ${path} answered ${res.statusCode}`);
  return String(res.headers.etag);
}

/** Passes the request on and its answer back; resolves the status once the answer is sent. */
async function pipeUpstream(target: string, agent: Agent, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<number> {
  const up = await send(target, agent, { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers }, body);
  res.writeHead(up.statusCode ?? 502, up.headers);
  up.pipe(res);
  await new Promise<void>((resolve, reject) => {
    res.once('finish', resolve);
    res.once('close', resolve);
    up.once('error', reject);
  });
  return up.statusCode ?? 502;
}

function send(target: string, agent: Agent, opts: { method: string; path: string; headers: IncomingHttpHeaders }, body: Buffer): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    // The client's 100-continue handshake was with the proxy; the body goes upstream whole.
    const { expect: _expect, ...headers } = opts.headers;
    const up = httpRequest(new URL(opts.path, target), { method: opts.method, headers, agent }, resolve);
    up.once('error', reject);
    up.end(body);
  });
}

/** Runs `fn` after every earlier call for the same `id` has finished. */
async function serialised(queues: Map<string, Promise<void>>, id: string, fn: () => Promise<void>): Promise<void> {
  const before = queues.get(id) ?? Promise.resolve();
  const mine = before.then(fn, fn);
  const tail = mine.catch(() => undefined);
  queues.set(id, tail);
  try {
    await mine;
  } finally {
    if (queues.get(id) === tail) queues.delete(id);
  }
}

function unquote(etag: string): string {
  return etag.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

let requestIds = 0;

/** An S3 error answer: XML `<Error>` (no body for HEAD, as S3 does), with a request id. */
function sendError(res: ServerResponse, method: string, status: number, code: string, message: string, key?: string, condition?: string): void {
  const requestId = `PROXY${String(++requestIds).padStart(11, '0')}`;
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message>` +
    (condition ? `<Condition>${condition}</Condition>` : '') +
    (key && code === 'NoSuchKey' ? `<Key>${xmlEscape(key)}</Key>` : '') +
    `<RequestId>${requestId}</RequestId><HostId>s3-proxy</HostId></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'x-amz-request-id': requestId, 'content-length': method === 'HEAD' ? 0 : Buffer.byteLength(xml) });
  res.end(method === 'HEAD' ? undefined : xml);
}
