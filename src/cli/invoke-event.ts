import { randomBytes, randomUUID } from 'node:crypto';
import { UsageError } from './errors.ts';

/**
 * An SQS event whose records each carry a fresh task id (in the JSON body) and message id, so
 * that a sample event runs a new task instead of answering "already has a result". Throws
 * UsageError for an event that is not an SQS batch of JSON task bodies.
 */
export function withNewTaskIds(event: unknown, newId: () => string = () => randomBytes(16).toString('base64url')): { event: unknown; taskIds: string[] } {
  const records = (event as { Records?: unknown })?.Records;
  if (!Array.isArray(records) || records.length === 0) throw new UsageError('--new-task-id needs an SQS event (Records whose bodies are tasks)');
  const taskIds: string[] = [];
  const renamed = records.map((r: { body?: unknown }, i) => {
    let body: unknown;
    try {
      body = JSON.parse(String(r?.body));
    } catch {
      throw new UsageError(`--new-task-id: the body of Records[${i}] is not JSON`);
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new UsageError(`--new-task-id: the body of Records[${i}] is not a task object`);
    const taskId = newId();
    taskIds.push(taskId);
    return { ...r, messageId: randomUUID(), body: JSON.stringify({ ...body, taskId }) };
  });
  return { event: { ...(event as object), Records: renamed }, taskIds };
}

/** The task ids of an SQS event's records (bodies that are JSON tasks with a taskId). */
export function taskIdsOf(event: unknown): string[] {
  const records = (event as { Records?: unknown })?.Records;
  if (!Array.isArray(records)) return [];
  const ids: string[] = [];
  for (const r of records as { body?: unknown }[]) {
    try {
      const id = (JSON.parse(String(r?.body)) as { taskId?: unknown }).taskId;
      if (typeof id === 'string') ids.push(id);
    } catch {
      // not a task: the worker rejects it
    }
  }
  return ids;
}

/** Which of the event's tasks already have a result (`hasResult` asks the store; a failed look counts as no). */
export async function finishedTasks(event: unknown, hasResult: (taskId: string) => Promise<boolean>): Promise<string[]> {
  const ids = taskIdsOf(event);
  const found = await Promise.all(ids.map((id) => hasResult(id).catch(() => false)));
  return ids.filter((_, i) => found[i]);
}
