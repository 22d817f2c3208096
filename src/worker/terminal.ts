import { EventLog } from '../agent/index.ts';
import type { ResumeState } from '../agent/checkpoint.ts';
import type { AgentEvent, TaskResult } from '../task/events.ts';
import type { ErrorInfo, Usage } from '../providers/types.ts';
import type { ArtifactStore } from '../store/types.ts';
import type { WorkerDeps } from './types.ts';

const ZERO_USAGE: Usage = { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 };

/** The result of a task that ended before the loop ran (rejected, its source failed, its budget spent). */
export function terminalResult(
  taskId: string,
  status: 'rejected' | 'failed' | 'limit_reached',
  stopReason: string,
  model: string,
  error: ErrorInfo,
): TaskResult {
  return {
    taskId,
    status,
    stopReason,
    turns: 0,
    model,
    usage: { ...ZERO_USAGE },
    costUsd: 0,
    diff: { files: 0, additions: 0, deletions: 0 },
    error,
  };
}

/**
 * Writes what the loop would have written for a task that never ran: `task.json` first, one
 * `result` event (so a watcher of the progress stream sees the end), `result.json` last.
 */
export async function writeTerminal(store: ArtifactStore, taskJson: unknown, result: TaskResult, now: number): Promise<void> {
  await store.put(result.taskId, 'task.json', JSON.stringify(taskJson, null, 2));
  const { taskId, ...rest } = result;
  const event = { seq: 1, time: new Date(now).toISOString(), taskId, type: 'result', ...rest } as AgentEvent;
  await store.appendEvents(result.taskId, [event]);
  await store.put(result.taskId, 'result.json', JSON.stringify(result, null, 2));
}

/** Ends a resumed task without running it: its events go on after the ones already written. */
export async function finishResumed(deps: WorkerDeps, resume: ResumeState, result: TaskResult): Promise<TaskResult> {
  const full: TaskResult = { ...result, turns: resume.head.turn, usage: resume.head.usage, costUsd: resume.head.costUsd };
  await finishWithResult(deps, await seqAfter(deps, result.taskId, resume), full);
  return full;
}

/**
 * Ends a task that started (events, task.json) but left no checkpoint, without running it: its
 * result event follows the events already written; task.json is written when missing.
 */
export async function finishStarted(deps: WorkerDeps, taskJson: unknown, result: TaskResult): Promise<TaskResult> {
  const taskId = result.taskId;
  if ((await deps.store.get(taskId, 'task.json')) === undefined) await deps.store.put(taskId, 'task.json', JSON.stringify(taskJson, null, 2));
  const events = await deps.store.readEvents(taskId, 0);
  await finishWithResult(deps, events.length > 0 ? events[events.length - 1].seq + 1 : 1, result);
  return result;
}

async function finishWithResult(deps: WorkerDeps, firstSeq: number, result: TaskResult): Promise<void> {
  const log = new EventLog(result.taskId, deps.store, deps.clock, firstSeq, deps.redactor);
  log.emit({ type: 'result', ...result });
  await log.flush();
  await deps.store.put(result.taskId, 'result.json', JSON.stringify(result, null, 2));
}

/**
 * The seq of the next event of a resumed task: events written after its checkpoint belong to a
 * lost turn; they stay, and new ones follow them.
 */
export async function seqAfter(deps: WorkerDeps, taskId: string, resume: ResumeState): Promise<number> {
  const after = await deps.store.readEvents(taskId, resume.head.nextSeq - 1);
  return after.length > 0 ? after[after.length - 1].seq + 1 : resume.head.nextSeq;
}
