import { TASK_ID_PATTERN } from '../task/ids.ts';
import type { FunctionUrlRequest } from './types.ts';

export type ProgressRoute =
  | { kind: 'events'; taskId: string; after: number }
  | { kind: 'error'; statusCode: 400 | 404 | 405; message: string };

const EVENTS_PATH = /^\/tasks\/([^/]+)\/events\/?$/;
const MAX_SEQ = 1_000_000_000;

/**
 * Maps a function-URL request to what contract section 8 serves: `GET /tasks/<id>/events`,
 * resuming after the `Last-Event-ID` header or else the `after` query parameter. Anything else is
 * an error route (404 unknown path, 405 other method, 400 malformed id or seq).
 */
export function routeRequest(req: FunctionUrlRequest): ProgressRoute {
  const method = (req.requestContext?.http?.method ?? 'GET').toUpperCase();
  const rawPath = req.rawPath ?? req.requestContext?.http?.path ?? '/';
  const m = EVENTS_PATH.exec(rawPath);
  if (!m) return { kind: 'error', statusCode: 404, message: `no such resource: ${rawPath}; use GET /tasks/<taskId>/events` };
  if (method !== 'GET') return { kind: 'error', statusCode: 405, message: `method ${method} not allowed; use GET` };
  let taskId: string;
  try {
    taskId = decodeURIComponent(m[1]);
  } catch {
    return { kind: 'error', statusCode: 400, message: 'the task id is not valid URL encoding' };
  }
  if (!TASK_ID_PATTERN.test(taskId)) return { kind: 'error', statusCode: 400, message: 'the task id must match [A-Za-z0-9_-]{1,64}' };

  const after = resumeAfter(req);
  return typeof after === 'number' ? { kind: 'events', taskId, after } : { kind: 'error', statusCode: 400, message: after.error };
}

/** The seq a stream resumes after: the `Last-Event-ID` header, else `?after=`, else 0; or why it is malformed. */
export function resumeAfter(req: FunctionUrlRequest): number | { error: string } {
  const lastEventId = header(req.headers, 'last-event-id');
  const afterParam = query(req, 'after');
  const raw = lastEventId !== undefined && lastEventId.trim() !== '' ? lastEventId : afterParam;
  if (raw === undefined || raw.trim() === '') return 0;
  const value = raw.trim();
  if (!/^\d{1,10}$/.test(value) || Number(value) > MAX_SEQ) {
    const what = raw === lastEventId ? 'Last-Event-ID' : 'after';
    return { error: `${what} must be an event seq (a non-negative integer)` };
  }
  return Number(value);
}

/** A request header, by case-insensitive name. */
export function header(headers: FunctionUrlRequest['headers'], name: string): string | undefined {
  if (!headers) return undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name && v !== undefined) return v;
  return undefined;
}

/** A query parameter (the last one when repeated). */
export function query(req: FunctionUrlRequest, name: string): string | undefined {
  if (req.rawQueryString) {
    const v = new URLSearchParams(req.rawQueryString).get(name);
    if (v !== null) return v;
  }
  const v = req.queryStringParameters?.[name];
  // Function URLs join repeated parameters with commas: take the last.
  return v === undefined ? undefined : v.split(',').at(-1);
}
