export { handleProgressRequest, serveTaskEvents } from './serve.ts';
export type { ProgressDeps } from './serve.ts';
export { header, query, resumeAfter, routeRequest } from './route.ts';
export type { ProgressRoute } from './route.ts';
export { sseEvent, sseComment, sseRetry } from './sse.ts';
export type { FunctionUrlRequest, HttpResponsePrelude, HttpResponseStreamFrom, ResponseStream } from './types.ts';
