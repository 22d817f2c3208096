import type { TaskResult } from '../agent/events.ts';

/** One line for people: `succeeded · 3 turns · 1234 tokens · $0.0123 · 2 files changed (+10 -2)`. */
export function formatResultSummary(r: TaskResult): string {
  const tokens = (r.usage?.inputTokens ?? 0) + (r.usage?.outputTokens ?? 0);
  const files = r.diff?.files ?? 0;
  return [
    `${r.status}${r.error ? `: ${r.error.message}` : ''}`,
    `${r.turns ?? 0} turns`,
    `${tokens} tokens`,
    `$${(r.costUsd ?? 0).toFixed(4)}`,
    `${files} file${files === 1 ? '' : 's'} changed (+${r.diff?.additions ?? 0} -${r.diff?.deletions ?? 0})`,
  ].join(' · ');
}
