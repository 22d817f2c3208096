import { describe, expect, it } from 'vitest';
import { reasoningConfig, requireToolModel } from '../../../../src/providers/index.ts';

const claude = requireToolModel('us.anthropic.claude-sonnet-4-5-20250929-v1:0');

describe('reasoningConfig', () => {
  it('enables thinking with a budget per effort and maxTokens above the budget', () => {
    expect(['minimal', 'low', 'medium', 'high'].map((e) => reasoningConfig(claude, e as 'low'))).toEqual([
      { additionalModelRequestFields: { thinking: { type: 'enabled', budget_tokens: 1024 } }, maxTokens: 5120 },
      { additionalModelRequestFields: { thinking: { type: 'enabled', budget_tokens: 2048 } }, maxTokens: 6144 },
      { additionalModelRequestFields: { thinking: { type: 'enabled', budget_tokens: 8192 } }, maxTokens: 12288 },
      { additionalModelRequestFields: { thinking: { type: 'enabled', budget_tokens: 24576 } }, maxTokens: 28672 },
    ]);
  });

  it('keeps a larger requested maxTokens, within the model maximum', () => {
    expect([reasoningConfig(claude, 'low', 32_000)?.maxTokens, reasoningConfig(claude, 'high', 500_000)?.maxTokens]).toEqual([32_000, 64_000]);
  });

  it('keeps the budget below a small output maximum', () => {
    const small = { thinking: true, maxOutputTokens: 16_000 };
    expect(reasoningConfig(small, 'high')).toEqual({ additionalModelRequestFields: { thinking: { type: 'enabled', budget_tokens: 11_904 } }, maxTokens: 16_000 });
  });

  it('gives nothing for models without thinking or without an effort', () => {
    expect([reasoningConfig(requireToolModel('amazon.nova-pro-v1:0'), 'high'), reasoningConfig(requireToolModel('openai.gpt-oss-120b-1:0'), 'low'), reasoningConfig(claude, undefined)]).toEqual([undefined, undefined, undefined]);
  });
});
