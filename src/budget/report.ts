import { budgetStatus, cacheReadShare, type Budgets, type Ledger } from './ledger.ts';

/** One row of the usage report: a repository's spend on one model. */
export interface UsageRow {
  repository: string;
  model: string;
  baseModel?: string;
  tasks: number;
  inputTokens: number;
  outputTokens: number;
  /** Share of input tokens read from the cache, 0 to 1. */
  cacheReadShare: number;
  costUsd: number;
}

/** The ledger's spend per repository and model, the costliest first. */
export function usageRows(ledger: Ledger): UsageRow[] {
  const rows: UsageRow[] = [];
  for (const [repository, repo] of Object.entries(ledger.repositories)) {
    for (const [model, m] of Object.entries(repo.models)) {
      rows.push({
        repository,
        model,
        ...(m.baseModel ? { baseModel: m.baseModel } : {}),
        tasks: m.tasks,
        inputTokens: m.usage.inputTokens + m.usage.cacheReadInputTokens + m.usage.cacheWriteInputTokens,
        outputTokens: m.usage.outputTokens,
        cacheReadShare: cacheReadShare(m.usage),
        costUsd: m.costUsd,
      });
    }
  }
  return rows.sort((a, b) => b.costUsd - a.costUsd || a.repository.localeCompare(b.repository) || a.model.localeCompare(b.model));
}

/**
 * The usage report for people: a heading with the month's total and what the budgets leave, then
 * a table of repositories and models (input tokens count cache reads and writes).
 */
export function formatUsage(month: string, ledger: Ledger | undefined, budgets: Budgets | undefined): string {
  const total = ledger?.costUsd ?? 0;
  const lines = [`spend in ${month}: USD ${total.toFixed(4)} over ${ledger?.tasks ?? 0} task${ledger?.tasks === 1 ? '' : 's'}${budgetNote(ledger, budgets)}`];
  const rows = ledger ? usageRows(ledger) : [];
  if (rows.length === 0) return lines.join('\n');
  const table = [
    ['REPOSITORY', 'MODEL', 'TASKS', 'INPUT TOKENS', 'OUTPUT TOKENS', 'CACHE READ', 'USD'],
    ...rows.map((r) => [
      r.repository,
      r.baseModel ? `${r.model} (${r.baseModel})` : r.model,
      String(r.tasks),
      String(r.inputTokens),
      String(r.outputTokens),
      `${Math.round(r.cacheReadShare * 100)}%`,
      r.costUsd.toFixed(4),
    ]),
  ];
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  // Text columns left-aligned, figures right-aligned.
  const cell = (v: string, i: number) => (i < 2 ? v.padEnd(widths[i]) : v.padStart(widths[i]));
  for (const row of table) lines.push(row.map(cell).join('  ').trimEnd());
  return lines.join('\n');
}

function budgetNote(ledger: Ledger | undefined, budgets: Budgets | undefined): string {
  if (!budgets?.monthlyUsd && !budgets?.repositoryMonthlyUsd) return '';
  const parts: string[] = [];
  if (budgets.monthlyUsd) parts.push(`stack budget USD ${budgets.monthlyUsd.toFixed(2)}, USD ${(budgetStatus(ledger, { monthlyUsd: budgets.monthlyUsd }).remainingUsd ?? 0).toFixed(2)} left`);
  if (budgets.repositoryMonthlyUsd) parts.push(`USD ${budgets.repositoryMonthlyUsd.toFixed(2)} per repository`);
  return ` (${parts.join('; ')})`;
}
