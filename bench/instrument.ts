/**
 * Timing hooks for the loop benchmark: how long the fake Bedrock's handler spends on each
 * request (it runs in this process, so its time would otherwise count as the runner's), and how
 * long the SDK takes to turn a command into a signed HTTP request (serialisation, endpoint,
 * SigV4 payload hash), which grows with the transcript.
 */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { FakeBedrock } from '../test/support/fake-bedrock.ts';

export interface Span {
  start: number;
  end: number;
}

type Handle = (req: unknown, res: unknown, protocol: unknown) => Promise<void>;

/**
 * Wraps the fake's request handler (a private method, replaced on this instance only: its
 * servers call `this.handle`) and records, per request in arrival order, the span from the
 * request's arrival to the end of the response. Requests are sequential in the loop, so index i
 * is model call i.
 */
export function timeFakeHandler(fake: FakeBedrock): Span[] {
  const target = fake as unknown as { handle?: Handle };
  const original = target.handle;
  if (typeof original !== 'function') throw new Error('bench: FakeBedrock has no handle() method any more; update bench/instrument.ts');
  const spans: Span[] = [];
  target.handle = async (req, res, protocol) => {
    const span = { start: performance.now(), end: NaN };
    spans.push(span);
    try {
      await original.call(fake, req, res, protocol);
    } finally {
      span.end = performance.now();
    }
  };
  return spans;
}

/**
 * Records, per SDK call, the span from the start of the serialize step to the moment the signed
 * request goes to the HTTP handler, plus the request body's size.
 */
export function timeSdkRequests(client: BedrockRuntimeClient): (Span & { bodyBytes: number })[] {
  const spans: (Span & { bodyBytes: number })[] = [];
  let current: (Span & { bodyBytes: number }) | undefined;
  client.middlewareStack.add(
    (next) => async (args) => {
      current = { start: performance.now(), end: NaN, bodyBytes: 0 };
      spans.push(current);
      return next(args);
    },
    { step: 'serialize', priority: 'high', name: 'benchSerializeStart' },
  );
  client.middlewareStack.add(
    (next) => async (args) => {
      if (current && Number.isNaN(current.end)) {
        current.end = performance.now();
        const body = (args.request as { body?: unknown }).body;
        current.bodyBytes = typeof body === 'string' ? Buffer.byteLength(body) : body instanceof Uint8Array ? body.byteLength : 0;
      }
      return next(args);
    },
    { step: 'deserialize', priority: 'low', name: 'benchSendStart' },
  );
  return spans;
}
