import { describe, expect, it } from 'vitest';
import { addSpend, budgetStatus, cacheReadShare, emptyLedger, exhaustedMessage, LedgerFormatError, monthOf, parseLedger, readBudgets, BudgetConfigError, type SpendEntry } from '../../../src/budget/index.ts';

const T = Date.parse('2026-03-31T23:59:59Z');
const U = { inputTokens: 1000, outputTokens: 100, cacheReadInputTokens: 3000, cacheWriteInputTokens: 0 };
const SONNET = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const entry = (taskId: string, costUsd: number, over: Partial<SpendEntry> = {}): SpendEntry => ({ taskId, repository: 'Octo/Demo', model: SONNET, costUsd, usage: U, ...over });

describe('the spend ledger', () => {
  it('files a time under its UTC month', () => {
    expect([monthOf(T), monthOf(T + 1000)]).toEqual(['2026-03', '2026-04']);
  });

  it('adds a task to the stack, its repository and its model, once per task id', () => {
    const one = addSpend(emptyLedger('2026-03', T), entry('a', 0.25), T)!;
    const two = addSpend(one, entry('b', 0.5, { repository: undefined, model: 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/p1', baseModel: SONNET }), T, { monthlyUsd: 10 })!;
    expect(addSpend(two, entry('a', 0.25), T)).toBeUndefined();
    expect(two).toEqual({
      version: 1,
      month: '2026-03',
      costUsd: 0.75,
      tasks: 2,
      repositories: {
        'octo/demo': { costUsd: 0.25, tasks: 1, models: { [SONNET]: { costUsd: 0.25, tasks: 1, usage: U } } },
        '(none)': {
          costUsd: 0.5,
          tasks: 1,
          models: { 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/p1': { costUsd: 0.5, tasks: 1, usage: U, baseModel: SONNET } },
        },
      },
      counted: { a: 0.25, b: 0.5 },
      budgets: { monthlyUsd: 10 },
      updatedAt: '2026-03-31T23:59:59.000Z',
    });
  });

  it('keeps sums exact to the micro-dollar', () => {
    let l = emptyLedger('2026-03', T);
    for (let i = 0; i < 10; i++) l = addSpend(l, entry(`t${i}`, 0.1), T)!;
    expect(l.costUsd).toBe(1);
  });

  it('refuses a ledger of another month or shape', () => {
    expect(() => parseLedger('{', '2026-03')).toThrow(LedgerFormatError);
    expect(() => parseLedger(JSON.stringify(emptyLedger('2026-02', T)), '2026-03')).toThrow('the spend ledger of 2026-03 cannot be read: not a version 1 ledger of that month');
  });
});

describe('budgetStatus', () => {
  const ledger = addSpend(addSpend(emptyLedger('2026-03', T), entry('a', 7), T)!, entry('b', 2, { repository: 'other/repo' }), T)!;

  it('leaves what the tightest budget has left, and nothing applies without budgets', () => {
    expect(budgetStatus(ledger, {}, 'octo/demo')).toEqual({});
    expect(budgetStatus(ledger, { monthlyUsd: 10 }, 'octo/demo')).toEqual({ remainingUsd: 1 });
    expect(budgetStatus(ledger, { monthlyUsd: 20, repositoryMonthlyUsd: 8 }, 'Octo/Demo')).toEqual({ remainingUsd: 1 });
    expect(budgetStatus(ledger, { monthlyUsd: 20, repositoryMonthlyUsd: 8 }, 'other/repo')).toEqual({ remainingUsd: 6 });
    expect(budgetStatus(undefined, { monthlyUsd: 5, repositoryMonthlyUsd: 8 }, undefined)).toEqual({ remainingUsd: 5 });
  });

  it('names the budget that is spent, the stack first', () => {
    expect(budgetStatus(ledger, { monthlyUsd: 9, repositoryMonthlyUsd: 7 }, 'octo/demo')).toEqual({ remainingUsd: 0, exhausted: { scope: 'stack', limitUsd: 9, spentUsd: 9 } });
    const repo = budgetStatus(ledger, { monthlyUsd: 100, repositoryMonthlyUsd: 7 }, 'octo/demo');
    expect(repo).toEqual({ remainingUsd: 0, exhausted: { scope: 'repository', repository: 'octo/demo', limitUsd: 7, spentUsd: 7 } });
    expect(exhaustedMessage(repo.exhausted!, '2026-03')).toBe('the monthly budget of octo/demo of USD 7.00 is spent (USD 7.00 in 2026-03); no new task starts before next month or a higher budget');
  });
});

describe('budget settings and shares', () => {
  it('reads the budgets from the environment, 0 or empty meaning none', () => {
    expect(readBudgets({ MONTHLY_BUDGET_USD: '250', REPOSITORY_MONTHLY_BUDGET_USD: '0' })).toEqual({ monthlyUsd: 250 });
    expect(readBudgets({})).toEqual({});
    expect(() => readBudgets({ MONTHLY_BUDGET_USD: 'ten' })).toThrow(BudgetConfigError);
  });

  it('gives the share of input tokens read from the cache', () => {
    expect([cacheReadShare(U), cacheReadShare({ ...U, inputTokens: 0, cacheReadInputTokens: 0 })]).toEqual([0.75, 0]);
  });
});
