import { BudgetConfigError } from './errors.ts';
import type { Budgets } from './ledger.ts';

/**
 * The budgets from a function's environment: `MONTHLY_BUDGET_USD` (the stack) and
 * `REPOSITORY_MONTHLY_BUDGET_USD` (each repository). Empty or 0 is no budget; anything but a
 * non-negative number throws BudgetConfigError.
 */
export function readBudgets(env: Record<string, string | undefined>): Budgets {
  const stack = usd(env, 'MONTHLY_BUDGET_USD');
  const repo = usd(env, 'REPOSITORY_MONTHLY_BUDGET_USD');
  return { ...(stack ? { monthlyUsd: stack } : {}), ...(repo ? { repositoryMonthlyUsd: repo } : {}) };
}

/** True when at least one budget is set. */
export function hasBudget(b: Budgets): boolean {
  return Boolean(b.monthlyUsd || b.repositoryMonthlyUsd);
}

function usd(env: Record<string, string | undefined>, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new BudgetConfigError(name, raw);
  return n;
}
