/**
 * The monthly spend ledger as pure functions: what is added for a finished task, and what is left
 * of the budgets. One ledger per calendar month (UTC), `budget/<YYYY-MM>.json` in the artifact bucket.
 */
import type { Usage } from '../providers/types.ts';
import { LedgerFormatError } from './errors.ts';

/** Monthly budgets in USD; absent (or 0) means none. */
export interface Budgets {
  /** Everything the stack runs. */
  monthlyUsd?: number;
  /** Each repository (tasks with a GitHub source or reply), separately. */
  repositoryMonthlyUsd?: number;
}

export interface ModelSpend {
  costUsd: number;
  tasks: number;
  usage: Usage;
  /** The model an application inference profile routes to, when the model is one. */
  baseModel?: string;
}

export interface RepositorySpend {
  costUsd: number;
  tasks: number;
  models: Record<string, ModelSpend>;
}

export interface Ledger {
  version: 1;
  /** `YYYY-MM`. */
  month: string;
  costUsd: number;
  tasks: number;
  /** By `owner/repo` (lower case), tasks without a repository under NO_REPOSITORY. */
  repositories: Record<string, RepositorySpend>;
  /** Each counted task's cost: a task already here is never counted again. */
  counted: Record<string, number>;
  /** The budgets in force at the last update (what `enqueue` checks against without the stack's outputs). */
  budgets?: Budgets;
  updatedAt: string;
}

/** What a finished task adds. */
export interface SpendEntry {
  taskId: string;
  /** `owner/repo`; absent for tasks without a repository. */
  repository?: string;
  model: string;
  baseModel?: string;
  costUsd: number;
  usage: Usage;
}

/** Where tasks without a repository are counted. */
export const NO_REPOSITORY = '(none)';

const ZERO_USAGE: Usage = { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 };
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** The ledger month (`YYYY-MM`, UTC) of a time in ms since the epoch. */
export function monthOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

/** True for a `YYYY-MM` month. */
export function isMonth(s: string): boolean {
  return MONTH.test(s);
}

/** The ledger key of a repository: `owner/repo` in lower case (GitHub names are case-insensitive). */
export function repositoryKey(owner: string, repo: string): string {
  return `${owner}/${repo}`.toLowerCase();
}

export function emptyLedger(month: string, now: number): Ledger {
  return { version: 1, month, costUsd: 0, tasks: 0, repositories: {}, counted: {}, updatedAt: new Date(now).toISOString() };
}

/** Parses a ledger's text; throws LedgerFormatError when it is not a ledger of `month`. */
export function parseLedger(text: string, month: string): Ledger {
  let v: Partial<Ledger>;
  try {
    v = JSON.parse(text) as Partial<Ledger>;
  } catch (err) {
    throw new LedgerFormatError(month, 'not JSON', { cause: err });
  }
  if (v?.version !== 1 || v.month !== month || typeof v.costUsd !== 'number' || typeof v.repositories !== 'object' || typeof v.counted !== 'object') {
    throw new LedgerFormatError(month, 'not a version 1 ledger of that month');
  }
  return v as Ledger;
}

/**
 * The ledger with `entry` added (the stack's, the repository's and the model's totals), or
 * undefined when the task is counted already: adding is idempotent per task id.
 */
export function addSpend(ledger: Ledger, entry: SpendEntry, now: number, budgets?: Budgets): Ledger | undefined {
  if (Object.hasOwn(ledger.counted, entry.taskId)) return undefined;
  const repoKey = entry.repository?.toLowerCase() ?? NO_REPOSITORY;
  const repo = ledger.repositories[repoKey] ?? { costUsd: 0, tasks: 0, models: {} };
  const model = repo.models[entry.model] ?? { costUsd: 0, tasks: 0, usage: { ...ZERO_USAGE } };
  const nextModel: ModelSpend = {
    costUsd: round6(model.costUsd + entry.costUsd),
    tasks: model.tasks + 1,
    usage: addUsage(model.usage, entry.usage),
    ...(entry.baseModel ? { baseModel: entry.baseModel } : {}),
  };
  return {
    ...ledger,
    costUsd: round6(ledger.costUsd + entry.costUsd),
    tasks: ledger.tasks + 1,
    repositories: {
      ...ledger.repositories,
      [repoKey]: { costUsd: round6(repo.costUsd + entry.costUsd), tasks: repo.tasks + 1, models: { ...repo.models, [entry.model]: nextModel } },
    },
    counted: { ...ledger.counted, [entry.taskId]: entry.costUsd },
    ...(budgets ? { budgets: { ...budgets } } : {}),
    updatedAt: new Date(now).toISOString(),
  };
}

/** A budget that is spent: which, its limit and what was spent against it. */
export interface Exhausted {
  scope: 'stack' | 'repository';
  repository?: string;
  limitUsd: number;
  spentUsd: number;
}

export interface BudgetStatus {
  /** USD left under the tightest budget that applies; undefined when no budget applies. */
  remainingUsd?: number;
  /** Set when a budget that applies is spent. */
  exhausted?: Exhausted;
}

/**
 * What is left for a new task of `repository` (owner/repo, or none): the least of what the stack's
 * and the repository's monthly budgets have left. A budget of 0 or absent does not apply.
 */
export function budgetStatus(ledger: Ledger | undefined, budgets: Budgets, repository?: string): BudgetStatus {
  const applying: Exhausted[] = [];
  if (budgets.monthlyUsd) applying.push({ scope: 'stack', limitUsd: budgets.monthlyUsd, spentUsd: ledger?.costUsd ?? 0 });
  if (budgets.repositoryMonthlyUsd && repository) {
    const key = repository.toLowerCase();
    applying.push({ scope: 'repository', repository: key, limitUsd: budgets.repositoryMonthlyUsd, spentUsd: ledger?.repositories[key]?.costUsd ?? 0 });
  }
  if (applying.length === 0) return {};
  const remainingUsd = Math.max(0, Math.min(...applying.map((b) => round6(b.limitUsd - b.spentUsd))));
  const exhausted = applying.find((b) => b.spentUsd >= b.limitUsd);
  return { remainingUsd, ...(exhausted ? { exhausted } : {}) };
}

/** One line for people: which monthly budget is spent, and by how much. */
export function exhaustedMessage(e: Exhausted, month: string): string {
  const which = e.scope === 'stack' ? "the stack's monthly budget" : `the monthly budget of ${e.repository}`;
  return `${which} of USD ${e.limitUsd.toFixed(2)} is spent (USD ${e.spentUsd.toFixed(2)} in ${month}); no new task starts before next month or a higher budget`;
}

/** Share of the prompt tokens read from the cache (0 to 1); 0 when there were none. */
export function cacheReadShare(u: Usage): number {
  const prompt = u.inputTokens + u.cacheReadInputTokens + u.cacheWriteInputTokens;
  return prompt === 0 ? 0 : u.cacheReadInputTokens / prompt;
}

function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadInputTokens: a.cacheReadInputTokens + b.cacheReadInputTokens,
    cacheWriteInputTokens: a.cacheWriteInputTokens + b.cacheWriteInputTokens,
  };
}

function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
