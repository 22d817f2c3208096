/**
 * An HTTP proxy in front of an S3 emulator (fauxqs) that adds what the emulator lacks: PutObject's
 * conditional writes, as S3 does them. `agent-runner dev` runs behind it, so that a task's lease,
 * the webhook's delivery log and the publisher's marker hold locally as they do on AWS (a message
 * delivered twice runs its task once); the tests use the very same proxy.
 */
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the proxy saw it (path-style: `/<bucket>/<key>`). */
export interface S3ProxyRequest {
  method: string;
  bucket: string;
  /** The object key, decoded; '' for bucket-level requests (listings, DeleteObjects). */
  key: string;
  /** The query string without '?', as sent ('' when none). */
  query: string;
  /** Bytes of the request body as sent (aws-chunked framing included when the SDK uses it). */
  bytes: number;
}

/** An S3 error the proxy answers itself. */
export interface S3ErrorAnswer {
  status: number;
  code: string;
  message: string;
}

export interface S3ConditionalProxyOptions {
  /** The emulator's endpoint (`http://127.0.0.1:<port>`). */
  target: string;
  /** Loopback by default; port 0 (ephemeral) by default. */
  host?: string;
  port?: number;
  /** Answers a request with an error instead of passing it on when it returns one (tests inject faults). */
  intercept?: (req: S3ProxyRequest) => S3ErrorAnswer | undefined;
  /** Told of every answer: its status, and whether the proxy answered itself (an intercept, a failed condition). */
  onAnswer?: (req: S3ProxyRequest, status: number, answeredBy?: 'fault' | 'condition') => void;
}

export interface S3ConditionalProxy {
  /** `http://127.0.0.1:<port>`: the value for AWS_ENDPOINT_URL_S3 (path-style requests). */
  url: string;
  close(): Promise<void>;
}

const PRECONDITION_MESSAGE = 'At least one of the pre-conditions you specified did not hold';

/**
 * Starts the proxy. A PUT with `If-None-Match: *` fails with 412 PreconditionFailed when the key
 * exists; one with `If-Match` fails with 412 when the object's current ETag differs and with 404
 * NoSuchKey when there is no object. Writes to one key (PUT, DELETE) pass through one at a time,
 * the condition checked with a HEAD just before the write, so a check and its write are atomic as
 * they are in S3. Path-style addressing only.
 */
export async function startS3ConditionalProxy(opts: S3ConditionalProxyOptions): Promise<S3ConditionalProxy> {
  const { target } = opts;
  const upstream = new Agent({ keepAlive: true });
  const queues = new Map<string, Promise<void>>();

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, req.method ?? 'GET', { status: 502, code: 'ProxyError', message: (err as Error).message });
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
    const seen: S3ProxyRequest = { method, bucket, key: decodeURIComponent(rest.join('/')), query: url.search.slice(1), bytes: body.length };

    const fault = opts.intercept?.(seen);
    if (fault) {
      sendError(res, method, fault, seen.key);
      opts.onAnswer?.(seen, fault.status, 'fault');
      return;
    }
    const forward = async (): Promise<void> => {
      const status = await pipeUpstream(target, upstream, req, body, res);
      opts.onAnswer?.(seen, status);
    };
    if (!seen.key || (method !== 'PUT' && method !== 'DELETE')) return forward();

    await serialised(queues, `${bucket}/${seen.key}`, async () => {
      const failed = await checkCondition(target, upstream, req.headers, url.pathname);
      if (!failed) return forward();
      sendError(res, method, failed, seen.key, failed.condition);
      opts.onAnswer?.(seen, failed.status, 'condition');
    });
  }

  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, host, resolve));
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      upstream.destroy();
    },
  };
}

interface FailedCondition extends S3ErrorAnswer {
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
function sendError(res: ServerResponse, method: string, error: S3ErrorAnswer, key?: string, condition?: string): void {
  const requestId = `PROXY${String(++requestIds).padStart(11, '0')}`;
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${xmlEscape(error.code)}</Code><Message>${xmlEscape(error.message)}</Message>` +
    (condition ? `<Condition>${condition}</Condition>` : '') +
    (key && error.code === 'NoSuchKey' ? `<Key>${xmlEscape(key)}</Key>` : '') +
    `<RequestId>${requestId}</RequestId><HostId>s3-proxy</HostId></Error>`;
  res.writeHead(error.status, { 'content-type': 'application/xml', 'x-amz-request-id': requestId, 'content-length': method === 'HEAD' ? 0 : Buffer.byteLength(xml) });
  res.end(method === 'HEAD' ? undefined : xml);
}
