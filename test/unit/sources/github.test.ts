import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetchGitHubSource, githubTarballUrl, SourceError } from '../../../src/sources/index.ts';
import { buildTar, sourceError } from './tar-builder.ts';

interface Seen {
  server: 'api' | 'codeload';
  url: string;
  authorization?: string;
}

let tmp: string;
let api: http.Server;
let codeload: http.Server;
let apiUrl: string;
let codeloadUrl: string;
const seen: Seen[] = [];
let n = 0;

const TARBALL = buildTar([
  { path: 'pax_global_header', type: 'GlobalExtendedHeader', body: '52 comment=0123456789abcdef0123456789abcdef01234567\n' },
  { path: 'octo-hello-0123456/', type: 'Directory' },
  { path: 'octo-hello-0123456/README.md', type: 'File', body: '# hello\n' },
  { path: 'octo-hello-0123456/src/', type: 'Directory' },
  { path: 'octo-hello-0123456/src/index.js', type: 'File', body: 'export {};\n' },
]);

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'github-source-'));
  codeload = http.createServer((req, res) => {
    seen.push({ server: 'codeload', url: req.url ?? '', authorization: req.headers.authorization });
    res.writeHead(200, { 'content-type': 'application/x-gzip' }).end(TARBALL);
  });
  codeloadUrl = await listen(codeload);
  // The API answers under a path prefix, like GitHub Enterprise's /api/v3.
  api = http.createServer((req, res) => {
    seen.push({ server: 'api', url: req.url ?? '', authorization: req.headers.authorization });
    const url = req.url ?? '';
    if (url.startsWith('/api/v3/repos/octo/hello/tarball')) {
      const ref = url.slice('/api/v3/repos/octo/hello/tarball'.length) || '/HEAD';
      res.writeHead(302, { location: `${codeloadUrl}/octo/hello/legacy.tar.gz/refs/heads${ref}` }).end();
    } else if (url.startsWith('/api/v3/repos/octo/flaky/')) {
      res.writeHead(502).end('bad gateway');
    } else if (url.startsWith('/api/v3/repos/octo/limited/')) {
      res.writeHead(403, { 'x-ratelimit-remaining': '0' }).end('{"message":"API rate limit exceeded"}');
    } else if (url.startsWith('/api/v3/repos/octo/garbage/')) {
      res.writeHead(200).end('<html>not a tarball</html>'.repeat(40));
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
    }
  });
  apiUrl = (await listen(api)) + '/api/v3/';
});

afterAll(async () => {
  for (const s of [api, codeload]) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});

beforeEach(() => {
  seen.length = 0;
});

function dest(): string {
  return path.join(tmp, `ws-${++n}`);
}

describe('fetchGitHubSource', () => {
  it('downloads the tarball at a ref and strips the top folder', async () => {
    const d = dest();
    const stats = await fetchGitHubSource({ owner: 'octo', repo: 'hello', ref: 'feature/x' }, d, { apiUrl, token: 'ghs_secret' });
    expect(fs.readFileSync(path.join(d, 'README.md'), 'utf8')).toBe('# hello\n');
    expect(fs.readFileSync(path.join(d, 'src/index.js'), 'utf8')).toBe('export {};\n');
    expect(fs.readdirSync(d).sort()).toEqual(['README.md', 'src']);
    expect(stats).toEqual({ files: 3, bytes: 8 + 11 });
    // The token goes to the API only; the download host gets no Authorization header.
    expect(seen).toEqual([
      { server: 'api', url: '/api/v3/repos/octo/hello/tarball/feature/x', authorization: 'Bearer ghs_secret' },
      { server: 'codeload', url: '/octo/hello/legacy.tar.gz/refs/heads/feature/x', authorization: undefined },
    ]);
  });

  it('asks for the default branch when no ref is given, without a token when none is configured', async () => {
    await fetchGitHubSource({ owner: 'octo', repo: 'hello' }, dest(), { apiUrl });
    expect(seen[0]).toEqual({ server: 'api', url: '/api/v3/repos/octo/hello/tarball', authorization: undefined });
  });

  it('fails without retry on 404', async () => {
    const err = await sourceError(fetchGitHubSource({ owner: 'octo', repo: 'missing', ref: 'main' }, dest(), { apiUrl }));
    expect(err).toBeInstanceOf(SourceError);
    const e = err as SourceError;
    expect({ code: e.code, retryable: e.retryable, statusCode: e.statusCode, message: e.message }).toEqual({
      code: 'source_not_found',
      retryable: false,
      statusCode: 404,
      message: 'GitHub answered 404 Not Found for the tarball of octo/missing@main',
    });
  });

  it('retries on 5xx, rate limits and unreachable hosts', async () => {
    const errs = await Promise.all([
      sourceError(fetchGitHubSource({ owner: 'octo', repo: 'flaky' }, dest(), { apiUrl })),
      sourceError(fetchGitHubSource({ owner: 'octo', repo: 'limited' }, dest(), { apiUrl })),
      sourceError(fetchGitHubSource({ owner: 'octo', repo: 'x' }, dest(), { apiUrl: 'http://127.0.0.1:9' })),
    ]);
    expect(errs.map((e) => [e.code, e.retryable, e.statusCode])).toEqual([
      ['source_unavailable', true, 502],
      ['source_unavailable', true, 403],
      ['source_unavailable', true, undefined],
    ]);
  });

  it('reports a body that is not a tarball as invalid', async () => {
    const err = await sourceError(fetchGitHubSource({ owner: 'octo', repo: 'garbage' }, dest(), { apiUrl }));
    expect([err.code, err.retryable]).toEqual(['invalid_archive', false]);
  });
});

describe('githubTarballUrl', () => {
  it('refuses dot segments, which would climb out of the API path', () => {
    for (const loc of [{ owner: '..', repo: 'r' }, { owner: 'o', repo: '.' }, { owner: 'o', repo: 'r', ref: 'a/../../x' }]) {
      expect(() => githubTarballUrl('https://ghe.example/api/v3', loc)).toThrow(/not a GitHub (owner|repository|ref)/);
    }
  });

  it('keeps the base path and encodes each ref segment', () => {
    expect([
      githubTarballUrl('https://api.github.com', { owner: 'o', repo: 'r', ref: 'a b/c#d' }),
      githubTarballUrl('https://ghe.example.com/api/v3/', { owner: 'o', repo: 'r' }),
    ]).toEqual(['https://api.github.com/repos/o/r/tarball/a%20b/c%23d', 'https://ghe.example.com/api/v3/repos/o/r/tarball']);
  });
});
