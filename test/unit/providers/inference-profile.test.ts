import { describe, expect, it } from 'vitest';
import { isProfileOrArn, parseModelId, regionGroup, toInferenceProfileId } from '../../../src/providers/index.ts';

describe('regionGroup', () => {
  it('maps Regions to the geography of their inference profiles', () => {
    const regions = ['us-east-1', 'us-west-2', 'ca-central-1', 'us-gov-west-1', 'eu-central-1', 'eu-west-3', 'ap-northeast-1', 'ap-southeast-2', 'ap-south-1', 'sa-east-1', 'me-central-1'];
    expect(regions.map((r) => regionGroup(r))).toEqual(['us', 'us', 'us', 'us-gov', 'eu', 'eu', 'apac', 'apac', 'apac', undefined, undefined]);
  });

  it('uses the jp and au country profiles only when asked', () => {
    const regions = ['ap-northeast-1', 'ap-northeast-3', 'ap-southeast-2', 'ap-southeast-4', 'ap-southeast-1', 'us-east-1'];
    expect(regions.map((r) => regionGroup(r, { countryProfiles: true }))).toEqual(['jp', 'jp', 'au', 'au', 'apac', 'us']);
  });
});

describe('toInferenceProfileId', () => {
  const id = 'anthropic.claude-sonnet-4-20250514-v1:0';
  it('prefixes a bare id with the Region geography', () => {
    expect([toInferenceProfileId(id, 'us-east-1'), toInferenceProfileId(id, 'eu-west-1'), toInferenceProfileId(id, 'ap-northeast-1'), toInferenceProfileId(id, 'ap-northeast-1', { countryProfiles: true })]).toEqual([
      `us.${id}`, `eu.${id}`, `apac.${id}`, `jp.${id}`,
    ]);
  });

  it('prefers the global profile when asked', () => {
    expect(toInferenceProfileId(id, 'eu-west-1', { global: true })).toBe(`global.${id}`);
  });

  it('keeps profile ids, ARNs, and ids in Regions without a geography as given', () => {
    const arn = `arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123`;
    expect([toInferenceProfileId(`eu.${id}`, 'us-east-1'), toInferenceProfileId(arn, 'us-east-1', { global: true }), toInferenceProfileId(id, 'sa-east-1')]).toEqual([`eu.${id}`, arn, id]);
  });
});

describe('parseModelId', () => {
  it('splits ARNs and geography prefixes from the base id', () => {
    expect([
      parseModelId('us.Anthropic.claude-3-7-sonnet-20250219-v1:0'),
      parseModelId('arn:aws:bedrock:us-west-2::foundation-model/meta.llama3-1-8b-instruct-v1:0'),
      parseModelId('arn:aws-us-gov:bedrock:us-gov-west-1:1:inference-profile/us-gov.anthropic.claude-3-5-sonnet-20240620-v1:0'),
      parseModelId('amazon.nova-pro-v1:0'),
    ]).toEqual([
      { base: 'anthropic.claude-3-7-sonnet-20250219-v1:0', prefix: 'us' },
      { base: 'meta.llama3-1-8b-instruct-v1:0', arnType: 'foundation-model' },
      { base: 'anthropic.claude-3-5-sonnet-20240620-v1:0', prefix: 'us-gov', arnType: 'inference-profile' },
      { base: 'amazon.nova-pro-v1:0' },
    ]);
    expect([isProfileOrArn('amazon.nova-pro-v1:0'), isProfileOrArn('us.amazon.nova-pro-v1:0')]).toEqual([false, true]);
  });
});
