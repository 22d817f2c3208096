import { describe, expect, it } from 'vitest';
import { addSpend, emptyLedger, formatUsage } from '../../../src/budget/index.ts';

const T = Date.parse('2026-03-10T00:00:00Z');
const SONNET = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const ARN = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/p1';

describe('formatUsage', () => {
  it('prints the month, the budgets and a row per repository and model, the costliest first', () => {
    let l = emptyLedger('2026-03', T);
    l = addSpend(l, { taskId: 'a', repository: 'octo/demo', model: SONNET, costUsd: 0.5, usage: { inputTokens: 1000, outputTokens: 200, cacheReadInputTokens: 3000, cacheWriteInputTokens: 0 } }, T)!;
    l = addSpend(l, { taskId: 'b', model: ARN, baseModel: SONNET, costUsd: 1.25, usage: { inputTokens: 500, outputTokens: 50, cacheReadInputTokens: 0, cacheWriteInputTokens: 500 } }, T)!;
    expect(formatUsage('2026-03', l, { monthlyUsd: 10, repositoryMonthlyUsd: 2 }).split('\n')).toEqual([
      'spend in 2026-03: USD 1.7500 over 2 tasks (stack budget USD 10.00, USD 8.25 left; USD 2.00 per repository)',
      `REPOSITORY  MODEL${' '.repeat(ARN.length + SONNET.length)}TASKS  INPUT TOKENS  OUTPUT TOKENS  CACHE READ     USD`,
      `(none)      ${ARN} (${SONNET})      1          1000             50          0%  1.2500`,
      `octo/demo   ${SONNET}${' '.repeat(ARN.length + 3)}      1          4000            200         75%  0.5000`,
    ]);
  });

  it('says so when nothing was spent', () => {
    expect(formatUsage('2026-02', undefined, undefined)).toBe('spend in 2026-02: USD 0.0000 over 0 tasks');
  });
});
