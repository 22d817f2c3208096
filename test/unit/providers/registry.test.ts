import { describe, expect, it } from 'vitest';
import { costUsd, lookupModel, ModelNotSupportedError, requireToolModel } from '../../../src/providers/index.ts';

const caps = (id: string) => {
  const m = lookupModel(id);
  return m && { family: m.family, toolUse: m.toolUse, streamingToolUse: m.streamingToolUse, reasoning: m.reasoning, cachePoints: m.cachePoints, profileOnly: m.profileOnly };
};

describe('lookupModel', () => {
  it('refuses ids Bedrock would not take: a known id followed by a path, or a slash outside an ARN', () => {
    const ids = [
      'us.anthropic.claude-sonnet-4-5-20250929-v1:0/../../x',
      'anthropic.claude-sonnet-4-5-20250929-v1:0/x',
      'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0/../x',
      'arn:aws:bedrock:us-east-1:123456789012:inference-profile/../us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      'anthropic.claude-sonnet-4-5-20250929-v1:0 ',
      'anthropic.claude-sonnet-4-5-20250929-v1:0?x=1',
    ];
    expect(ids.map((id) => [id, lookupModel(id)?.family])).toEqual(ids.map((id) => [id, undefined]));
  });

  it('knows the current Claude models, bare, as inference profiles and as ARNs', () => {
    const sonnet45 = { family: 'claude-sonnet-4.5', toolUse: true, streamingToolUse: true, reasoning: true, cachePoints: true, profileOnly: true };
    expect(caps('us.anthropic.claude-sonnet-4-5-20250929-v1:0')).toEqual(sonnet45);
    expect(caps('anthropic.claude-sonnet-4-5-20250929-v1:0')).toEqual(sonnet45);
    expect(caps('global.anthropic.claude-sonnet-4-5-20250929-v1:0')).toEqual(sonnet45);
    expect(caps('arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0')).toEqual(sonnet45);
    expect(caps('arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-sonnet-4-5-20250929-v1:0')).toEqual(sonnet45);
    expect(caps('arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/anthropic.claude-sonnet-4-5-20250929-v1:0')).toEqual(sonnet45);
    const families = [
      ['anthropic.claude-sonnet-4-20250514-v1:0', 'claude-sonnet-4'],
      ['anthropic.claude-sonnet-4-20250514', 'claude-sonnet-4'],
      ['apac.anthropic.claude-sonnet-4-20250514-v1:0', 'claude-sonnet-4'],
      ['anthropic.claude-opus-4-20250514-v1:0', 'claude-opus-4'],
      ['anthropic.claude-opus-4-1-20250805-v1:0', 'claude-opus-4.1'],
      ['anthropic.claude-opus-4-5-20251101-v1:0', 'claude-opus-4.5'],
      ['anthropic.claude-haiku-4-5-20251001-v1:0', 'claude-haiku-4.5'],
      ['jp.anthropic.claude-haiku-4-5-20251001-v1:0', 'claude-haiku-4.5'],
      ['au.anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4.5'],
      ['us-gov.anthropic.claude-3-7-sonnet-20250219-v1:0', 'claude-3.7-sonnet'],
      ['eu.anthropic.claude-sonnet-4-6', 'claude-sonnet-4.6'],
      ['anthropic.claude-opus-4-6-v1', 'claude-opus-4.6'],
      ['anthropic.claude-3-5-haiku-20241022-v1:0', 'claude-3.5-haiku'],
      ['anthropic.claude-3-5-sonnet-20241022-v2:0', 'claude-3.5-sonnet'],
      ['anthropic.claude-3-haiku-20240307-v1:0:200k', 'claude-3-haiku'],
      ['anthropic.claude-haiku-3-20250722', 'claude-3-haiku'],
    ];
    expect(families.map(([id]) => [id, lookupModel(id)?.family])).toEqual(families);
  });

  it('knows Nova, Llama, Mistral, gpt-oss, Qwen, DeepSeek and Command R with their tool-use support', () => {
    const rows: [string, string, boolean, boolean][] = [
      ['amazon.nova-pro-v1:0', 'nova-pro', true, true],
      ['amazon.nova-micro-v1:0', 'nova-micro', true, true],
      ['amazon.nova-lite-v1:0', 'nova-lite', true, true],
      ['us.amazon.nova-premier-v1:0', 'nova-premier', true, true],
      ['meta.llama3-3-70b-instruct-v1:0', 'llama-3.3', true, false],
      ['us.meta.llama3-1-70b-instruct-v1:0', 'llama-3.1', true, false],
      ['us.meta.llama3-2-90b-instruct-v1:0', 'llama-3.2', true, false],
      ['us.meta.llama4-maverick-17b-instruct-v1:0', 'llama-4', true, false],
      ['mistral.mistral-large-2407-v1:0', 'mistral-large', true, false],
      ['mistral.mistral-small-2402-v1:0', 'mistral-small', true, false],
      ['openai.gpt-oss-120b-1:0', 'gpt-oss-120b', true, true],
      ['openai.gpt-oss-20b-1:0', 'gpt-oss-20b', true, true],
      ['qwen.qwen3-32b-v1:0', 'qwen3', true, true],
      ['qwen.qwen3-coder-480b-a35b-v1:0', 'qwen3-coder', true, true],
      ['deepseek.v3-v1:0', 'deepseek-v3', true, true],
      ['us.deepseek.r1-v1:0', 'deepseek-r1', false, false],
      ['cohere.command-r-plus-v1:0', 'command-r-plus', true, false],
      ['cohere.command-r-v1:0', 'command-r', true, false],
      ['amazon.titan-text-express-v1', 'titan-text', false, false],
      ['meta.llama2-70b-chat-v1', 'llama-2', false, false],
      ['ai21.j2-ultra-v1', 'jurassic-2', false, false],
      ['mistral.mistral-7b-instruct-v0:2', 'mistral-7b', false, false],
    ];
    expect(rows.map(([id]) => { const m = lookupModel(id); return [id, m?.family, m?.toolUse, m?.streamingToolUse]; })).toEqual(rows);
  });

  it('returns the whole entry with the id as given', () => {
    expect(lookupModel('us.anthropic.claude-sonnet-4-5-20250929-v1:0')).toEqual({
      id: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      family: 'claude-sonnet-4.5',
      toolUse: true,
      streamingToolUse: true,
      reasoning: true,
      cachePoints: true,
      minCacheTokens: 1024,
      contextWindow: 200_000,
      maxOutputTokens: 64_000,
      price: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
      thinking: true,
      cacheTools: true,
      profileOnly: true,
      globalProfile: true,
      toolResultImages: 4,
    });
  });

  it('lets Claude 3 and later vision models take images in tool results, and no other model', () => {
    const ids = ['anthropic.claude-3-haiku-20240307-v1:0', 'anthropic.claude-3-5-haiku-20241022-v1:0', 'us.amazon.nova-pro-v1:0', 'meta.llama3-3-70b-instruct-v1:0', 'us.anthropic.claude-opus-4-1-20250805-v1:0'];
    expect(ids.map((id) => [id, lookupModel(id)?.toolResultImages ?? 0])).toEqual([[ids[0], 4], [ids[1], 0], [ids[2], 0], [ids[3], 0], [ids[4], 4]]);
  });

  it('does not know made-up or empty ids', () => {
    expect([lookupModel('acme.super-model-v1'), lookupModel(''), lookupModel('anthropic.claude-sonnet-9-20990101-v1:0')]).toEqual([undefined, undefined, undefined]);
  });
});

describe('requireToolModel', () => {
  it('returns tool-capable models', () => {
    expect(requireToolModel('meta.llama3-3-70b-instruct-v1:0').family).toBe('llama-3.3');
  });

  it('throws ModelNotSupportedError naming an unknown model', () => {
    const err = (() => { try { requireToolModel('acme.super-model-v1'); } catch (e) { return e; } })() as ModelNotSupportedError;
    expect(err).toBeInstanceOf(ModelNotSupportedError);
    expect({ name: err.name, code: err.code, model: err.model, retryable: err.retryable }).toEqual({ name: 'ModelNotSupportedError', code: 'ModelNotSupported', model: 'acme.super-model-v1', retryable: false });
    expect(err.message).toContain('acme.super-model-v1');
  });

  it('throws ModelNotSupportedError for a known model without tool use', () => {
    expect(() => requireToolModel('amazon.titan-text-express-v1')).toThrow(/amazon\.titan-text-express-v1 does not support tool use/);
  });
});

describe('costUsd', () => {
  it('prices input, output, cache reads and cache writes apart', () => {
    const model = requireToolModel('anthropic.claude-sonnet-4-20250514-v1:0');
    const usage = { inputTokens: 1_000_000, outputTokens: 100_000, cacheReadInputTokens: 2_000_000, cacheWriteInputTokens: 10_000 };
    expect(costUsd(usage, model)).toBeCloseTo(3 + 1.5 + 0.6 + 0.0375, 10);
  });

  it('is 0 for no usage', () => {
    expect(costUsd({ inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 }, requireToolModel('amazon.nova-pro-v1:0'))).toBe(0);
  });
});
