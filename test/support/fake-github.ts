/**
 * A local GitHub REST API for tests: an in-memory repository (git objects, refs, issues, pull
 * requests, comments, reactions, permissions) behind the endpoints ingest, the publisher and the
 * GitHub source use, on 127.0.0.1 at an ephemeral port, recording every call.
 */
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeChecks, type RouteAnswer } from './fake-github-checks.ts';
import { GitObjects, type Commit } from './fake-github-git.ts';

/** An installation token the fake minted, with the restrictions asked for (none: the installation's). */
export interface MintedToken {
  token: string;
  installationId: number;
  repositories?: string[];
  permissions?: Record<string, string>;
}

export interface RecordedCall {
  method: string;
  /** Path without the API prefix and without the query. */
  path: string;
  query: Record<string, string>;
  body: unknown;
  authorization: string | undefined;
}

export interface FakeGitHubOptions {
  /** Path the API lives under (e.g. `/api/v3`, as GitHub Enterprise). */
  prefix?: string;
  /** Bearer tokens accepted on repository calls (default: any token). */
  tokens?: string[];
  /** A GitHub App: JWTs signed by its key are accepted on /app and /repos/../installation calls. */
  app?: { id: string; publicKeyPem: string; installationId: number };
  /** The fake's clock (JWT checks, token expiry), ms since the epoch; default Date.now. */
  clock?: () => number;
}

export type FileSpec = string | Buffer | { content: string | Buffer; mode?: string };

interface Comment {
  id: number;
  body: string;
  user: { login: string; type: string };
}
interface Issue {
  number: number;
  title: string;
  body: string;
  comments: Comment[];
  pull?: { headRef: string; baseRef: string; headRepo: string | null; draft: boolean; state: string; labels: string[] };
}
interface Repo {
  owner: string;
  name: string;
  defaultBranch: string;
  drafts: boolean;
  /** Served only to tokens that may read it (404 to anyone else, as GitHub does). */
  private: boolean;
  refs: Map<string, string>;
  issues: Map<number, Issue>;
  permissions: Map<string, { permission: string; role_name: string } | null>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: unknown[],
  ) {
    super(message);
  }
}

export class FakeGitHub {
  readonly calls: RecordedCall[] = [];
  readonly reactions: { path: string; content: string }[] = [];
  /** Every installation token minted, in order. */
  readonly mintedTokens: MintedToken[] = [];
  private readonly git = new GitObjects();
  readonly blobs = this.git.blobs;
  readonly trees = this.git.trees;
  readonly commits = this.git.commits;
  private readonly repos = new Map<string, Repo>();
  private readonly issuedTokens = new Map<string, MintedToken>();
  private readonly failures: { method: string; path: RegExp; status: number; times: number }[] = [];
  private nextId = 1000;
  private server!: Server;
  url = '';
  /** CI: workflow runs, jobs and their logs, check runs (fake-github-checks.ts). */
  checks!: FakeChecks;

  private constructor(private readonly options: FakeGitHubOptions) {}

  /** Starts the server on 127.0.0.1 at an ephemeral port; `url` is the API root (prefix included). */
  static async start(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
    const fake = new FakeGitHub(options);
    fake.checks = await FakeChecks.start();
    fake.server = createServer((req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}${options.prefix ?? ''}`;
    return fake;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.checks.stop();
  }

  /** Calls that change something (everything but GET). */
  writes(): RecordedCall[] {
    return this.calls.filter((c) => c.method !== 'GET');
  }

  /** Answers the next `times` calls matching `method` and `path` with `status`. */
  fail(method: string, path: RegExp, status: number, times = 1): void {
    this.failures.push({ method, path, status, times });
  }

  // ---- state set-up -------------------------------------------------------------------------

  /** Creates a repository whose default branch holds one commit with `files`; returns that commit. */
  addRepo(owner: string, name: string, opts: { defaultBranch?: string; files?: Record<string, FileSpec>; drafts?: boolean; private?: boolean } = {}): string {
    const repo: Repo = { owner, name, defaultBranch: opts.defaultBranch ?? 'main', drafts: opts.drafts ?? true, private: opts.private ?? false, refs: new Map(), issues: new Map(), permissions: new Map() };
    this.repos.set(`${owner}/${name}`.toLowerCase(), repo);
    const flat = new Map<string, { mode: string; sha: string }>();
    for (const [path, spec] of Object.entries(opts.files ?? {})) {
      const { content, mode } = typeof spec === 'string' || Buffer.isBuffer(spec) ? { content: spec, mode: '100644' } : { content: spec.content, mode: spec.mode ?? '100644' };
      flat.set(path, { mode, sha: this.git.putBlob(Buffer.from(content)) });
    }
    const commit = this.git.putCommit({ tree: this.git.buildTree(flat), parents: [], message: 'initial commit' });
    repo.refs.set(repo.defaultBranch, commit);
    return commit;
  }

  /** A branch at a commit (default: the default branch's head). */
  addBranch(owner: string, name: string, branch: string, sha?: string): void {
    const repo = this.repo(owner, name);
    repo.refs.set(branch, sha ?? repo.refs.get(repo.defaultBranch)!);
  }

  /** A commit on top of a branch changing `files` (null removes); returns it. */
  commitOn(owner: string, name: string, branch: string, files: Record<string, FileSpec | null>, message = 'change'): string {
    const repo = this.repo(owner, name);
    const parent = repo.refs.get(branch)!;
    const flat = this.git.flatten(this.commits.get(parent)!.tree);
    for (const [path, spec] of Object.entries(files)) {
      if (spec === null) flat.delete(path);
      else {
        const { content, mode } = typeof spec === 'string' || Buffer.isBuffer(spec) ? { content: spec, mode: '100644' } : { content: spec.content, mode: spec.mode ?? '100644' };
        flat.set(path, { mode, sha: this.git.putBlob(Buffer.from(content)) });
      }
    }
    const sha = this.git.putCommit({ tree: this.git.buildTree(flat), parents: [parent], message });
    repo.refs.set(branch, sha);
    return sha;
  }

  setPermission(owner: string, name: string, user: string, permission: string | null, roleName?: string): void {
    this.repo(owner, name).permissions.set(user, permission === null ? null : { permission, role_name: roleName ?? permission });
  }

  addIssue(owner: string, name: string, issue: { number: number; title?: string; body?: string; comments?: { id?: number; author: string; body: string }[] }): void {
    const comments = (issue.comments ?? []).map((c) => ({ id: c.id ?? this.nextId++, body: c.body, user: { login: c.author, type: 'User' } }));
    this.repo(owner, name).issues.set(issue.number, { number: issue.number, title: issue.title ?? '', body: issue.body ?? '', comments });
  }

  addPull(owner: string, name: string, pull: { number: number; headRef: string; baseRef?: string; headRepo?: string | null; title?: string; body?: string; labels?: string[] }): void {
    const repo = this.repo(owner, name);
    if (!repo.refs.has(pull.headRef)) repo.refs.set(pull.headRef, repo.refs.get(repo.defaultBranch)!);
    const headRepo = pull.headRepo === undefined ? `${owner}/${name}` : pull.headRepo;
    repo.issues.set(pull.number, {
      number: pull.number,
      title: pull.title ?? '',
      body: pull.body ?? '',
      comments: [],
      pull: { headRef: pull.headRef, baseRef: pull.baseRef ?? repo.defaultBranch, headRepo, draft: false, state: 'open', labels: pull.labels ?? [] },
    });
  }

  // ---- readers for assertions ----------------------------------------------------------------

  branch(owner: string, name: string, branch: string): string | undefined {
    return this.repo(owner, name).refs.get(branch);
  }

  /** The files of a branch or commit as text (or base64 for binary), with their modes. */
  files(owner: string, name: string, ref: string): Record<string, { mode: string; content: string }> {
    const sha = this.repo(owner, name).refs.get(ref) ?? ref;
    const out: Record<string, { mode: string; content: string }> = {};
    for (const [path, e] of [...this.git.flatten(this.commits.get(sha)!.tree)].sort(([a], [b]) => a.localeCompare(b))) {
      out[path] = { mode: e.mode, content: this.blobs.get(e.sha)!.toString('utf8') };
    }
    return out;
  }

  commit(sha: string): Commit {
    return this.commits.get(sha)!;
  }

  issue(owner: string, name: string, number: number): Issue | undefined {
    return this.repo(owner, name).issues.get(number);
  }

  pulls(owner: string, name: string): Issue[] {
    return [...this.repo(owner, name).issues.values()].filter((i) => i.pull);
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  private repo(owner: string, name: string): Repo {
    const repo = this.repos.get(`${owner}/${name}`.toLowerCase());
    if (!repo) throw new HttpError(404, 'Not Found');
    return repo;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const prefix = this.options.prefix ?? '';
    let path = url.pathname;
    const call: RecordedCall = {
      method: req.method ?? 'GET',
      path: path.startsWith(prefix) ? path.slice(prefix.length) : path,
      query: Object.fromEntries(url.searchParams),
      body: text ? safeJson(text) : undefined,
      authorization: req.headers.authorization,
    };
    this.calls.push(call);
    let status: number;
    let payload: unknown;
    let raw: { type: string; data: Buffer } | undefined;
    let headers: Record<string, string> = {};
    try {
      if (!path.startsWith(prefix)) throw new HttpError(404, 'Not Found');
      path = call.path;
      const failure = this.failures.find((f) => f.times > 0 && f.method === call.method && f.path.test(path));
      if (failure) {
        failure.times--;
        throw new HttpError(failure.status, 'injected failure');
      }
      const out = this.route(call, path.split('/').filter(Boolean).map(decodeURIComponent));
      status = out.status ?? 200;
      payload = out.body;
      raw = out.raw;
      headers = out.headers ?? {};
    } catch (err) {
      status = err instanceof HttpError ? err.status : 500;
      payload = { message: err instanceof Error ? err.message : String(err), ...(err instanceof HttpError && err.errors ? { errors: err.errors } : {}) };
    }
    if (raw) {
      res.writeHead(status, { 'content-type': raw.type });
      res.end(raw.data);
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(payload === undefined ? '' : JSON.stringify(payload));
  }

  private authorize(call: RecordedCall, kind: 'app' | 'repo', repo?: Repo): void {
    const token = /^Bearer (.+)$/.exec(call.authorization ?? '')?.[1];
    if (!token) throw new HttpError(repo?.private ? 404 : 401, repo?.private ? 'Not Found' : 'Requires authentication');
    const app = this.options.app;
    if (kind === 'app') {
      if (!app || !verifyJwt(token, app.publicKeyPem, app.id, (this.options.clock ?? Date.now)())) throw new HttpError(401, 'A JSON web token could not be decoded');
      return;
    }
    const minted = this.issuedTokens.get(token);
    if (minted) {
      // A token restricted to some repositories does not see the others; a read-only one cannot write.
      if (repo && minted.repositories && !minted.repositories.some((r) => r.toLowerCase() === repo.name.toLowerCase())) throw new HttpError(404, 'Not Found');
      if (call.method !== 'GET' && minted.permissions && !Object.values(minted.permissions).includes('write')) throw new HttpError(403, 'Resource not accessible by integration');
      return;
    }
    if (this.options.tokens && !this.options.tokens.includes(token)) throw new HttpError(401, 'Bad credentials');
    if (!this.options.tokens && app) throw new HttpError(401, 'Bad credentials');
  }

  private route(call: RecordedCall, seg: string[]): RouteAnswer & { raw?: { type: string; data: Buffer } } {
    const { method, body } = call;
    const b = (body ?? {}) as Record<string, any>;
    if (seg[0] === 'app' && seg[1] === 'installations' && seg[3] === 'access_tokens' && method === 'POST') {
      this.authorize(call, 'app');
      if (Number(seg[2]) !== this.options.app!.installationId) throw new HttpError(404, 'Not Found');
      const token = `ghs_${randomBytes(12).toString('hex')}`;
      const minted: MintedToken = { token, installationId: Number(seg[2]), ...(b.repositories ? { repositories: b.repositories } : {}), ...(b.permissions ? { permissions: b.permissions } : {}) };
      this.issuedTokens.set(token, minted);
      this.mintedTokens.push(minted);
      return { status: 201, body: { token, expires_at: new Date((this.options.clock ?? Date.now)() + 3600_000).toISOString(), repositories: b.repositories, ...(b.permissions ? { permissions: { ...b.permissions, metadata: 'read' } } : {}) } };
    }
    if (seg[0] !== 'repos' || seg.length < 3) throw new HttpError(404, 'Not Found');
    const repo = this.repo(seg[1], seg[2]);
    const full = `${repo.owner}/${repo.name}`;
    const rest = seg.slice(3);
    const route = `${method} ${rest.join('/')}`;
    if (route === 'GET installation') {
      this.authorize(call, 'app');
      return { body: { id: this.options.app!.installationId } };
    }
    // Tarballs of public repositories download without credentials; private ones need a token that may read them.
    if (method === 'GET' && rest[0] === 'tarball') {
      if (call.authorization !== undefined || repo.private) this.authorize(call, 'repo', repo);
      return { raw: { type: 'application/x-gzip', data: this.tarball(repo, rest.slice(1).join('/')) } };
    }
    this.authorize(call, 'repo', repo);

    if (route === 'GET ') return { body: { name: repo.name, full_name: full, owner: { login: repo.owner }, default_branch: repo.defaultBranch } };
    if (method === 'GET' && rest[0] === 'collaborators' && rest[2] === 'permission') {
      const p = repo.permissions.has(rest[1]) ? repo.permissions.get(rest[1]) : { permission: 'read', role_name: 'read' };
      if (p === null) throw new HttpError(404, `${rest[1]} is not a user`);
      return { body: { ...p, user: { login: rest[1] } } };
    }

    // git data
    if (rest[0] === 'git') {
      const [, kind, ...more] = rest;
      if (method === 'GET' && kind === 'ref' && more[0] === 'heads') {
        const sha = repo.refs.get(more.slice(1).join('/'));
        if (!sha) throw new HttpError(404, 'Not Found');
        return { body: { ref: `refs/heads/${more.slice(1).join('/')}`, object: { sha, type: 'commit' } } };
      }
      if (method === 'POST' && kind === 'refs') {
        const name = String(b.ref ?? '').replace(/^refs\/heads\//, '');
        if (!String(b.ref).startsWith('refs/heads/') || !this.commits.has(b.sha)) throw new HttpError(422, 'Invalid request');
        if (repo.refs.has(name)) throw new HttpError(422, 'Reference already exists');
        repo.refs.set(name, b.sha);
        return { status: 201, body: { ref: b.ref, object: { sha: b.sha, type: 'commit' } } };
      }
      if (method === 'PATCH' && kind === 'refs' && more[0] === 'heads') {
        const name = more.slice(1).join('/');
        const current = repo.refs.get(name);
        if (!current) throw new HttpError(422, 'Reference does not exist');
        if (!this.commits.has(b.sha)) throw new HttpError(422, 'Object does not exist');
        if (!b.force && !this.git.isAncestor(current, b.sha)) throw new HttpError(422, 'Update is not a fast forward');
        repo.refs.set(name, b.sha);
        return { body: { ref: `refs/heads/${name}`, object: { sha: b.sha, type: 'commit' } } };
      }
      if (method === 'GET' && kind === 'commits') {
        const c = this.commits.get(more[0]);
        if (!c) throw new HttpError(404, 'Not Found');
        return { body: { sha: more[0], tree: { sha: c.tree }, parents: c.parents.map((sha) => ({ sha })), message: c.message } };
      }
      if (method === 'POST' && kind === 'commits') {
        if (!this.trees.has(b.tree) || !Array.isArray(b.parents) || b.parents.some((p: string) => !this.commits.has(p))) throw new HttpError(422, 'Invalid tree or parents');
        const sha = this.git.putCommit({ tree: b.tree, parents: b.parents, message: String(b.message) });
        return { status: 201, body: { sha, tree: { sha: b.tree }, parents: b.parents.map((sha: string) => ({ sha })), message: b.message } };
      }
      if (method === 'GET' && kind === 'trees') {
        const entries = this.trees.get(more[0]);
        if (!entries) throw new HttpError(404, 'Not Found');
        return { body: { sha: more[0], tree: entries.map((e) => ({ path: e.name, mode: e.mode, type: e.type, sha: e.sha })), truncated: false } };
      }
      if (method === 'POST' && kind === 'trees') return { status: 201, body: { sha: this.createTree(b) } };
      if (method === 'GET' && kind === 'blobs') {
        const blob = this.blobs.get(more[0]);
        if (!blob) throw new HttpError(404, 'Not Found');
        return { body: { sha: more[0], size: blob.length, content: blob.toString('base64'), encoding: 'base64' } };
      }
      if (method === 'POST' && kind === 'blobs') {
        const sha = this.git.putBlob(Buffer.from(String(b.content), b.encoding === 'base64' ? 'base64' : 'utf8'));
        return { status: 201, body: { sha } };
      }
    }

    // issues, comments, reactions
    if (rest[0] === 'issues') {
      if (method === 'POST' && rest[1] === 'comments' && rest[3] === 'reactions') {
        const exists = [...repo.issues.values()].some((i) => i.comments.some((c) => c.id === Number(rest[2])));
        if (!exists) throw new HttpError(404, 'Not Found');
        this.reactions.push({ path: call.path, content: b.content });
        return { status: 201, body: { id: this.nextId++, content: b.content } };
      }
      const issue = repo.issues.get(Number(rest[1]));
      if (!issue) throw new HttpError(404, 'Not Found');
      if (method === 'GET' && rest.length === 2) return { body: this.issueJson(full, issue) };
      if (method === 'POST' && rest[2] === 'reactions') {
        this.reactions.push({ path: call.path, content: b.content });
        return { status: 201, body: { id: this.nextId++, content: b.content } };
      }
      if (rest[2] === 'comments' && method === 'GET') {
        const perPage = Number(call.query.per_page ?? 30);
        const page = Number(call.query.page ?? 1);
        // GitHub links the next page (clients follow `link`, not page numbers).
        const next = page * perPage < issue.comments.length ? { link: `<${this.url}${call.path}?per_page=${perPage}&page=${page + 1}>; rel="next"` } : undefined;
        return { body: issue.comments.slice((page - 1) * perPage, page * perPage), headers: next };
      }
      if (rest[2] === 'comments' && method === 'POST') {
        const comment = { id: this.nextId++, body: String(b.body), user: { login: 'agent-runner[bot]', type: 'Bot' } };
        issue.comments.push(comment);
        return { status: 201, body: comment };
      }
    }

    // pull requests
    if (rest[0] === 'pulls') {
      if (method === 'GET' && rest.length === 1) {
        const head = call.query.head;
        const state = call.query.state ?? 'open';
        const list = [...repo.issues.values()].filter((i) => i.pull && (!head || `${repo.owner}:${i.pull.headRef}` === head) && (state === 'all' || i.pull.state === state));
        return { body: list.slice(0, Number(call.query.per_page ?? 30)).map((i) => this.pullJson(full, i)) };
      }
      if (method === 'POST' && rest.length === 1) {
        if (!repo.refs.has(b.head) || !repo.refs.has(b.base)) throw new HttpError(422, 'Validation Failed: head or base does not exist');
        if (b.draft && !repo.drafts) throw new HttpError(422, 'Validation Failed', [{ resource: 'PullRequest', code: 'custom', message: 'Draft pull requests are not supported in this repository.' }]);
        if ([...repo.issues.values()].some((i) => i.pull?.headRef === b.head && i.pull?.state === 'open')) throw new HttpError(422, `A pull request already exists for ${repo.owner}:${b.head}.`);
        const number = Math.max(0, ...repo.issues.keys()) + 1;
        const issue: Issue = { number, title: String(b.title), body: String(b.body ?? ''), comments: [], pull: { headRef: b.head, baseRef: b.base, headRepo: full, draft: Boolean(b.draft), state: 'open', labels: [] } };
        repo.issues.set(number, issue);
        return { status: 201, body: this.pullJson(full, issue) };
      }
      const issue = repo.issues.get(Number(rest[1]));
      if (method === 'GET' && rest.length === 2 && issue?.pull) return { body: this.pullJson(full, issue) };
    }
    const ci = this.checks.route(method, full, rest);
    if (ci) return ci;
    throw new HttpError(404, `no route for ${route}`);
  }

  private createTree(b: Record<string, any>): string {
    const flat = b.base_tree ? this.git.flatten(b.base_tree) : new Map<string, { mode: string; sha: string }>();
    if (b.base_tree && !this.trees.has(b.base_tree)) throw new HttpError(422, 'base_tree is not a tree');
    for (const e of (b.tree ?? []) as { path: string; mode: string; type: string; sha?: string | null; content?: string }[]) {
      if (e.sha === null) {
        if (!flat.has(e.path)) throw new HttpError(422, `GitRPC::BadObjectState: ${e.path} does not exist`);
        flat.delete(e.path);
      } else if (e.content !== undefined) flat.set(e.path, { mode: e.mode, sha: this.git.putBlob(Buffer.from(e.content)) });
      else {
        if (!e.sha || !this.blobs.has(e.sha)) throw new HttpError(422, `tree.sha ${e.sha} is not a valid blob`);
        flat.set(e.path, { mode: e.mode, sha: e.sha });
      }
    }
    return this.git.buildTree(flat);
  }

  private issueJson(full: string, i: Issue): unknown {
    return { number: i.number, title: i.title, body: i.body, comments: i.comments.length, ...(i.pull ? { pull_request: { url: `${this.url}/repos/${full}/pulls/${i.number}` } } : {}) };
  }

  private pullJson(full: string, i: Issue): unknown {
    const [owner, name] = full.split('/');
    const p = i.pull!;
    return {
      number: i.number,
      title: i.title,
      body: i.body,
      draft: p.draft,
      state: p.state,
      labels: p.labels.map((name) => ({ name })),
      html_url: `https://github.example/${full}/pull/${i.number}`,
      head: { ref: p.headRef, sha: this.repo(owner, name).refs.get(p.headRef), repo: p.headRepo === null ? null : { full_name: p.headRepo } },
      base: { ref: p.baseRef, repo: { full_name: full } },
    };
  }

  /** A gzip tar of the ref's files under one `owner-repo-<sha7>/` folder, as GitHub serves it. */
  private tarball(repo: Repo, ref: string): Buffer {
    const sha = repo.refs.get(ref || repo.defaultBranch) ?? (this.commits.has(ref) ? ref : undefined);
    if (!sha) throw new HttpError(404, 'Not Found');
    return this.git.tarball(`${repo.owner}-${repo.name}-${sha.slice(0, 7)}/`, sha);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Verifies an RS256 GitHub App JWT: signature, issuer and expiry. */
function verifyJwt(token: string, publicKeyPem: string, appId: string, nowMs: number): boolean {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature) return false;
  const ok = verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), createPublicKey(publicKeyPem), Buffer.from(signature, 'base64url'));
  if (!ok) return false;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: string; exp?: number; iat?: number };
  const now = nowMs / 1000;
  return String(claims.iss) === appId && typeof claims.exp === 'number' && claims.exp > now && typeof claims.iat === 'number' && claims.iat <= now + 60;
}
