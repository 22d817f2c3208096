import { describe, expect, it } from 'vitest';
import { loadConfig, ConfigError } from '../../../src/config/index.ts';
import { costUsd, lookupModel, ModelNotSupportedError, requireToolModel } from '../../../src/providers/index.ts';

const ARN = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6';
const HAIKU = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';

describe('application inference profiles', () => {
  it('take the capabilities and prices of the model they are mapped to, keeping the ARN as the id', () => {
    const info = lookupModel(ARN, { [ARN]: HAIKU })!;
    const haiku = lookupModel(HAIKU)!;
    expect({ ...info, id: HAIKU, baseModel: undefined }).toEqual({ ...haiku, baseModel: undefined });
    expect([info.id, info.baseModel]).toEqual([ARN, HAIKU]);
    const usage = { inputTokens: 1_000_000, outputTokens: 100_000, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 };
    expect(costUsd(usage, info)).toBe(1.5);
  });

  it('without a mapping are refused, saying how to map them', () => {
    expect(lookupModel(ARN)).toBeUndefined();
    expect(() => requireToolModel(ARN, {})).toThrow(ModelNotSupportedError);
    expect(() => requireToolModel(ARN)).toThrow(`application inference profile ${ARN} is not mapped to the model it routes to: add it under [bedrock.application_inference_profiles]`);
  });

  it('are mapped by the configuration file, its profiles, and the worker environment', () => {
    const text = `[bedrock.application_inference_profiles]\n"${ARN}" = "${HAIKU}"\n[profiles.team.bedrock.application_inference_profiles]\n"${ARN.replace('a1b2', 'ffff')}" = "${HAIKU}"\n`;
    const other = 'arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/zz9';
    const env = { APPLICATION_INFERENCE_PROFILES: ` ${other} `, APPLICATION_INFERENCE_PROFILE_MODELS: 'eu.amazon.nova-pro-v1:0' };
    expect(loadConfig({ text, env, profile: 'team' }).config.applicationInferenceProfiles).toEqual({
      [other]: 'eu.amazon.nova-pro-v1:0',
      [ARN]: HAIKU,
      [ARN.replace('a1b2', 'ffff')]: HAIKU,
    });
  });

  it('refuse lists of different lengths and keys that are not application inference profile ARNs', () => {
    expect(() => loadConfig({ env: { APPLICATION_INFERENCE_PROFILES: `${ARN},${ARN}x`, APPLICATION_INFERENCE_PROFILE_MODELS: HAIKU } })).toThrow(
      'environment: APPLICATION_INFERENCE_PROFILES names 2 profile(s) but APPLICATION_INFERENCE_PROFILE_MODELS 1 model(s)',
    );
    expect(() => loadConfig({ text: `[bedrock.application_inference_profiles]\n"${HAIKU}" = "${HAIKU}"\n` })).toThrow(ConfigError);
  });
});
