import type { AgentEvent, TaskResult } from '../agent/events.ts';
import type { ErrorInfo, Usage } from '../providers/types.ts';
import type { ArtifactStore } from '../store/types.ts';

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
