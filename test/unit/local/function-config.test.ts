import { describe, expect, it } from 'vitest';
import { functionConfig, passThroughVariables } from '../../../src/local/function-config.ts';

describe('a function\'s configuration for local runs', () => {
  it('passes on only the caller\'s endpoint and network variables', () => {
    expect(passThroughVariables({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: 'http://127.0.0.1:1', AWS_ENDPOINT_URL: 'http://e', HTTPS_PROXY: 'p', AWS_SECRET_ACCESS_KEY: 's', HOME: '/root', MODEL_ID: 'm' })).toEqual({
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: 'http://127.0.0.1:1',
      AWS_ENDPOINT_URL: 'http://e',
      HTTPS_PROXY: 'p',
    });
  });

  it("reads a function's settings and literal variables from the template, Globals beneath", () => {
    const template = {
      Globals: { Function: { Timeout: 30, Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps', ARTIFACT_BUCKET: { Ref: 'ArtifactBucket' } } } } },
      Resources: { Worker: { Properties: { Timeout: 900, MemorySize: 2048, EphemeralStorage: { Size: 4096 }, Environment: { Variables: { NODE_OPTIONS: '--max-semi-space-size=2', MAX_TURNS: 50, MODEL_ID: { Ref: 'ModelId' } } } } }, Progress: { Properties: {} } },
    };
    expect(functionConfig(template, 'Worker')).toEqual({ logicalId: 'Worker', timeoutS: 900, memoryMb: 2048, ephemeralMb: 4096, variables: { NODE_OPTIONS: '--max-semi-space-size=2', MAX_TURNS: '50' } });
    expect(functionConfig(template, 'Progress')).toEqual({ logicalId: 'Progress', timeoutS: 30, memoryMb: 128, ephemeralMb: 512, variables: { NODE_OPTIONS: '--enable-source-maps' } });
  });
});
