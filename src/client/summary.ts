import type { TaskResult } from '../task/events.ts';
import { cacheReadShare } from '../budget/ledger.ts';

/** `1 turn`, `2 turns`. */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** A token count for people: exact below 10,000, else in thousands (`12.3k`). */
export function formatTokens(n: number): string {
  return n >= 10_000 ? `${(n / 1000).toFixed(1)}k` : String(n);
}

/** A duration for people: `850 ms`, `12.3 s`, `4 min 05 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/**
 * One line for people: `succeeded · 3 turns · 1234 tokens (85% cache read) · $0.0123 · 2 files
 * changed (+10 -2)`, ending with ` · 12.3 s` when the duration is known; the cache-read share is
 * of the input tokens (uncached, cache reads and writes).
 */
export function formatResultSummary(r: TaskResult, opts: { durationMs?: number } = {}): string {
  // Written by another version of the worker, a result may lack fields.
  const u = {
    inputTokens: r.usage?.inputTokens ?? 0,
    outputTokens: r.usage?.outputTokens ?? 0,
    cacheReadInputTokens: r.usage?.cacheReadInputTokens ?? 0,
    cacheWriteInputTokens: r.usage?.cacheWriteInputTokens ?? 0,
  };
  return [
    `${r.status}${r.error ? `: ${r.error.message}` : ''}`,
    plural(r.turns ?? 0, 'turn'),
    `${formatTokens(u.inputTokens + u.outputTokens)} tokens (${Math.round(cacheReadShare(u) * 100)}% cache read)`,
    `$${(r.costUsd ?? 0).toFixed(4)}${r.baseModel ? ` (${r.model} priced as ${r.baseModel})` : ''}`,
    `${plural(r.diff?.files ?? 0, 'file')} changed (+${r.diff?.additions ?? 0} -${r.diff?.deletions ?? 0})`,
    ...(opts.durationMs !== undefined ? [formatDuration(opts.durationMs)] : []),
  ].join(' · ');
}
