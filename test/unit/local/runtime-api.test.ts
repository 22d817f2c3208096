import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalResponseStream } from '../../../src/local/response-stream.ts';
import { startRuntimeApi, type RuntimeApi } from '../../../src/local/runtime-api.ts';

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:Fn';
let api: RuntimeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request to the Runtime API as a runtime makes it; `trailers` sends the body chunked with them. */
function call(method: string, path: string, body?: string | string[], headers: Record<string, string> = {}, trailers?: Record<string, string>): Promise<Reply> {
  const [host, port] = api!.address.split(':');
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port: Number(port), method, path, headers: { ...headers, ...(trailers ? { 'transfer-encoding': 'chunked', trailer: Object.keys(trailers).join(', ') } : {}) } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    for (const chunk of [body ?? []].flat()) req.write(chunk);
    if (trailers) req.addTrailers(trailers);
    req.end();
  });
}

describe('the local Lambda Runtime API', () => {
  it('hands out the next event with the request id, deadline, ARN and trace headers, and takes a buffered response', async () => {
    api = await startRuntimeApi({ functionArn: ARN, clock: () => 1_767_225_600_000 });
    const { requestId, outcome } = api.invoke({ hello: 'world' }, { deadlineMs: 1_767_225_660_000 });
    const next = await call('GET', '/2018-06-01/runtime/invocation/next');
    expect([next.status, JSON.parse(next.body)]).toEqual([200, { hello: 'world' }]);
    expect(next.headers).toMatchObject({
      'lambda-runtime-aws-request-id': requestId,
      'lambda-runtime-deadline-ms': '1767225660000',
      'lambda-runtime-invoked-function-arn': ARN,
      'lambda-runtime-trace-id': expect.stringMatching(/^Root=1-6955b900-[0-9a-f]{24};Sampled=0$/),
    });
    const posted = await call('POST', `/2018-06-01/runtime/invocation/${requestId}/response`, '{"batchItemFailures":[]}');
    expect(posted.status).toBe(202);
    expect(await outcome).toEqual({ kind: 'response', streaming: false, payload: { batchItemFailures: [] } });
  });

  it('long-polls: a runtime asking before there is work gets the event when it comes', async () => {
    api = await startRuntimeApi({ functionArn: ARN, clock: Date.now });
    const next = call('GET', '/2018-06-01/runtime/invocation/next');
    await api.ready;
    const { requestId } = api.invoke('late', { deadlineMs: Date.now() + 1000 });
    expect((await next).headers['lambda-runtime-aws-request-id']).toBe(requestId);
  });

  it('takes a streamed response: prelude and body into the stream, a mid-stream error from the trailers', async () => {
    api = await startRuntimeApi({ functionArn: ARN, clock: Date.now });
    const stream = new LocalResponseStream();
    const seen: unknown[] = [];
    stream.on('prelude', (p) => seen.push(['prelude', p]));
    stream.on('body', (c: Buffer) => seen.push(['body', c.toString()]));
    const { requestId, outcome } = api.invoke({}, { deadlineMs: Date.now() + 1000, stream });
    await call('GET', '/2018-06-01/runtime/invocation/next');
    const prelude = JSON.stringify({ statusCode: 404, headers: { 'content-type': 'application/json' } });
    const error = { errorType: 'Error', errorMessage: 'S3 went away' };
    await call(
      'POST',
      `/2018-06-01/runtime/invocation/${requestId}/response`,
      [prelude, '\0\0\0\0\0\0\0\0', '{"message":', '"gone"}'],
      { 'lambda-runtime-function-response-mode': 'streaming', 'content-type': 'application/vnd.awslambda.http-integration-response' },
      { 'Lambda-Runtime-Function-Error-Type': 'Error', 'Lambda-Runtime-Function-Error-Body': Buffer.from(JSON.stringify(error)).toString('base64') },
    );
    expect(await outcome).toEqual({ kind: 'response', streaming: true, contentType: 'application/vnd.awslambda.http-integration-response', error });
    expect(seen[0]).toEqual(['prelude', { statusCode: 404, headers: { 'content-type': 'application/json' } }]);
    expect(seen.slice(1).map((s) => (s as string[])[1]).join('')).toBe('{"message":"gone"}');
  });

  it('takes an invocation error and an init error; after an init error every invocation fails with it', async () => {
    api = await startRuntimeApi({ functionArn: ARN, clock: Date.now });
    const first = api.invoke({}, { deadlineMs: Date.now() + 1000 });
    await call('GET', '/2018-06-01/runtime/invocation/next');
    const err = { errorType: 'TypeError', errorMessage: 'x is not a function', stackTrace: ['at handler'] };
    await call('POST', `/2018-06-01/runtime/invocation/${first.requestId}/error`, JSON.stringify(err), { 'lambda-runtime-function-error-type': 'TypeError' });
    expect(await first.outcome).toEqual({ kind: 'error', phase: 'invoke', error: err });

    const pending = api.invoke({}, { deadlineMs: Date.now() + 1000 });
    const init = { errorType: 'Runtime.ImportModuleError', errorMessage: "Cannot find module 'index'" };
    expect((await call('POST', '/2018-06-01/runtime/init/error', JSON.stringify(init))).status).toBe(202);
    expect(await pending.outcome).toEqual({ kind: 'error', phase: 'init', error: init });
    expect(await api.invoke({}, { deadlineMs: Date.now() + 1000 }).outcome).toEqual({ kind: 'error', phase: 'init', error: init });
  });

  it('answers 400 for an unknown request id and 404 for an unknown path', async () => {
    api = await startRuntimeApi({ functionArn: ARN, clock: Date.now });
    expect((await call('POST', '/2018-06-01/runtime/invocation/nope/response', '{}')).status).toBe(400);
    expect((await call('GET', '/2018-06-01/runtime/invocation/something')).status).toBe(404);
  });

  it('fails the pending invocations when the runtime goes away', async () => {
    api = await startRuntimeApi({ functionArn: ARN, clock: Date.now });
    const { outcome } = api.invoke({}, { deadlineMs: Date.now() + 1000 });
    api.abandon({ errorType: 'Runtime.ExitError', errorMessage: 'the runtime exited' });
    expect(await outcome).toEqual({ kind: 'error', phase: 'invoke', error: { errorType: 'Runtime.ExitError', errorMessage: 'the runtime exited' } });
  });
});
