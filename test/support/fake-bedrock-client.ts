/** A real Bedrock Runtime client pointed at a fake, over HTTP/2 (the SDK default) or HTTP/1.1. */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { FakeBedrock } from './fake-bedrock.ts';

export type ClientProtocol = 'h2' | 'http1';

/** Fake static keys, `maxAttempts: 1` (the provider retries), the fake's URL as endpoint. */
export function fakeBedrockClient(fake: Pick<FakeBedrock, 'url'>, protocol: ClientProtocol = 'h2', region = 'us-east-1'): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    region,
    endpoint: fake.url,
    credentials: { accessKeyId: 'AKIDFAKEBEDROCK', secretAccessKey: 'fake-secret' },
    maxAttempts: 1,
    ...(protocol === 'http1' ? { requestHandler: new NodeHttpHandler() } : {}),
  });
}
