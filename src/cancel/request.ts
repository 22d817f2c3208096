import type { TaskResult } from '../task/events.ts';
import type { ArtifactStore, ConditionalStore } from '../store/types.ts';

/** `tasks/<taskId>/cancel.json`: someone asked the task to stop. */
export interface CancelRequest {
  taskId: string;
  /** ISO 8601. */
  requestedAt: string;
  /** Who asked, for people: `agent-runner cancel`, `@octocat (/agent stop on #12)`. */
  by: string;
  reason?: string;
}

/** What asking a task to stop did. */
export type CancelOutcome =
  /** The task has a result: nothing was written. */
  | { state: 'finished'; result: TaskResult }
  /**
   * The request is recorded (or was already). `started`: the worker has written task.json (it
   * stops within a turn, or sooner while a tool runs); otherwise it is still queued and stops
   * before its first model call.
   */
  | { state: 'requested'; started: boolean; already: boolean };

/**
 * Asks a task to stop: writes its cancel request unless it has a result already (the first
 * request is kept). A request for a task id no worker has seen yet is written too: a queued task
 * has no artifacts until a worker starts it.
 */
export async function requestCancel(store: ArtifactStore & ConditionalStore, request: CancelRequest): Promise<CancelOutcome> {
  const { taskId } = request;
  const result = await store.get(taskId, 'result.json');
  if (result !== undefined) return { state: 'finished', result: JSON.parse(result) as TaskResult };
  const written = await store.putIfAbsent(taskId, 'cancel.json', JSON.stringify(request, null, 2));
  const started = (await store.get(taskId, 'task.json')) !== undefined;
  return { state: 'requested', started, already: written === undefined };
}

/** The message a cancelled task's result carries: who asked, and why when given. */
export function cancelMessage(text: string): string {
  let req: Partial<CancelRequest> = {};
  try {
    req = JSON.parse(text) as Partial<CancelRequest>;
  } catch {
    // Its existence is what counts: an unreadable request still stops the task.
  }
  const by = typeof req.by === 'string' && req.by.trim() ? ` by ${req.by.trim().slice(0, 200)}` : '';
  const reason = typeof req.reason === 'string' && req.reason.trim() ? `: ${req.reason.trim().slice(0, 500)}` : '';
  return `the task was cancelled${by}${reason}`;
}
