import type { TaskResult } from '../agent/events.ts';
import { cacheReadShare } from '../budget/index.ts';

/**
 * One line for people: `succeeded · 3 turns · 1234 tokens (85% cache read) · $0.0123 · 2 files
 * changed (+10 -2)`; the cache-read share is of the input tokens (uncached, cache reads and writes).
 */
export function formatResultSummary(r: TaskResult): string {
  // Written by another version of the worker, a result may lack fields.
  const u = {
    inputTokens: r.usage?.inputTokens ?? 0,
    outputTokens: r.usage?.outputTokens ?? 0,
    cacheReadInputTokens: r.usage?.cacheReadInputTokens ?? 0,
    cacheWriteInputTokens: r.usage?.cacheWriteInputTokens ?? 0,
  };
  const tokens = u.inputTokens + u.outputTokens;
  const files = r.diff?.files ?? 0;
  return [
    `${r.status}${r.error ? `: ${r.error.message}` : ''}`,
    `${r.turns ?? 0} turns`,
    `${tokens} tokens (${Math.round(cacheReadShare(u) * 100)}% cache read)`,
    `$${(r.costUsd ?? 0).toFixed(4)}${r.baseModel ? ` (${r.model} priced as ${r.baseModel})` : ''}`,
    `${files} file${files === 1 ? '' : 's'} changed (+${r.diff?.additions ?? 0} -${r.diff?.deletions ?? 0})`,
  ].join(' · ');
}
