import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalResponseStream } from './response-stream.ts';

const PREFIX = '/2018-06-01/runtime';
const ERROR_TYPE_HEADER = 'lambda-runtime-function-error-type';
const ERROR_BODY_TRAILER = 'lambda-runtime-function-error-body';

/** What a function reports when it fails (the Runtime API's error document). */
export interface FunctionError {
  errorType: string;
  errorMessage: string;
  stackTrace?: string[];
}

/** How an invocation ended. */
export type InvocationOutcome =
  | { kind: 'response'; streaming: false; payload: unknown }
  | { kind: 'response'; streaming: true; contentType: string; error?: FunctionError }
  | { kind: 'error'; error: FunctionError; phase: 'init' | 'invoke' };

export interface InvokeOptions {
  /** The invocation's deadline, milliseconds since the epoch. */
  deadlineMs: number;
  /** Receives a streamed response (prelude, then body chunks) as the function writes it. */
  stream?: LocalResponseStream;
  traceId?: string;
}

export interface RuntimeApiOptions {
  /** The ARN given to the function (`context.invokedFunctionArn`). */
  functionArn: string;
  host?: string;
  port?: number;
  clock: () => number;
}

/** A Lambda Runtime API for one execution environment: one invocation at a time, in order. */
export interface RuntimeApi {
  /** `host:port`: the value of AWS_LAMBDA_RUNTIME_API. */
  address: string;
  /** Queues an invocation; resolves when the function answered (or failed). */
  invoke(event: unknown, opts: InvokeOptions): { requestId: string; outcome: Promise<InvocationOutcome> };
  /** Fails the pending invocations (the runtime exited or timed out): they resolve with `error`. */
  abandon(error: FunctionError): void;
  /** Set once the runtime reported an initialisation error. */
  readonly initError: FunctionError | undefined;
  /** Resolves when the runtime first asks for an invocation: its handler is loaded (init done). */
  ready: Promise<void>;
  close(): Promise<void>;
}

interface Pending {
  requestId: string;
  event: unknown;
  opts: InvokeOptions;
  resolve(outcome: InvocationOutcome): void;
  sent: boolean;
}

/**
 * Serves the Lambda Runtime API (version 2018-06-01) on loopback, as Lambda does for the runtime
 * of an execution environment: `GET invocation/next` (long poll) hands out queued events with the
 * request id, deadline, function ARN and trace headers; `POST invocation/{id}/response` takes a
 * buffered JSON result or, with `Lambda-Runtime-Function-Response-Mode: streaming`, a chunked
 * stream whose trailers may carry a mid-stream error; `POST invocation/{id}/error` and
 * `POST init/error` take the function's error document.
 */
export async function startRuntimeApi(opts: RuntimeApiOptions): Promise<RuntimeApi> {
  const queue: Pending[] = [];
  const byId = new Map<string, Pending>();
  let waiting: http.ServerResponse | undefined;
  let initError: FunctionError | undefined;
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const settle = (p: Pending, outcome: InvocationOutcome) => {
    byId.delete(p.requestId);
    const at = queue.indexOf(p);
    if (at >= 0) queue.splice(at, 1);
    p.resolve(outcome);
  };
  const handOut = () => {
    const next = queue.find((p) => !p.sent);
    if (!next || !waiting || waiting.writableEnded) return;
    const res = waiting;
    waiting = undefined;
    next.sent = true;
    const body = JSON.stringify(next.event ?? null);
    res.writeHead(200, {
      'content-type': 'application/json',
      'lambda-runtime-aws-request-id': next.requestId,
      'lambda-runtime-deadline-ms': String(next.opts.deadlineMs),
      'lambda-runtime-invoked-function-arn': opts.functionArn,
      'lambda-runtime-trace-id': next.opts.traceId ?? `Root=1-${Math.floor(opts.clock() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)};Sampled=0`,
    });
    res.end(body);
  };

  const server = http.createServer((req, res) => {
    void route(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errorMessage: (err as Error)?.message ?? String(err), errorType: 'LocalRuntimeApiError' }));
    });
  });
  // The long poll has no deadline, as in Lambda.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.keepAliveTimeout = 0;

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://runtime');
    const path = url.pathname;
    if (req.method === 'GET' && path === `${PREFIX}/invocation/next`) {
      if (waiting && !waiting.writableEnded) waiting.writeHead(409).end();
      waiting = res;
      markReady();
      res.on('close', () => {
        if (waiting === res) waiting = undefined;
      });
      handOut();
      return;
    }
    if (req.method === 'POST' && path === `${PREFIX}/init/error`) {
      const error = parseError(await readBody(req), req.headers[ERROR_TYPE_HEADER]);
      initError = error;
      accepted(res);
      for (const p of [...queue]) settle(p, { kind: 'error', error, phase: 'init' });
      return;
    }
    const m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(path);
    if (req.method !== 'POST' || !m) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ errorMessage: `unknown path ${req.method} ${path}`, errorType: 'InvalidRequest' }));
      return;
    }
    const pending = byId.get(decodeURIComponent(m[1]));
    if (!pending || !pending.sent) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ errorMessage: 'unknown or finished request id', errorType: 'InvalidRequestID' }));
      req.resume();
      return;
    }
    if (m[2] === 'error') {
      const error = parseError(await readBody(req), req.headers[ERROR_TYPE_HEADER]);
      accepted(res);
      settle(pending, { kind: 'error', error, phase: 'invoke' });
      return;
    }
    if (String(req.headers['lambda-runtime-function-response-mode'] ?? '').toLowerCase() === 'streaming') {
      const contentType = String(req.headers['content-type'] ?? 'application/octet-stream');
      const stream = pending.opts.stream ?? new LocalResponseStream();
      stream.setContentType(contentType);
      for await (const chunk of req) stream.write(chunk as Buffer);
      const trailerBody = req.trailers[ERROR_BODY_TRAILER];
      const error = req.trailers[ERROR_TYPE_HEADER] !== undefined ? streamError(req.trailers[ERROR_TYPE_HEADER], trailerBody) : undefined;
      await new Promise<void>((resolve) => stream.end(resolve));
      accepted(res);
      settle(pending, { kind: 'response', streaming: true, contentType, ...(error ? { error } : {}) });
      return;
    }
    const text = (await readBody(req)).toString('utf8');
    accepted(res);
    settle(pending, { kind: 'response', streaming: false, payload: parsePayload(text) });
  }

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const { address, port } = server.address() as AddressInfo;
  return {
    address: `${address.includes(':') ? `[${address}]` : address}:${port}`,
    invoke(event, invokeOpts) {
      const requestId = randomUUID();
      let resolve!: (o: InvocationOutcome) => void;
      const outcome = new Promise<InvocationOutcome>((r) => (resolve = r));
      const pending: Pending = { requestId, event, opts: invokeOpts, resolve, sent: false };
      if (initError) {
        resolve({ kind: 'error', error: initError, phase: 'init' });
        return { requestId, outcome };
      }
      queue.push(pending);
      byId.set(requestId, pending);
      handOut();
      return { requestId, outcome };
    },
    abandon(error) {
      for (const p of [...queue]) settle(p, { kind: 'error', error, phase: 'invoke' });
    },
    get initError() {
      return initError;
    },
    ready,
    close: () =>
      new Promise<void>((resolve) => {
        waiting?.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function accepted(res: http.ServerResponse): void {
  res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"OK"}');
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function parsePayload(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function parseError(body: Buffer, typeHeader: string | string[] | undefined): FunctionError {
  const doc = parsePayload(body.toString('utf8')) as Partial<FunctionError> | string | null;
  const fromDoc = typeof doc === 'object' && doc !== null ? doc : {};
  return {
    errorType: fromDoc.errorType ?? (typeof typeHeader === 'string' ? typeHeader : 'Unknown'),
    errorMessage: fromDoc.errorMessage ?? (typeof doc === 'string' ? doc : ''),
    ...(Array.isArray(fromDoc.stackTrace) ? { stackTrace: fromDoc.stackTrace } : {}),
  };
}

function streamError(type: string | undefined, body: string | undefined): FunctionError {
  if (body) {
    try {
      return parseError(Buffer.from(body, 'base64'), type);
    } catch {
      // fall through: the type alone
    }
  }
  return { errorType: type ?? 'Unknown', errorMessage: '' };
}
