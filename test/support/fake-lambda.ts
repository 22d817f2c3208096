/**
 * A local AWS Lambda Invoke API for tests: `POST /2015-03-31/functions/{name}/invocations` on
 * 127.0.0.1 (ephemeral port), running the registered handler in-process with the JSON payload and
 * answering as Lambda does (a thrown error is a 200 with `X-Amz-Function-Error: Unhandled` and
 * `{errorType, errorMessage}`; an unknown function a 404 ResourceNotFoundException). Requests
 * must carry a SigV4 signature (service `lambda`) valid for the body as received, under one of
 * `credentials`. Point callers at it with AWS_ENDPOINT_URL_LAMBDA or an explicit endpoint.
 *
 *   const lambda = await startFakeLambda({ functions: { SourceToken: handler }, credentials: FAKE_CREDENTIALS });
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

export interface RecordedInvoke {
  functionName: string;
  invocationType: string | undefined;
  payload: unknown;
  /** What the function answered (or the error message it threw). */
  response: unknown;
}

export interface FakeLambdaOptions {
  functions: Record<string, (event: unknown) => Promise<unknown>>;
  credentials: { accessKeyId: string; secretAccessKey: string };
  region?: string;
}

export interface FakeLambda {
  url: string;
  invokes: RecordedInvoke[];
  /** Answers the next `times` requests with `status` (e.g. 429 TooManyRequestsException). */
  fail(status: number, type: string, times?: number): void;
  server: Server;
  close(): Promise<void>;
}

const ROUTE = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export async function startFakeLambda(options: FakeLambdaOptions): Promise<FakeLambda> {
  const region = options.region ?? 'us-east-1';
  const invokes: RecordedInvoke[] = [];
  const failures: { status: number; type: string; times: number }[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const error = (status: number, type: string, message: string) =>
      res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazonaws.awslambda/` }).end(JSON.stringify({ Type: 'User', message }));
    const route = ROUTE.exec(req.url ?? '');
    if (req.method !== 'POST' || !route) return error(404, 'UnknownOperationException', `no route ${req.method} ${req.url}`);
    const why = await signatureProblem(req.method, req.url!, req.headers, body, options.credentials, region);
    if (why) return error(403, 'InvalidSignatureException', why);
    const failure = failures.find((f) => f.times > 0);
    if (failure) {
      failure.times--;
      return error(failure.status, failure.type, 'injected failure');
    }
    const functionName = decodeURIComponent(route[1]);
    const fn = options.functions[functionName];
    if (!fn) return error(404, 'ResourceNotFoundException', `Function not found: ${functionName}`);
    const payload = body.length ? JSON.parse(body.toString('utf8')) : {};
    const record: RecordedInvoke = { functionName, invocationType: req.headers['x-amz-invocation-type'] as string | undefined, payload, response: undefined };
    invokes.push(record);
    try {
      record.response = await fn(payload);
      res.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' }).end(JSON.stringify(record.response ?? null));
    } catch (err) {
      const e = err as Error;
      record.response = e.message;
      res.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' }).end(JSON.stringify({ errorType: e.name, errorMessage: e.message, trace: [] }));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    invokes,
    fail: (status, type, times = 1) => void failures.push({ status, type, times }),
    server,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Signs the request as received again with the SDK's signer and compares; undefined when it matches. */
async function signatureProblem(method: string, url: string, headers: IncomingHttpHeaders, body: Buffer, creds: FakeLambdaOptions['credentials'], region: string): Promise<string | undefined> {
  const auth = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=[0-9a-f]{64}$/.exec(String(headers.authorization ?? ''));
  if (!auth) return 'missing or malformed Authorization';
  const [, akid, scopeRegion, service, signedHeaders] = auth;
  if (akid !== creds.accessKeyId || scopeRegion !== region || service !== 'lambda') return `wrong credential scope ${akid}/${scopeRegion}/${service}`;
  const amzDate = String(headers['x-amz-date'] ?? '');
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!m) return 'missing X-Amz-Date';
  const signingDate = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  const [host, port] = String(headers.host).split(':');
  const signed = Object.fromEntries(signedHeaders.split(';').map((h) => [h, String(headers[h] ?? '')]));
  const signer = new SignatureV4({ service: 'lambda', region, credentials: creds, sha256: Sha256 });
  const again = await signer.sign({ method, protocol: 'http:', hostname: host, ...(port ? { port: Number(port) } : {}), path: url, headers: signed, body }, { signingDate });
  return again.headers.authorization === headers.authorization ? undefined : 'the signature does not match the request';
}
