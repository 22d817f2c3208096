import { afterEach, describe, expect, it } from 'vitest';
import { createAwsLambdaGlobal, createLambdaContext, startFunctionUrlServer, type FunctionUrlServer } from '../../../src/local/index.ts';
import { silentLog } from '../../../src/observability/index.ts';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

const awslambda = createAwsLambdaGlobal();
let server: FunctionUrlServer | undefined;
afterEach(async () => server?.close());

const CREDS = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };

async function serve(handler: unknown, iam = false): Promise<FunctionUrlServer> {
  server = await startFunctionUrlServer({
    handler,
    context: () => createLambdaContext({ functionName: 'F', timeoutMs: 10_000, clock: Date.now }),
    clock: Date.now,
    log: silentLog,
    ...(iam ? { iamAuth: { region: 'us-east-1', credentials: [CREDS] } } : {}),
  });
  return server;
}

/** A request signed as the SDK signs one for a function URL (service lambda). */
async function signedRequest(url: string, method: string, body: string, creds = CREDS): Promise<RequestInit> {
  const u = new URL(url);
  const signer = new SignatureV4({ service: 'lambda', region: 'us-east-1', credentials: creds, sha256: Sha256 });
  const signed = await signer.sign({ method, protocol: u.protocol, hostname: u.hostname, port: Number(u.port), path: u.pathname, headers: { host: u.host }, body });
  const { host: _host, ...headers } = signed.headers;
  return { method, body, headers };
}

describe('startFunctionUrlServer', () => {
  it('passes a payload 2.0 event and streams the body as it is written', async () => {
    let seen: any;
    // The handler writes its second part only once the client has read the first: streamed, not buffered.
    let firstRead: () => void = () => undefined;
    const gate = new Promise<void>((r) => (firstRead = r));
    const s = await serve(
      awslambda.streamifyResponse(async (event, stream) => {
        seen = event;
        const out = awslambda.HttpResponseStream.from(stream, { statusCode: 202, headers: { 'content-type': 'text/plain' } });
        out.write('first ');
        await gate;
        out.write('second');
        out.end();
      }),
    );
    const res = await fetch(`${s.url}tasks/a/events?after=3&x=1&x=2`, { headers: { 'Last-Event-ID': '5' } });
    expect([res.status, res.headers.get('content-type')]).toEqual([202, 'text/plain']);
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toBe('first ');
    firstRead();
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value);
    expect(rest).toBe('second');
    expect(seen).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/tasks/a/events',
      rawQueryString: 'after=3&x=1&x=2',
      queryStringParameters: { after: '3', x: '1,2' },
      headers: { 'last-event-id': '5' },
      requestContext: { http: { method: 'GET', path: '/tasks/a/events' } },
      isBase64Encoded: false,
    });
  });

  it('answers 502 when a streaming handler ends without writing', async () => {
    const s = await serve(
      awslambda.streamifyResponse(async (_e, stream) => {
        awslambda.HttpResponseStream.from(stream, { statusCode: 404 }).end();
      }),
    );
    const res = await fetch(`${s.url}x`);
    expect([res.status, await res.json()]).toEqual([502, { Message: 'the handler ended its response stream without writing' }]);
  });

  it('serves buffered handlers and, with IAM auth, only requests signed by an accepted credential for what they carry', async () => {
    const s = await serve(async (event: { body?: string }) => ({ statusCode: 200, headers: { 'content-type': 'text/plain' }, body: `got ${event.body}` }), true);
    const unsigned = await fetch(`${s.url}`, { method: 'POST', body: 'x' });
    const forged = await fetch(`${s.url}`, { method: 'POST', body: 'x', headers: { authorization: `AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}` } });
    const otherKey = await fetch(`${s.url}`, await signedRequest(s.url, 'POST', 'x', { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'guessed' }));
    const swapped = await fetch(`${s.url}`, { ...(await signedRequest(s.url, 'POST', 'x')), body: 'y' });
    const signed = await fetch(`${s.url}`, await signedRequest(s.url, 'POST', 'x'));
    expect([unsigned.status, forged.status, otherKey.status, swapped.status, signed.status, await signed.text()]).toEqual([403, 403, 403, 403, 200, 'got x']);
  });

  it('destroys the response stream when the client goes away', async () => {
    let closed!: () => void;
    const gone = new Promise<void>((r) => (closed = r));
    const s = await serve(
      awslambda.streamifyResponse(async (_e, stream) => {
        const out = awslambda.HttpResponseStream.from(stream, { statusCode: 200 });
        out.write('hi');
        out.on('close', () => closed());
        await gone;
      }),
    );
    const ctrl = new AbortController();
    const res = await fetch(`${s.url}`, { signal: ctrl.signal });
    await res.body!.getReader().read();
    ctrl.abort();
    await gone;
  });
});
