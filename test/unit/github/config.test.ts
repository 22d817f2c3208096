import { describe, expect, it } from 'vitest';
import { cachedSecretReader, readGitHubSettings } from '../../../src/github/config.ts';

describe('readGitHubSettings', () => {
  it('reads secrets by ARN, with defaults for the API URL, label and check runs', () => {
    expect(readGitHubSettings({ GITHUB_WEBHOOK_SECRET_ARN: 'arn:w', GITHUB_TOKEN_SECRET_ARN: 'arn:t' }, { webhookSecret: true })).toEqual({
      apiUrl: 'https://api.github.com',
      credentials: { kind: 'token', token: { arn: 'arn:t' } },
      webhookSecret: { arn: 'arn:w' },
      triggerLabel: 'agent',
      triggerCheckRuns: false,
    });
  });

  it('prefers a GitHub App over a token value, and takes values for local runs', () => {
    const env = { GITHUB_API_URL: 'http://127.0.0.1:9/api/v3', GITHUB_APP_ID: '7', GITHUB_APP_PRIVATE_KEY_SECRET_ARN: 'arn:k', GITHUB_TOKEN: 'ghp', GITHUB_WEBHOOK_SECRET: 's', TRIGGER_LABEL: 'bot', TRIGGER_CHECK_RUNS: 'TRUE' };
    expect(readGitHubSettings(env, { webhookSecret: true })).toEqual({
      apiUrl: 'http://127.0.0.1:9/api/v3',
      credentials: { kind: 'app', appId: '7', privateKey: { arn: 'arn:k' } },
      webhookSecret: { value: 's' },
      triggerLabel: 'bot',
      triggerCheckRuns: true,
    });
    expect(readGitHubSettings({ GITHUB_TOKEN: 'ghp' }, { webhookSecret: false }).credentials).toEqual({ kind: 'token', token: { value: 'ghp' } });
  });

  it('refuses a configuration without credentials, without the webhook secret ingest needs, or with a bad URL', () => {
    expect(() => readGitHubSettings({}, { webhookSecret: false })).toThrow(/no GitHub credentials/);
    expect(() => readGitHubSettings({ GITHUB_TOKEN: 't' }, { webhookSecret: true })).toThrow(/no webhook secret/);
    expect(() => readGitHubSettings({ GITHUB_TOKEN: 't', GITHUB_API_URL: 'nope' }, { webhookSecret: false })).toThrow(/not a URL/);
  });
});

describe('cachedSecretReader', () => {
  it('fetches each ARN once within the TTL, again after it, and not after a failure is cached', async () => {
    let now = 0;
    const fetched: string[] = [];
    let fail = true;
    const read = cachedSecretReader(async (arn) => {
      fetched.push(arn);
      if (arn === 'arn:flaky' && fail) throw new Error('throttled');
      return ` value-of-${arn}\n`;
    }, () => now, 1_000);
    expect(await Promise.all([read({ arn: 'arn:a' }), read({ arn: 'arn:a' }), read({ value: 'v' })])).toEqual(['value-of-arn:a', 'value-of-arn:a', 'v']);
    await expect(read({ arn: 'arn:flaky' })).rejects.toThrow('throttled');
    fail = false;
    expect(await read({ arn: 'arn:flaky' })).toBe('value-of-arn:flaky');
    now = 1_500;
    await read({ arn: 'arn:a' });
    expect(fetched).toEqual(['arn:a', 'arn:flaky', 'arn:flaky', 'arn:a']);
  });
});
