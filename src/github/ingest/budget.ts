import { checkBudget, exhaustedMessage, repositoryKey, type Budgets, type LedgerStore } from '../../budget/index.ts';

/** Why a repository's new task is refused (a budget is spent), or undefined when it may start. */
export type BudgetCheck = (repo: { owner: string; repo: string }) => Promise<string | undefined>;

/** The webhook's budget check: the month's ledger against the stack's and the repository's budgets. */
export function ledgerBudgetCheck(store: LedgerStore, budgets: Budgets, clock: () => number): BudgetCheck {
  return async (repo) => {
    const status = await checkBudget(store, budgets, repositoryKey(repo.owner, repo.repo), clock());
    return status.exhausted ? exhaustedMessage(status.exhausted, status.month) : undefined;
  };
}

/** The reply to a request that a spent budget keeps from starting. */
export function budgetReply(author: string, refusal: string): string {
  return `@${author}: this request was not started: ${refusal}.`;
}
