import type { TaskResult } from '../task/events.ts';
import {
  checkBudget,
  exhaustedMessage,
  monthOf,
  recordSpend,
  repositoryKey,
  type Budgets,
  type LedgerStore,
  type RecordSpendResult,
} from '../budget/index.ts';
import type { ArtifactStore, ConditionalStore } from '../store/types.ts';
import type { Task } from '../task/types.ts';

/** The worker's part in budgets: it refuses tasks that would start over budget and records every result. */
export interface WorkerBudget {
  ledger: LedgerStore;
  budgets: Budgets;
  /** Waits between ledger attempts (tests make it instant). */
  sleep?: (ms: number) => Promise<void>;
}

/** What a fresh task may spend: `refused` when a budget is spent, else at most `maxCostUsd` when a budget applies. */
export type BudgetGate = { refused: string } | { maxCostUsd?: number };

/** The repository a task's cost counts against: its GitHub source, else its GitHub reply target. */
export function repositoryOf(task: Task): string | undefined {
  if (task.source && 'github' in task.source) return repositoryKey(task.source.github.owner, task.source.github.repo);
  const gh = (task.reply as { github?: { owner?: unknown; repo?: unknown } } | undefined)?.github;
  return typeof gh?.owner === 'string' && typeof gh.repo === 'string' ? repositoryKey(gh.owner, gh.repo) : undefined;
}

/**
 * Checks a task against the budgets before it starts (one ledger read, none without budgets):
 * refused when the stack's or its repository's monthly budget is spent, else its cost limit
 * lowered to what the tightest budget has left. Tasks already running are not stopped by others
 * spending: the budget may be exceeded by at most what the tasks running at once were allowed.
 */
export async function budgetGate(budget: WorkerBudget, task: Task, limitUsd: number, now: number): Promise<BudgetGate> {
  const status = await checkBudget(budget.ledger, budget.budgets, repositoryOf(task), now);
  if (status.exhausted) return { refused: exhaustedMessage(status.exhausted, status.month) };
  return status.remainingUsd !== undefined && status.remainingUsd < limitUsd ? { maxCostUsd: status.remainingUsd } : {};
}

interface SpendPin {
  month: string;
}

/**
 * Counts a finished task in the spend ledger exactly once. The month is pinned first in
 * `spend.json` beside the task (a create-only write), so that a retry after a crash, even one
 * in the next month, updates the same ledger, where the task id makes the update idempotent.
 * Rejected tasks cost nothing and are not counted.
 */
export async function recordTaskSpend(
  store: ArtifactStore & ConditionalStore,
  budget: WorkerBudget,
  task: Task,
  result: TaskResult,
  clock: () => number,
): Promise<RecordSpendResult | undefined> {
  if (result.status === 'rejected') return undefined;
  const month = await pinnedMonth(store, task.taskId, clock());
  const repository = repositoryOf(task);
  return recordSpend(
    budget.ledger,
    month,
    {
      taskId: task.taskId,
      ...(repository ? { repository } : {}),
      model: result.model,
      ...(result.baseModel ? { baseModel: result.baseModel } : {}),
      costUsd: result.costUsd,
      usage: result.usage,
    },
    { now: clock, budgets: budget.budgets, ...(budget.sleep ? { sleep: budget.sleep } : {}) },
  );
}

async function pinnedMonth(store: ArtifactStore & ConditionalStore, taskId: string, now: number): Promise<string> {
  const read = async () => {
    const text = await store.get(taskId, 'spend.json');
    if (text === undefined) return undefined;
    try {
      return (JSON.parse(text) as SpendPin).month;
    } catch {
      return undefined;
    }
  };
  const pinned = await read();
  if (pinned) return pinned;
  const month = monthOf(now);
  if ((await store.putIfAbsent(taskId, 'spend.json', JSON.stringify({ month } satisfies SpendPin))) !== undefined) return month;
  // Another attempt pinned it between our read and write.
  return (await read()) ?? month;
}
