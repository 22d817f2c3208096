import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context, LambdaFunctionURLEvent } from 'aws-lambda';
import type { Log } from '../observability/logger.ts';
import { invokeHandler, type InvokeResult } from './lambda-runtime.ts';
import { LocalResponseStream } from './response-stream.ts';
import { verifySigV4 } from './sigv4.ts';

/** Credentials a local function URL with `AuthType: AWS_IAM` accepts signatures of. */
export interface IamAuth {
  region: string;
  credentials: readonly { accessKeyId: string; secretAccessKey: string; sessionToken?: string }[];
}

export interface FunctionUrlServerOptions {
  /** The function, run in this process (tests of a handler)... */
  handler?: unknown;
  /** A fresh context per request (its deadline starts now). */
  context?: () => Context;
  /** ...or run elsewhere (under the RIC, in a container): writes the response into `stream`, rejects when the function failed. */
  invoke?: (event: LambdaFunctionURLEvent, stream: LocalResponseStream) => Promise<InvokeResult>;
  clock: () => number;
  log: Log;
  port?: number;
  host?: string;
  /**
   * `AuthType: AWS_IAM`: every request must carry a valid SigV4 signature (service `lambda`, the
   * body's hash, X-Amz-Date within 15 minutes) by one of these credentials; any other gets the
   * same 403 before the handler runs, whatever it asks for.
   */
  iamAuth?: IamAuth;
}

export interface FunctionUrlServer {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves a function on a local port as a function URL does: each HTTP request becomes a payload
 * 2.0 event; a streaming handler's prelude sets the status and headers and its body is forwarded
 * as it is written; a client that goes away destroys the stream the handler writes to.
 */
export async function startFunctionUrlServer(opts: FunctionUrlServerOptions): Promise<FunctionUrlServer> {
  const host = opts.host ?? '127.0.0.1';
  const server = http.createServer((req, res) => {
    void serve(req, res, opts);
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function serve(req: http.IncomingMessage, res: http.ServerResponse, opts: FunctionUrlServerOptions): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks);
  if (opts.iamAuth) {
    const why = signatureProblem(req, body, opts.iamAuth, opts.clock());
    if (why) {
      opts.log.debug('request refused: not signed by an accepted credential', { reason: why });
      res.writeHead(403, { 'content-type': 'application/json' }).end('{"Message":"Forbidden"}');
      return;
    }
  }
  const event = toFunctionUrlEvent(req, body, opts.clock());
  const stream = new LocalResponseStream();
  stream.on('prelude', (prelude: { statusCode?: number; headers?: Record<string, string> } | undefined) => {
    if (!prelude) return;
    res.writeHead(prelude.statusCode ?? 200, prelude.headers ?? {});
    res.flushHeaders();
  });
  stream.on('body', (chunk: Buffer) => res.write(chunk));
  res.on('close', () => {
    if (!stream.writableFinished) stream.destroy();
  });
  try {
    const out = opts.invoke ? await opts.invoke(event, stream) : await invokeHandler(opts.handler, event, opts.context!(), stream);
    if (!out.streaming) {
      writeBuffered(res, out.result);
    } else if (!out.prelude && !res.headersSent) {
      // What a handler that never wrote would get from a real function URL is not a response.
      res.writeHead(502, { 'content-type': 'application/json' }).end('{"Message":"the handler ended its response stream without writing"}');
      return;
    }
    res.end();
  } catch (err) {
    opts.log.error('function failed', { error: (err as Error)?.message });
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
    res.end();
  }
}

/** Why the request is not signed as IAM auth requires, or undefined when it is. */
function signatureProblem(req: http.IncomingMessage, body: Buffer, auth: IamAuth, now: number): string | undefined {
  const secrets: Record<string, string> = {};
  const sessionTokens: Record<string, string> = {};
  for (const c of auth.credentials) {
    secrets[c.accessKeyId] = c.secretAccessKey;
    if (c.sessionToken) sessionTokens[c.accessKeyId] = c.sessionToken;
  }
  return verifySigV4({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, secrets, sessionTokens, service: 'lambda', region: auth.region, body, now });
}

/** A buffered (non-streaming) function-URL result: a string body, or {statusCode, headers, body}. */
function writeBuffered(res: http.ServerResponse, result: unknown): void {
  if (typeof result === 'string' || result === undefined || result === null) {
    res.writeHead(200, { 'content-type': 'application/json' }).write(result ?? '');
    return;
  }
  const r = result as { statusCode?: number; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean };
  if (r.statusCode === undefined) {
    res.writeHead(200, { 'content-type': 'application/json' }).write(JSON.stringify(result));
    return;
  }
  res.writeHead(r.statusCode, r.headers ?? {});
  if (r.body) res.write(r.isBase64Encoded ? Buffer.from(r.body, 'base64') : r.body);
}

/** The payload-2.0 event a function URL would pass for this request. */
export function toFunctionUrlEvent(req: http.IncomingMessage, body: Buffer, now: number): LambdaFunctionURLEvent {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const text = body.toString('utf8');
  const binary = body.length > 0 && !Buffer.from(text, 'utf8').equals(body);
  const domain = headers.host ?? 'localhost';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'local',
      domainName: domain,
      domainPrefix: domain.split('.')[0],
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
    },
    ...(body.length > 0 ? { body: binary ? body.toString('base64') : text } : {}),
    isBase64Encoded: binary,
  } as LambdaFunctionURLEvent;
}
