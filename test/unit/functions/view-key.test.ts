import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { viewKeyFrom, viewLinkerFrom, viewTtlFrom } from '../../../functions/lib/view-key.ts';
import { verifyViewToken } from '../../../src/view/index.ts';
import { FAKE_CREDENTIALS, setEnv } from '../../support/fauxqs.ts';
import { startSecretsManager, type FakeSecretsManager } from '../../support/fake-secrets-manager.ts';

const ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:view-key-AbCdEf';
const KEY = 'generated-key-0123456789abcdefghijklmnopqrstuvwxyzABCD';
const NOW = Date.UTC(2025, 0, 1);
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Fake keys in process.env for the SDK's default chain (restored after the test). */
function fakeCredentials(): void {
  cleanups.push(setEnv({ AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey, AWS_SESSION_TOKEN: undefined, AWS_PROFILE: undefined, AWS_REGION: 'us-east-1' }));
}

async function secrets(): Promise<FakeSecretsManager> {
  const sm = await startSecretsManager(ARN, KEY);
  cleanups.push(() => sm.close());
  return sm;
}

/** A local SSM answering GetParameter for one name (JSON 1.1), counting calls. */
async function ssm(name: string, value: string): Promise<{ url: string; calls: string[] }> {
  const calls: string[] = [];
  const server = http.createServer(async (req, res) => {
    let body = '';
    for await (const c of req) body += c;
    calls.push(`${req.headers['x-amz-target']} ${JSON.parse(body).Name}`);
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ Parameter: { Name: name, Type: 'String', Value: value, Version: 1 } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls };
}

describe('functions/lib/view-key', () => {
  it('reads the key from VIEW_TOKEN_SECRET, or once from the secret VIEW_TOKEN_SECRET_ARN names', async () => {
    fakeCredentials();
    const sm = await secrets();
    expect(await viewKeyFrom({ VIEW_TOKEN_SECRET: ` ${KEY} ` }, () => NOW)!()).toBe(KEY);
    const fromArn = viewKeyFrom({ VIEW_TOKEN_SECRET_ARN: ARN, AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.url, AWS_REGION: 'us-east-1' }, () => NOW)!;
    expect([await fromArn(), await fromArn(), sm.calls]).toEqual([KEY, KEY, [`secretsmanager.GetSecretValue ${ARN}`]]);
    expect(viewKeyFrom({}, () => NOW)).toBeUndefined();
  });

  it('makes links with the page URL from VIEW_URL, or from the SSM parameter the publisher is given', async () => {
    fakeCredentials();
    const sm = await secrets();
    const param = await ssm('/agent-runner/stack/view-url', 'https://view.example/');
    cleanups.push(setEnv({ AWS_ENDPOINT_URL_SSM: param.url }));
    const direct = viewLinkerFrom({ VIEW_URL: 'https://direct.example/', VIEW_TOKEN_SECRET: KEY, VIEW_LINK_TTL_SECONDS: '60' }, () => NOW)!;
    const viaParameter = viewLinkerFrom({ VIEW_URL_PARAMETER: '/agent-runner/stack/view-url', VIEW_TOKEN_SECRET_ARN: ARN, AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.url, AWS_REGION: 'us-east-1' }, () => NOW)!;
    const a = new URL(await direct('t-1'));
    const b = new URL(await viaParameter('t-2'));
    await viaParameter('t-3');
    expect([a.origin + a.pathname, b.origin + b.pathname, param.calls]).toEqual([
      'https://direct.example/tasks/t-1/view',
      'https://view.example/tasks/t-2/view',
      ['AmazonSSM.GetParameter /agent-runner/stack/view-url'],
    ]);
    const ta = a.searchParams.get('token') ?? undefined;
    expect([verifyViewToken(KEY, 't-1', ta, NOW + 59_000), verifyViewToken(KEY, 't-1', ta, NOW + 60_000)]).toEqual([true, false]);
    expect(verifyViewToken(KEY, 't-2', b.searchParams.get('token') ?? undefined, NOW + 6 * 24 * 3600_000)).toBe(true);
  });

  it('makes no links without a key or a page URL, and refuses a malformed lifetime', () => {
    expect([viewLinkerFrom({ VIEW_URL: 'https://v.example/' }, () => NOW), viewLinkerFrom({ VIEW_TOKEN_SECRET: KEY }, () => NOW)]).toEqual([undefined, undefined]);
    expect([viewTtlFrom({}), viewTtlFrom({ VIEW_LINK_TTL_SECONDS: '3600' })]).toEqual([undefined, 3600]);
    expect(() => viewTtlFrom({ VIEW_LINK_TTL_SECONDS: '1.5' })).toThrow(/VIEW_LINK_TTL_SECONDS/);
  });
});
