import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sourceTokenService, type SourceTokenOptions } from '../../../src/github/index.ts';
import { FakeGitHub } from '../../support/fake-github.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const PUBLIC = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const NOW = Date.parse('2026-03-01T12:00:00Z');

let github: FakeGitHub;
let logs: { level: string; message: string; data?: Record<string, unknown> }[];

beforeEach(async () => {
  github = await FakeGitHub.start({ app: { id: '42', publicKeyPem: PUBLIC, installationId: 777 }, clock: () => NOW });
  github.addRepo('acme', 'secret', { private: true, files: { 'PLAN.md': 'the plan\n' } });
  github.addRepo('acme', 'other-secret', { private: true, files: { 'X.md': 'x\n' } });
  logs = [];
});
afterEach(async () => {
  await github.stop();
});

function service(over: Partial<SourceTokenOptions> = {}) {
  return sourceTokenService({
    settings: { apiUrl: github.url, credentials: { kind: 'app', appId: '42', privateKey: { value: PRIVATE } } },
    secrets: async (ref) => ('value' in ref ? ref.value : 'unused'),
    clock: () => NOW,
    log: {
      info: (message, data) => void logs.push({ level: 'info', message, data }),
      warn: (message, data) => void logs.push({ level: 'warn', message, data }),
    },
    ...over,
  });
}

const get = (path: string, token: string, method = 'GET') => fetch(`${github.url}${path}`, { method, headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);

describe('sourceTokenService', () => {
  it('mints an installation token that can only read the one repository asked for', async () => {
    const answer = await service()({ owner: 'acme', repo: 'secret' });
    expect(answer).toEqual({ token: expect.stringMatching(/^ghs_/), expiresAt: '2026-03-01T13:00:00.000Z' });
    const token = (answer as { token: string }).token;
    expect(github.mintedTokens).toEqual([{ token, installationId: 777, repositories: ['secret'], permissions: { contents: 'read' } }]);
    expect(github.calls.map((c) => [c.method, c.path, c.body])).toEqual([
      ['GET', '/repos/acme/secret/installation', undefined],
      ['POST', '/app/installations/777/access_tokens', { repositories: ['secret'], permissions: { contents: 'read' } }],
    ]);
    expect([await get('/repos/acme/secret/tarball', token), await get('/repos/acme/other-secret/tarball', token), await get('/repos/acme/secret/git/refs', token, 'POST')]).toEqual([200, 404, 403]);
    expect(logs).toEqual([{ level: 'info', message: 'source token minted', data: { repository: 'acme/secret', expiresAt: '2026-03-01T13:00:00.000Z' } }]);
  });

  it('refuses malformed requests without calling GitHub', async () => {
    const mint = service();
    const bad = [undefined, null, 'acme/secret', {}, { owner: 'acme' }, { owner: 'acme', repo: 7 }, { owner: '../acme', repo: 'secret' }, { owner: 'acme', repo: '..' }, { owner: 'acme', repo: 'a/b' }, { owner: '-acme', repo: 'x' }];
    for (const request of bad) {
      expect([request, await mint(request)]).toEqual([request, { error: { code: 'invalid_request', message: 'expected {"owner": "...", "repo": "..."} naming a GitHub repository' } }]);
    }
    expect(github.calls).toEqual([]);
  });

  it('mints only for repositories matching ALLOWED_REPOSITORIES, ignoring case', async () => {
    const mint = service({ allowedRepositories: ['acme/*', 'friends/tool'] });
    expect(await mint({ owner: 'ACME', repo: 'Secret' })).toMatchObject({ token: expect.stringMatching(/^ghs_/) });
    expect(await mint({ owner: 'evil', repo: 'secret' })).toEqual({ error: { code: 'not_allowed', message: 'evil/secret is not in ALLOWED_REPOSITORIES' } });
    expect(github.calls.filter((c) => c.path.includes('evil'))).toEqual([]);
  });

  it('answers no_access when the App is not installed on the repository, and throws when GitHub refuses the App', async () => {
    github.fail('GET', /\/installation$/, 404);
    expect(await service()({ owner: 'acme', repo: 'secret' })).toEqual({
      error: { code: 'no_access', message: 'the GitHub App cannot read acme/secret: GitHub GET /repos/acme/secret/installation answered 404: injected failure' },
    });
    const wrongApp = service({ settings: { apiUrl: github.url, credentials: { kind: 'app', appId: '43', privateKey: { value: PRIVATE } } } });
    await expect(wrongApp({ owner: 'acme', repo: 'secret' })).rejects.toMatchObject({ name: 'GitHubApiError', statusCode: 401 });
  });

  it('hands out a plain token only when allowed to, since it cannot be scoped down', async () => {
    const settings = { apiUrl: github.url, credentials: { kind: 'token' as const, token: { arn: 'arn:token' } } };
    const secrets = async () => 'ghp_plain';
    expect(await service({ settings, secrets })({ owner: 'acme', repo: 'secret' })).toEqual({
      error: { code: 'unscoped_credential', message: 'a plain GitHub token cannot be limited to one repository or to reading; use a GitHub App, or set ALLOW_UNSCOPED_SOURCE_TOKEN=true to hand the token out anyway' },
    });
    expect(await service({ settings, secrets, allowUnscoped: true })({ owner: 'acme', repo: 'secret' })).toEqual({ token: 'ghp_plain', expiresAt: null });
    expect(JSON.stringify(logs)).not.toContain('ghp_plain');
  });
});
