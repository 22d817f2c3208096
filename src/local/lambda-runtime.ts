import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { HttpResponsePrelude, ResponseStream } from '../progress/types.ts';
import { HTTP_INTEGRATION_CONTENT_TYPE, LocalResponseStream } from './response-stream.ts';

// The marker the Node.js runtime interface client puts on streaming handlers.
const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const STREAM_RESPONSE = 'response';

type StreamingHandler = ((event: unknown, stream: ResponseStream, context: Context) => Promise<unknown>) & { [HANDLER_STREAMING]?: string };

/** The `awslambda` global of the Node.js runtime: what streaming handlers use. */
export interface AwsLambdaGlobal {
  streamifyResponse(handler: StreamingHandler, options?: unknown): StreamingHandler;
  HttpResponseStream: { from(stream: ResponseStream, prelude: HttpResponsePrelude): ResponseStream };
}

/** A local implementation of the runtime's `awslambda` global (same wire behaviour). */
export function createAwsLambdaGlobal(): AwsLambdaGlobal {
  return {
    streamifyResponse(handler) {
      handler[HANDLER_STREAMING] = STREAM_RESPONSE;
      return handler;
    },
    HttpResponseStream: {
      from(stream, prelude) {
        stream.setContentType?.(HTTP_INTEGRATION_CONTENT_TYPE);
        const json = JSON.stringify(prelude);
        (stream as LocalResponseStream)._onBeforeFirstWrite = (write) => {
          write(json);
          write(new Uint8Array(8));
        };
        return stream;
      },
    },
  };
}

/**
 * Installs the local `awslambda` functions unless the runtime's are there. Libraries may have
 * created the global already (Powertools keeps its InvokeStore on it): the functions are added to
 * that object. Returns a function undoing what was added.
 */
export function installAwsLambdaGlobal(): () => void {
  const g = globalThis as { awslambda?: Partial<AwsLambdaGlobal> & Record<string, unknown> };
  if (typeof g.awslambda?.streamifyResponse === 'function') return () => undefined;
  const created = g.awslambda === undefined;
  const target = (g.awslambda ??= {});
  Object.assign(target, createAwsLambdaGlobal());
  return () => {
    if (created) delete g.awslambda;
    else {
      delete target.streamifyResponse;
      delete target.HttpResponseStream;
    }
  };
}

/** Whether a handler was wrapped by `awslambda.streamifyResponse`. */
export function isStreamingHandler(handler: unknown): boolean {
  return typeof handler === 'function' && (handler as StreamingHandler)[HANDLER_STREAMING] === STREAM_RESPONSE;
}

export interface ContextOptions {
  functionName: string;
  timeoutMs: number;
  memoryMb?: number;
  region?: string;
  clock: () => number;
}

/** A Lambda-like context: request id, names and a deadline for getRemainingTimeInMillis. */
export function createLambdaContext(opts: ContextOptions): Context {
  const deadline = opts.clock() + opts.timeoutMs;
  const region = opts.region ?? 'us-east-1';
  const requestId = randomUUID();
  const fail = () => {
    throw new Error('callback-style completion is not supported; return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: opts.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${opts.functionName}`,
    memoryLimitInMB: String(opts.memoryMb ?? 2048),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${opts.functionName}`,
    logStreamName: `local/[$LATEST]${requestId.replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - opts.clock()),
    done: fail,
    fail,
    succeed: fail,
  };
}

export type InvokeResult =
  | { streaming: false; result: unknown }
  | { streaming: true; prelude: HttpResponsePrelude | undefined; wroteBeforeEnd: boolean; body: Buffer };

/**
 * Invokes a handler as the Node.js runtime would: a streaming handler gets a LocalResponseStream
 * (pass `stream` to watch it live, e.g. to forward it over HTTP), others get (event, context).
 */
export async function invokeHandler(handler: unknown, event: unknown, context: Context, stream = new LocalResponseStream()): Promise<InvokeResult> {
  if (typeof handler !== 'function') throw new TypeError('the module does not export a handler function');
  if (isStreamingHandler(handler)) {
    const finished = new Promise<void>((resolve) => {
      stream.once('finish', () => resolve());
      stream.once('close', () => resolve());
    });
    await (handler as StreamingHandler)(event, stream, context);
    // The runtime ends the stream for a handler that returned without ending it.
    if (!stream.writableEnded) stream.end();
    await finished;
    return { streaming: true, prelude: stream.prelude, wroteBeforeEnd: stream.wroteBeforeEnd, body: stream.body };
  }
  return { streaming: false, result: await (handler as (e: unknown, c: Context) => Promise<unknown>)(event, context) };
}
