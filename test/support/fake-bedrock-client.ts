/** A real Bedrock Runtime client pointed at a fake, over HTTP/2 (the SDK default) or HTTP/1.1. */
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createBedrockClient } from '../../src/providers/index.ts';
import type { FakeBedrock } from './fake-bedrock.ts';

export type ClientProtocol = 'h2' | 'http1';

/** The provider's own client (`createBedrockClient`: one attempt a call) with fake static keys and the fake's URL as endpoint. */
export function fakeBedrockClient(fake: Pick<FakeBedrock, 'url'>, protocol: ClientProtocol = 'h2', region = 'us-east-1'): BedrockRuntimeClient {
  return createBedrockClient({
    region,
    endpoint: fake.url,
    credentials: { accessKeyId: 'AKIDFAKEBEDROCK', secretAccessKey: 'fake-secret' },
    ...(protocol === 'http1' ? { requestHandler: new NodeHttpHandler() } : {}),
  });
}
