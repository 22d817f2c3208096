import { describe, expect, it } from 'vitest';
import { freeOf, lookupOpenAIModel, permissiveModelInfo } from '../../../../src/providers/openai/models.ts';

describe('OpenAI model table', () => {
  it('knows the current OpenAI models with their prices and windows', () => {
    expect(lookupOpenAIModel('gpt-5')).toEqual({
      id: 'gpt-5',
      family: 'gpt-5',
      toolUse: true,
      streamingToolUse: true,
      reasoning: true,
      cachePoints: false,
      minCacheTokens: 0,
      contextWindow: 400_000,
      maxOutputTokens: 128_000,
      price: { input: 1.25, output: 10, cacheRead: 0.125, cacheWrite: 0 },
    });
    const ids = ['gpt-5-mini', 'gpt-5-nano', 'gpt-5-codex', 'gpt-5.1', 'gpt-4.1', 'gpt-4.1-2025-04-14', 'gpt-4.1-mini', 'o3', 'o3-2025-04-16', 'o4-mini', 'gpt-4o', 'gpt-oss:20b', 'gpt-oss:120b', 'openai/gpt-oss-20b'];
    expect(ids.map((id) => [id, lookupOpenAIModel(id)?.family, lookupOpenAIModel(id)?.reasoning])).toEqual([
      ['gpt-5-mini', 'gpt-5-mini', true],
      ['gpt-5-nano', 'gpt-5-nano', true],
      ['gpt-5-codex', 'gpt-5', true],
      ['gpt-5.1', 'gpt-5', true],
      ['gpt-4.1', 'gpt-4.1', false],
      ['gpt-4.1-2025-04-14', 'gpt-4.1', false],
      ['gpt-4.1-mini', 'gpt-4.1-mini', false],
      ['o3', 'o3', true],
      ['o3-2025-04-16', 'o3', true],
      ['o4-mini', 'o4-mini', true],
      ['gpt-4o', 'gpt-4o', false],
      ['gpt-oss:20b', 'gpt-oss-20b', true],
      ['gpt-oss:120b', 'gpt-oss-120b', true],
      ['openai/gpt-oss-20b', 'gpt-oss-20b', true],
    ]);
    expect(lookupOpenAIModel('o3')?.price).toEqual({ input: 2, output: 8, cacheRead: 0.5, cacheWrite: 0 });
  });

  it('does not know other ids', () => {
    expect([lookupOpenAIModel('llama3.1:8b'), lookupOpenAIModel('o3x'), lookupOpenAIModel('')]).toEqual([undefined, undefined, undefined]);
  });

  it('assumes tool use and no price for unknown models of the user\'s own endpoints', () => {
    expect(permissiveModelInfo('qwen2.5-coder:7b')).toMatchObject({ id: 'qwen2.5-coder:7b', toolUse: true, streamingToolUse: true, reasoning: false, contextWindow: 128_000, price: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 } });
    expect(freeOf(lookupOpenAIModel('gpt-5')!).price).toEqual({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });
  });
});
