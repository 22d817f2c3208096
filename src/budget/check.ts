import { budgetStatus, monthOf, type BudgetStatus, type Budgets } from './ledger.ts';
import { hasBudget } from './settings.ts';
import type { LedgerStore } from './store.ts';

/**
 * What the budgets leave this month for a new task of `repository` (owner/repo or none): one
 * ledger read, none when no budget is set.
 */
export async function checkBudget(store: LedgerStore, budgets: Budgets, repository: string | undefined, now: number): Promise<BudgetStatus & { month: string }> {
  const month = monthOf(now);
  if (!hasBudget(budgets)) return { month };
  const current = await store.read(month);
  return { month, ...budgetStatus(current?.ledger, budgets, repository) };
}
