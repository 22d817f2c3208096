import { query, resumeAfter, type FunctionUrlRequest } from '../progress/index.ts';

/** The artifacts the page links to, with how a browser should receive them. */
export const DOWNLOADS: Readonly<Record<string, string>> = {
  'diff.patch': 'text/plain; charset=utf-8',
  'transcript.json': 'application/json',
  'result.json': 'application/json',
  'task.json': 'application/json',
};

export type ViewRoute =
  | { kind: 'asset'; name: string }
  | { kind: 'task'; taskId: string; token: string | undefined; action: TaskAction }
  | { kind: 'error'; statusCode: 400 | 404 | 405; message: string };

export type TaskAction = { kind: 'page' } | { kind: 'events'; after: number } | { kind: 'diff' } | { kind: 'artifact'; name: string } | { kind: 'bad'; statusCode: 400 | 404; message: string };

const ASSET = /^\/assets\/([A-Za-z0-9._-]{1,80})$/;
const TASK = /^\/tasks\/([^/]{1,200})\/(view|events|diff|artifacts\/[^/]{1,80})\/?$/;

/**
 * Maps a function-URL request to what the view function serves: `/assets/<file>` (no token), and
 * under `/tasks/<id>/` the page (`view`), its event feed (`events`), the diff (`diff`) and the
 * downloads (`artifacts/<name>`), each of which needs the task's token. Whatever else a task
 * route gets wrong is reported only after the token is checked (`action.kind: 'bad'`), so an
 * answer never says more than a 403 to a caller without one.
 */
export function routeView(req: FunctionUrlRequest): ViewRoute {
  const method = (req.requestContext?.http?.method ?? 'GET').toUpperCase();
  const path = req.rawPath ?? req.requestContext?.http?.path ?? '/';
  const asset = ASSET.exec(path);
  const task = TASK.exec(path);
  if (!asset && !task) return { kind: 'error', statusCode: 404, message: 'not found' };
  if (method !== 'GET') return { kind: 'error', statusCode: 405, message: `method ${method} not allowed; use GET` };
  if (asset) return { kind: 'asset', name: asset[1] };
  let taskId: string;
  try {
    taskId = decodeURIComponent(task![1]);
  } catch {
    taskId = task![1];
  }
  return { kind: 'task', taskId, token: query(req, 'token'), action: actionOf(task![2], req) };
}

function actionOf(what: string, req: FunctionUrlRequest): TaskAction {
  if (what === 'view') return { kind: 'page' };
  if (what === 'diff') return { kind: 'diff' };
  if (what === 'events') {
    const after = resumeAfter(req);
    return typeof after === 'number' ? { kind: 'events', after } : { kind: 'bad', statusCode: 400, message: after.error };
  }
  const name = what.slice('artifacts/'.length);
  return Object.hasOwn(DOWNLOADS, name) ? { kind: 'artifact', name } : { kind: 'bad', statusCode: 404, message: `no artifact ${name}; one of ${Object.keys(DOWNLOADS).join(', ')}` };
}
