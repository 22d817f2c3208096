import { setTimeout as delay } from 'node:timers/promises';
import type { AgentEvent, TaskResult } from '../task/events.ts';
import type { ArtifactStore } from '../store/types.ts';
import { TaskNotFoundError } from './errors.ts';
import { resultOf } from './follow.ts';

export interface PollOptions {
  store: ArtifactStore;
  taskId: string;
  afterSeq?: number;
  /** Pause between reads when nothing new came (default 1 s). */
  intervalMs?: number;
  /** How long a task without task.json is waited for (default 15 min). */
  startTimeoutMs?: number;
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

/**
 * Follows a task by reading its event segments from the artifact store: the fallback when no
 * progress URL is configured. Same guarantees as the stream (each event once, in seq order);
 * returns the result from the `result` event, or from result.json for a task that never ran
 * (rejected).
 */
export async function* pollTaskEvents(opts: PollOptions): AsyncGenerator<AgentEvent, TaskResult> {
  const interval = opts.intervalMs ?? 1000;
  const startTimeout = opts.startTimeoutMs ?? 15 * 60_000;
  const sleep = opts.sleep ?? ((ms: number, signal?: AbortSignal) => delay(ms, undefined, signal ? { signal } : undefined));
  const now = opts.now ?? (() => performance.now());
  const started = now();
  let lastSeq = opts.afterSeq ?? 0;
  let known = false;
  for (;;) {
    opts.signal?.throwIfAborted();
    const events = await opts.store.readEvents(opts.taskId, lastSeq);
    let fresh = 0;
    for (const e of events) {
      if (e.seq !== lastSeq + 1) break; // a segment not listed yet: read again next round
      lastSeq = e.seq;
      fresh++;
      yield e;
      if (e.type === 'result') return resultOf(e);
    }
    if (fresh > 0) {
      known = true;
      continue;
    }
    const resultText = await opts.store.get(opts.taskId, 'result.json');
    if (resultText !== undefined) {
      // The result is written after the last segment; one more read catches a final segment.
      const rest = (await opts.store.readEvents(opts.taskId, lastSeq)).filter((e) => e.seq > lastSeq);
      for (const e of rest) {
        lastSeq = e.seq;
        yield e;
        if (e.type === 'result') return resultOf(e);
      }
      return JSON.parse(resultText) as TaskResult;
    }
    if (!known) {
      known = (await opts.store.get(opts.taskId, 'task.json')) !== undefined;
      if (!known && now() - started >= startTimeout) {
        throw new TaskNotFoundError(opts.taskId, `task ${opts.taskId} is not known to the stack (no tasks/${opts.taskId}/task.json after ${Math.round((now() - started) / 1000)} s): check the task id and that the worker is consuming the queue`);
      }
    }
    await sleep(interval, opts.signal);
  }
}
