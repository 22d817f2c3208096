import { describe, expect, it } from 'vitest';
import { createAwsLambdaGlobal, createLambdaContext, installAwsLambdaGlobal, invokeHandler, isStreamingHandler, LocalResponseStream } from '../../../src/local/index.ts';

const g = globalThis as { awslambda?: any };

describe('the local awslambda global', () => {
  it('marks streaming handlers and sends the prelude on the first write only', async () => {
    const awslambda = createAwsLambdaGlobal();
    const handler = awslambda.streamifyResponse(async (_event, stream) => {
      const s = awslambda.HttpResponseStream.from(stream, { statusCode: 201, headers: { 'x-a': '1' } });
      s.write('hello ');
      s.write('world');
      s.end();
    });
    expect(isStreamingHandler(handler)).toBe(true);
    const stream = new LocalResponseStream();
    const seen: unknown[] = [];
    stream.on('prelude', (p) => seen.push(p));
    const out = await invokeHandler(handler, {}, createLambdaContext({ functionName: 'F', timeoutMs: 1000, clock: Date.now }), stream);
    expect(out).toEqual({ streaming: true, prelude: { statusCode: 201, headers: { 'x-a': '1' } }, wroteBeforeEnd: true, body: Buffer.from('hello world') });
    expect(stream.contentType).toBe('application/vnd.awslambda.http-integration-response');
    expect(seen).toEqual([{ statusCode: 201, headers: { 'x-a': '1' } }]);
  });

  it('sends no prelude when the handler ends without writing (what the contract forbids)', async () => {
    const awslambda = createAwsLambdaGlobal();
    const handler = awslambda.streamifyResponse(async (_event, stream) => {
      awslambda.HttpResponseStream.from(stream, { statusCode: 404 }).end();
    });
    const out = await invokeHandler(handler, {}, createLambdaContext({ functionName: 'F', timeoutMs: 1000, clock: Date.now }));
    expect(out).toEqual({ streaming: true, prelude: undefined, wroteBeforeEnd: false, body: Buffer.alloc(0) });
  });

  it('passes a plain stream through as the body', async () => {
    const awslambda = createAwsLambdaGlobal();
    const handler = awslambda.streamifyResponse(async (_event, stream) => {
      stream.write('raw');
      stream.end();
    });
    const out = await invokeHandler(handler, {}, createLambdaContext({ functionName: 'F', timeoutMs: 1000, clock: Date.now }));
    expect(out).toEqual({ streaming: true, prelude: undefined, wroteBeforeEnd: true, body: Buffer.from('raw') });
  });

  it('invokes a buffered handler with (event, context)', async () => {
    const handler = async (event: { n: number }, context: { functionName: string; getRemainingTimeInMillis(): number }) => ({
      n: event.n + 1,
      fn: context.functionName,
      left: context.getRemainingTimeInMillis(),
    });
    let now = 1000;
    const ctx = createLambdaContext({ functionName: 'Worker', timeoutMs: 900_000, clock: () => now });
    now += 250;
    expect(await invokeHandler(handler, { n: 1 }, ctx)).toEqual({ streaming: false, result: { n: 2, fn: 'Worker', left: 899_750 } });
    expect(ctx.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('adds its functions to a global a library created, and removes only them', () => {
    const before = g.awslambda;
    g.awslambda = { InvokeStore: 'kept' };
    try {
      const undo = installAwsLambdaGlobal();
      expect([typeof g.awslambda.streamifyResponse, g.awslambda.InvokeStore]).toEqual(['function', 'kept']);
      undo();
      expect(g.awslambda).toEqual({ InvokeStore: 'kept' });
    } finally {
      g.awslambda = before;
    }
  });
});
