import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appTokenProvider, createAppJwt } from '../../../src/github/auth.ts';
import { GitHubClient } from '../../../src/github/client.ts';
import { FakeGitHub } from '../../support/fake-github.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const PUBLIC = publicKey.export({ type: 'spki', format: 'pem' }).toString();

describe('createAppJwt', () => {
  it('is an RS256 token issued by the App, valid from a minute ago for nine minutes', async () => {
    const jwt = await createAppJwt('12345', PRIVATE, 1_700_000_000);
    const [h, p, s] = jwt.split('.');
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(JSON.parse(Buffer.from(p, 'base64url').toString())).toEqual({ iat: 1_699_999_940, exp: 1_700_000_540, iss: '12345' });
    expect(verify('RSA-SHA256', Buffer.from(`${h}.${p}`), createPublicKey(PUBLIC), Buffer.from(s, 'base64url'))).toBe(true);
  });

  it('refuses a key that is not PEM', async () => {
    await expect(createAppJwt('1', 'not a key', 0)).rejects.toThrow(expect.objectContaining({ name: 'GitHubConfigError' }));
  });
});

describe('appTokenProvider', () => {
  let github: FakeGitHub;
  let now: number;
  beforeEach(async () => {
    now = Date.now();
    github = await FakeGitHub.start({ app: { id: '42', publicKeyPem: PUBLIC, installationId: 777 }, clock: () => now });
    github.addRepo('o', 'r');
  });
  afterEach(async () => {
    await github.stop();
  });

  it('finds the installation, mints a token scoped to the repository and reuses it until near expiry', async () => {
    const tokens = appTokenProvider({ appId: '42', privateKey: async () => PRIVATE, apiUrl: github.url, clock: () => now });
    const first = await tokens({ owner: 'o', repo: 'r' });
    const second = await tokens({ owner: 'o', repo: 'r' });
    expect(first).toMatch(/^ghs_/);
    expect(second).toBe(first);
    expect(github.calls.map((c) => [c.method, c.path, c.body])).toEqual([
      ['GET', '/repos/o/r/installation', undefined],
      ['POST', '/app/installations/777/access_tokens', { repositories: ['r'] }],
    ]);
    now += 56 * 60_000;
    const third = await tokens({ owner: 'o', repo: 'r' });
    expect(third).not.toBe(first);
    expect(github.calls.map((c) => c.path).slice(2)).toEqual(['/app/installations/777/access_tokens']);
    // The fake accepts the minted token on repository calls.
    const res = await fetch(`${github.url}/repos/o/r`, { headers: { authorization: `Bearer ${third}` } });
    expect(res.status).toBe(200);
  });

  it("uses the delivery's installation id without a lookup", async () => {
    const tokens = appTokenProvider({ appId: '42', privateKey: async () => PRIVATE, apiUrl: github.url, clock: () => now });
    await tokens({ owner: 'o', repo: 'r' }, { installationId: 777 });
    expect(github.calls.map((c) => c.path)).toEqual(['/app/installations/777/access_tokens']);
  });

  it('fails when GitHub refuses the JWT (wrong App id)', async () => {
    const tokens = appTokenProvider({ appId: '43', privateKey: async () => PRIVATE, apiUrl: github.url, clock: () => now });
    await expect(tokens({ owner: 'o', repo: 'r' })).rejects.toMatchObject({ name: 'GitHubApiError', statusCode: 401 });
    await expect(tokens({ owner: 'o', repo: 'r' }, { installationId: 777 })).rejects.toMatchObject({ name: 'GitHubApiError', statusCode: 401, method: 'POST', path: '/app/installations/777/access_tokens' });
  });
});

describe('appTokenProvider under a GitHub Enterprise Server API root', () => {
  it('mints under /api/v3 and the token works there for the REST calls of the client', async () => {
    const github = await FakeGitHub.start({ prefix: '/api/v3', app: { id: '42', publicKeyPem: PUBLIC, installationId: 777 } });
    try {
      github.addRepo('o', 'r', { defaultBranch: 'trunk' });
      const apiUrl = github.url;
      expect(new URL(apiUrl).pathname).toBe('/api/v3');
      const tokens = appTokenProvider({ appId: '42', privateKey: async () => PRIVATE, apiUrl, clock: Date.now });
      const client = new GitHubClient({ apiUrl, token: () => tokens({ owner: 'o', repo: 'r' }) });
      expect((await client.get<{ default_branch: string }>('/repos/o/r')).data.default_branch).toBe('trunk');
      expect(github.calls.map((c) => [c.method, c.path, c.authorization?.split(' ')[0]])).toEqual([
        ['GET', '/repos/o/r/installation', 'Bearer'],
        ['POST', '/app/installations/777/access_tokens', 'Bearer'],
        ['GET', '/repos/o/r', 'Bearer'],
      ]);
      expect(github.calls[2].authorization).toBe(`Bearer ${github.mintedTokens[0].token}`);
    } finally {
      await github.stop();
    }
  });
});
