import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchGitSource, redactUrl, splitCredentials } from '../../../src/sources/index.ts';
import { sourceError } from './tar-builder.ts';
import { git, startGitServer, type GitServer } from './git-server.ts';

let tmp: string;
let open: GitServer;
let locked: GitServer;
let secondCommit: string;
let firstCommit: string;
let n = 0;

function listTree(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const name of fs.readdirSync(path.join(root, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = fs.lstatSync(path.join(root, r));
      if (st.isDirectory()) walk(r);
      else out.push(st.isSymbolicLink() ? `${r} -> ${fs.readlinkSync(path.join(root, r))}` : `${r}: ${fs.readFileSync(path.join(root, r), 'utf8')}`);
    }
  };
  walk('');
  return out;
}

function dest(): string {
  return path.join(tmp, `ws-${++n}`);
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'git-source-'));
  const work = path.join(tmp, 'work');
  fs.mkdirSync(work);
  git(work, 'init', '-q', '-b', 'main');
  fs.writeFileSync(path.join(work, 'README.md'), 'v1\n');
  git(work, 'add', '.');
  git(work, 'commit', '-q', '-m', 'one');
  firstCommit = git(work, 'rev-parse', 'HEAD').trim();
  git(work, 'tag', 'v1');
  fs.mkdirSync(path.join(work, 'src'));
  fs.writeFileSync(path.join(work, 'README.md'), 'v2\n');
  fs.writeFileSync(path.join(work, 'src', 'app.js'), 'console.log(1)\n');
  fs.symlinkSync('README.md', path.join(work, 'readme-link'));
  git(work, 'add', '.');
  git(work, 'commit', '-q', '-m', 'two');
  secondCommit = git(work, 'rev-parse', 'HEAD').trim();
  git(work, 'checkout', '-q', '-b', 'feature/x');
  fs.writeFileSync(path.join(work, 'feature.txt'), 'feature\n');
  git(work, 'add', '.');
  git(work, 'commit', '-q', '-m', 'three');
  git(work, 'checkout', '-q', 'main');
  // An escaping symlink, on its own branch.
  git(work, 'checkout', '-q', '-b', 'evil');
  fs.symlinkSync('../../../etc/passwd', path.join(work, 'escape'));
  git(work, 'add', '.');
  git(work, 'commit', '-q', '-m', 'evil');
  git(work, 'checkout', '-q', 'main');
  git(tmp, 'clone', '-q', '--bare', work, path.join(tmp, 'srv', 'repo.git'));
  open = await startGitServer(path.join(tmp, 'srv'));
  locked = await startGitServer(path.join(tmp, 'srv'), { username: 'x-access-token', password: 's3cret' });
});

afterAll(async () => {
  await open?.close();
  await locked?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('fetchGitSource', () => {
  it('clones the default branch at depth 1 without a .git folder', async () => {
    const d = dest();
    const stats = await fetchGitSource({ url: `${open.url}/repo.git` }, d);
    expect(listTree(d)).toEqual(['README.md: v2\n', 'readme-link -> README.md', 'src/app.js: console.log(1)\n']);
    expect(fs.existsSync(path.join(d, '.git'))).toBe(false);
    expect(stats).toEqual({ files: 4, bytes: 3 + 15 });
  });

  it('clones a branch with a slash and a tag', async () => {
    const a = dest();
    await fetchGitSource({ url: `${open.url}/repo.git`, ref: 'feature/x' }, a);
    expect(listTree(a)).toContain('feature.txt: feature\n');
    const b = dest();
    await fetchGitSource({ url: `${open.url}/repo.git`, ref: 'v1' }, b);
    expect(listTree(b)).toEqual(['README.md: v1\n']);
  });

  it('checks out a full commit id', async () => {
    const d = dest();
    await fetchGitSource({ url: `${open.url}/repo.git`, ref: firstCommit }, d);
    expect(listTree(d)).toEqual(['README.md: v1\n']);
    expect(secondCommit).not.toBe(firstCommit);
  });

  it('authenticates with a token for the matching host only', async () => {
    const host = new URL(locked.url).host;
    const d = dest();
    await fetchGitSource({ url: `${locked.url}/repo.git`, ref: 'v1' }, d, { credentials: [{ host, token: 's3cret' }] });
    expect(listTree(d)).toEqual(['README.md: v1\n']);

    open.authHeaders.length = 0;
    await fetchGitSource({ url: `${open.url}/repo.git`, ref: 'v1' }, dest(), { credentials: [{ host: 'github.com', token: 'leak-me-not' }] });
    expect(open.authHeaders.every((h) => h === undefined)).toBe(true);
  });

  it('authenticates with credentials in the URL and keeps them out of the workspace', async () => {
    const d = dest();
    const url = `${locked.url.replace('http://', 'http://x-access-token:s3cret@')}/repo.git`;
    await fetchGitSource({ url, ref: 'v1' }, d);
    expect(listTree(d)).toEqual(['README.md: v1\n']);
  });

  it('fails without retry when credentials are missing or wrong', async () => {
    const err = await sourceError(fetchGitSource({ url: `${locked.url}/repo.git` }, dest()));
    expect({ code: err.code, retryable: err.retryable }).toEqual({ code: 'source_not_found', retryable: false });
    const host = new URL(locked.url).host;
    const wrong = await sourceError(fetchGitSource({ url: `${locked.url}/repo.git` }, dest(), { credentials: [{ host, token: 'nope' }] }));
    expect(wrong.code).toBe('source_not_found');
  });

  it('fails without retry for an unknown repository or ref', async () => {
    const repo = await sourceError(fetchGitSource({ url: `${open.url}/missing.git` }, dest()));
    const ref = await sourceError(fetchGitSource({ url: `${open.url}/repo.git`, ref: 'no-such-branch' }, dest()));
    expect([repo, ref].map((e) => [e.code, e.retryable])).toEqual([
      ['source_not_found', false],
      ['source_not_found', false],
    ]);
  });

  it('retries when the server cannot be reached', async () => {
    const err = await sourceError(fetchGitSource({ url: 'http://127.0.0.1:9/repo.git' }, dest()));
    expect([err.code, err.retryable]).toEqual(['source_unavailable', true]);
  });

  it('refuses a checkout holding a symlink that leaves the workspace', async () => {
    const err = await sourceError(fetchGitSource({ url: `${open.url}/repo.git`, ref: 'evil' }, dest()));
    expect([err.code, err.message]).toEqual([
      'unsafe_archive',
      'symlink "escape" points to "../../../etc/passwd", outside the workspace',
    ]);
  });

  it('refuses a checkout over the limits', async () => {
    const err = await sourceError(fetchGitSource({ url: `${open.url}/repo.git` }, dest(), { maxFiles: 2 }));
    expect(err.code).toBe('archive_too_large');
  });
});

describe('git URL credentials', () => {
  it('splits user-info off the URL', () => {
    expect(splitCredentials('https://u:p%40ss@example.com/r.git', [])).toEqual({
      url: 'https://example.com/r.git',
      auth: { username: 'u', password: 'p@ss' },
    });
    expect(splitCredentials('https://example.com/r.git', [{ host: 'example.com', token: 't' }])).toEqual({
      url: 'https://example.com/r.git',
      auth: { username: 'x-access-token', password: 't' },
    });
    expect(splitCredentials('https://other.com/r.git', [{ host: 'example.com', token: 't' }])).toEqual({ url: 'https://other.com/r.git' });
  });

  it('redacts user-info for logs', () => {
    expect([redactUrl('https://u:secret@example.com/r.git'), redactUrl('https://example.com/r.git')]).toEqual([
      'https://***@example.com/r.git',
      'https://example.com/r.git',
    ]);
  });
});
