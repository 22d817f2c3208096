/**
 * The Node.js Lambda runtime's `awslambda` global, declared (never defined: the runtime provides
 * it; `agent-runner invoke`/`dev` and the tests install a local implementation).
 */
import type { Context } from 'aws-lambda';
import type { HttpResponsePrelude, ResponseStream } from '../../src/progress/index.ts';

export type StreamingHandler<E> = (event: E, responseStream: ResponseStream, context: Context) => Promise<void>;

declare global {
  // eslint-disable-next-line no-var
  var awslambda: {
    streamifyResponse<E>(handler: StreamingHandler<E>, options?: unknown): StreamingHandler<E>;
    HttpResponseStream: { from(stream: ResponseStream, prelude: HttpResponsePrelude): ResponseStream };
  };
}

export {};
