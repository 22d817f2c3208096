import type { Writable } from 'node:stream';

/** The metadata Lambda sends before a streamed function-URL response body. */
export type HttpResponsePrelude = {
  statusCode?: number;
  headers?: Record<string, string>;
  cookies?: string[];
};

/** The response stream Lambda hands a streaming handler (a Writable with a content type). */
export type ResponseStream = Writable & { setContentType?(contentType: string): void };

/** `awslambda.HttpResponseStream.from`: wraps the stream so the prelude precedes the body. */
export type HttpResponseStreamFrom = (stream: ResponseStream, prelude: HttpResponsePrelude) => ResponseStream;

/** The part of a Lambda function-URL event (payload 2.0) the progress function reads. */
export interface FunctionUrlRequest {
  rawPath?: string;
  rawQueryString?: string;
  headers?: Record<string, string | undefined> | null;
  queryStringParameters?: Record<string, string | undefined> | null;
  requestContext?: { http?: { method?: string; path?: string } };
}
