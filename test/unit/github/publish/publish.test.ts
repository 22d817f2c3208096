import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TaskResult } from '../../../../src/task/events.ts';
import { diffSnapshots, makeSnapshot } from '../../../../src/agent/diff/index.ts';
import { GitHubClient } from '../../../../src/github/client.ts';
import type { PublishedMarker } from '../../../../src/github/publish/marker.ts';
import { publishTask, type PublishDeps } from '../../../../src/github/publish/publish.ts';
import { renderMessage } from '../../../../src/github/publish/text.ts';
import { isCiConfigPath } from '../../../../src/github/publish/ci-config.ts';
import { FakeGitHub } from '../../../support/fake-github.ts';
import { MemoryPullStateStore } from '../../../support/memory-pull-state.ts';
import { MemoryStore } from '../../../support/memory-store.ts';

const O = 'octo';
const R = 'demo';
const TOKEN = 'ghs_publisher';
const BASE_FILES = { 'README.md': 'Hello\nWorld\n', 'src/app.ts': 'export const x = 1;\n', 'docs/old.md': 'old\n' };
const AFTER_FILES = { 'README.md': 'Hello\nthere, World\n', 'src/app.ts': 'export const x = 2;\n', 'src/util.ts': 'export {};\n' };

class MemoryMarker implements PublishedMarker {
  readonly records = new Map<string, unknown>();
  async get(taskId: string) {
    return this.records.get(taskId);
  }
  async record(taskId: string, outcome: unknown) {
    if (!this.records.has(taskId)) this.records.set(taskId, outcome);
  }
}

function result(taskId: string, over: Partial<TaskResult> = {}): TaskResult {
  return {
    taskId,
    status: 'succeeded',
    stopReason: 'end_turn',
    turns: 3,
    model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
    usage: { inputTokens: 900, outputTokens: 120, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 },
    costUsd: 0.0123,
    diff: { files: 3, additions: 3, deletions: 2 },
    ...over,
  };
}

function seed(store: MemoryStore, taskId: string, opts: { patch?: string; ref?: string; issue?: number; result?: Partial<TaskResult>; reply?: unknown } = {}) {
  const task = {
    taskId,
    prompt: 'Fix it',
    source: { github: { owner: O, repo: R, ref: opts.ref ?? 'main' } },
    limits: {},
    reply: opts.reply === undefined ? { github: { owner: O, repo: R, issue: opts.issue ?? 1 } } : opts.reply,
  };
  void store.put(taskId, 'task.json', JSON.stringify(task));
  void store.put(taskId, 'result.json', JSON.stringify(result(taskId, opts.result)));
  void store.put(taskId, 'diff.patch', opts.patch ?? diffSnapshots(makeSnapshot(BASE_FILES), makeSnapshot(AFTER_FILES)).patch);
  void store.put(taskId, 'transcript.json', JSON.stringify({ system: [], messages: [{ role: 'assistant', content: [{ text: 'Bumped x and greeted.' }] }], toolConfig: {} }));
}

let github: FakeGitHub;
let store: MemoryStore;
let marker: MemoryMarker;
let deps: PublishDeps;
let baseSha: string;

beforeEach(async () => {
  github = await FakeGitHub.start({ tokens: [TOKEN], prefix: '/api/v3' });
  baseSha = github.addRepo(O, R, { files: BASE_FILES });
  github.addIssue(O, R, { number: 1, title: 'Greet better' });
  store = new MemoryStore();
  marker = new MemoryMarker();
  deps = {
    store,
    marker,
    github: () => new GitHubClient({ apiUrl: github.url, token: async () => TOKEN }),
    artifactUri: (id, name) => `s3://artifacts/tasks/${id}/${name}`,
  };
});

afterEach(async () => {
  await github.stop();
});

describe('publishTask', () => {
  it('creates blobs, a tree, a commit, the branch agent/<id> and a draft pull request closing the issue', async () => {
    seed(store, 't1');
    const outcome = await publishTask('t1', deps);
    const head = github.branch(O, R, 'agent/t1')!;
    expect(outcome).toEqual({ action: 'pull_request', pull: 2, url: `https://github.example/${O}/${R}/pull/2`, branch: 'agent/t1', commit: head });
    const writes = github.writes();
    expect(writes.map((c) => `${c.method} ${c.path}`)).toEqual([
      `POST /repos/${O}/${R}/git/blobs`,
      `POST /repos/${O}/${R}/git/blobs`,
      `POST /repos/${O}/${R}/git/blobs`,
      `POST /repos/${O}/${R}/git/trees`,
      `POST /repos/${O}/${R}/git/commits`,
      `POST /repos/${O}/${R}/git/refs`,
      `POST /repos/${O}/${R}/pulls`,
    ]);
    expect(writes.every((c) => c.authorization === `Bearer ${TOKEN}`)).toBe(true);
    const tree = writes[3].body as { base_tree: string; tree: { path: string; mode: string; type: string; sha: string | null }[] };
    expect(tree.base_tree).toBe(github.commit(baseSha).tree);
    expect(tree.tree.map((e) => [e.path, e.mode, e.sha === null ? null : 'blob']).sort()).toEqual([
      ['README.md', '100644', 'blob'],
      ['docs/old.md', '100644', null],
      ['src/app.ts', '100644', 'blob'],
      ['src/util.ts', '100644', 'blob'],
    ]);
    const commitBody = writes[4].body as { message: string; tree: string; parents: string[] };
    expect(commitBody).toEqual({ message: 'agent: changes for #1\n\nBumped x and greeted.\n\nAgent-Runner-Task: t1', tree: github.commit(head).tree, parents: [baseSha] });
    expect(writes[5].body).toEqual({ ref: 'refs/heads/agent/t1', sha: head });
    const files = [
      { path: 'README.md', change: 'modified' as const },
      { path: 'docs/old.md', change: 'deleted' as const },
      { path: 'src/app.ts', change: 'modified' as const },
      { path: 'src/util.ts', change: 'added' as const },
    ];
    const text = renderMessage({ kind: 'pull_request', taskId: 't1', result: result('t1'), summary: 'Bumped x and greeted.', transcriptUri: 's3://artifacts/tasks/t1/transcript.json', issue: 1, issueIsPullRequest: false, issueTitle: 'Greet better', files });
    expect(writes[6].body).toEqual({ title: text.title, body: text.body, head: 'agent/t1', base: 'main', draft: true });
    expect(text.body).toContain('Closes #1');
    expect(github.files(O, R, 'agent/t1')).toEqual({
      'README.md': { mode: '100644', content: 'Hello\nthere, World\n' },
      'src/app.ts': { mode: '100644', content: 'export const x = 2;\n' },
      'src/util.ts': { mode: '100644', content: 'export {};\n' },
    });
    expect(marker.records.get('t1')).toEqual({ taskId: 't1', ...outcome });
  });

  it("links the task's watch page in the pull request, and publishes without it when no link can be made", async () => {
    seed(store, 't1');
    const link = 'https://view.example/tasks/t1/view?token=v1.1767225600.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ';
    await publishTask('t1', { ...deps, viewLink: async (id) => (id === 't1' ? link : 'wrong') });
    const pull = github.writes().find((c) => c.path.endsWith('/pulls'))!.body as { body: string };
    expect(pull.body).toContain(`\n\nWatch the run: [the task's page](${link})\n\n<!-- agent-runner:task=t1 -->`);
    seed(store, 't2', { patch: '', result: { status: 'failed', stopReason: 'error', error: { code: 'model_error', message: 'x' } } });
    const logs: unknown[] = [];
    const outcome = await publishTask('t2', { ...deps, viewLink: async () => Promise.reject(new Error('no key')), log: { info: (m, d) => logs.push([m, d]) } });
    expect([outcome.action, logs[0]]).toEqual(['comment', ['no watch-page link', { taskId: 't2', error: 'no key' }]]);
  });

  it('changes nothing when run a second time', async () => {
    seed(store, 't1');
    await publishTask('t1', deps);
    const calls = github.calls.length;
    expect(await publishTask('t1', deps)).toEqual({ action: 'skipped', reason: 'published before' });
    expect(github.calls.length).toBe(calls);
  });

  it('finishes an interrupted run without repeating what it did (branch made, no pull request yet)', async () => {
    seed(store, 't1');
    github.fail('POST', /\/pulls$/, 502);
    await expect(publishTask('t1', deps)).rejects.toMatchObject({ name: 'GitHubApiError', statusCode: 502 });
    const head = github.branch(O, R, 'agent/t1');
    const before = github.writes().length;
    const outcome = await publishTask('t1', deps);
    expect(github.writes().slice(before).map((c) => `${c.method} ${c.path}`)).toEqual([`POST /repos/${O}/${R}/pulls`]);
    expect(outcome).toMatchObject({ action: 'pull_request', branch: 'agent/t1', commit: head });
  });

  it('writes nothing when only the marker was lost', async () => {
    seed(store, 't1');
    const first = await publishTask('t1', deps);
    marker.records.clear();
    const before = github.writes().length;
    expect(await publishTask('t1', deps)).toEqual(first);
    expect(github.writes().length).toBe(before);
  });

  it('comments once on failure, saying what happened, where the stack opts out of partial drafts', async () => {
    seed(store, 't2', { result: { status: 'failed', stopReason: 'error', error: { code: 'model_error', message: 'the model call failed' } } });
    deps = { ...deps, publishPartial: false };
    const outcome = await publishTask('t2', deps);
    const comments = github.issue(O, R, 1)!.comments;
    expect(outcome).toEqual({ action: 'comment', comment: comments[0].id, kind: 'failed' });
    expect(comments.map((c) => c.body.split('\n\n')[0])).toEqual(['agent-runner task `t2` failed: `model_error`: the model call failed. Nothing was published. Its partial change is at `s3://artifacts/tasks/t2/diff.patch`.']);
    expect(github.writes().map((c) => `${c.method} ${c.path}`)).toEqual([`POST /repos/${O}/${R}/issues/1/comments`]);
    marker.records.clear();
    expect(await publishTask('t2', deps)).toEqual(outcome);
    expect(github.issue(O, R, 1)!.comments.length).toBe(1);
  });

  it("finds its comment on a long thread's second page, following GitHub's next link, instead of commenting twice", async () => {
    github.addIssue(O, R, { number: 1, title: 'Greet better', comments: Array.from({ length: 150 }, (_, i) => ({ author: 'octo', body: `comment ${i}` })) });
    seed(store, 't2', { result: { status: 'failed', stopReason: 'error', error: { code: 'model_error', message: 'the model call failed' } } });
    deps = { ...deps, publishPartial: false };
    const outcome = await publishTask('t2', deps);
    marker.records.clear();
    github.calls.length = 0;
    expect(await publishTask('t2', deps)).toEqual(outcome);
    expect(github.issue(O, R, 1)!.comments.map((c) => c.id).indexOf((outcome as { comment: number }).comment)).toBe(150);
    expect(github.calls.filter((c) => c.path.endsWith('/comments')).map((c) => [c.method, c.query])).toEqual([
      ['GET', { per_page: '100' }],
      ['GET', { per_page: '100', page: '2' }],
    ]);
  });

  it('publishes the change of a task stopped at a limit as a draft pull request marked incomplete', async () => {
    seed(store, 'p1', { result: { status: 'limit_reached', stopReason: 'max_turns', error: { code: 'limit_turns', message: 'reached the limit of 3 turns' } } });
    const outcome = await publishTask('p1', deps);
    const head = github.branch(O, R, 'agent/p1')!;
    expect(outcome).toEqual({ action: 'pull_request', pull: 2, url: `https://github.example/${O}/${R}/pull/2`, branch: 'agent/p1', commit: head });
    expect(github.files(O, R, 'agent/p1')).toMatchObject({ 'src/util.ts': { content: 'export {};\n' } });
    const pr = github.writes().at(-1)!.body as { title: string; body: string; base: string; draft: boolean };
    expect({ title: pr.title, base: pr.base, draft: pr.draft }).toEqual({ title: '[incomplete] agent: Greet better', base: 'main', draft: true });
    expect(pr.body.split('\n\n').slice(0, 4)).toEqual([
      'Refs #1',
      '**Incomplete.** agent-runner task `p1` stopped at a limit (`limit_turns`: reached the limit of 3 turns) before it finished. This draft holds the change it had made by then: review it as a starting point, finish it (an `/agent` comment here goes on from it) or close it.',
      "### The model's last message",
      'Bumped x and greeted.',
    ]);
    expect(github.commit(head).message.split('\n')[0]).toBe('agent: incomplete changes for #1');
  });

  it('gives a cancelled follow-up on an agent branch a draft of its own instead of pushing there', async () => {
    seed(store, 't1');
    const first = (await publishTask('t1', deps)) as { pull: number; commit: string };
    const more = diffSnapshots(makeSnapshot(AFTER_FILES), makeSnapshot({ ...AFTER_FILES, 'src/util.ts': 'export const y = 1;\n' })).patch;
    seed(store, 'p2', { ref: 'agent/t1', issue: first.pull, patch: more, result: { status: 'failed', stopReason: 'cancelled', error: { code: 'cancelled', message: 'the task was cancelled by @octo' } } });
    const outcome = await publishTask('p2', deps);
    expect(outcome).toMatchObject({ action: 'pull_request', branch: 'agent/p2' });
    expect(github.branch(O, R, 'agent/t1')).toBe(first.commit);
    const pr = github.writes().at(-1)!.body as { title: string; body: string; base: string };
    const sentence = pr.body.split('\n\n')[1].split(' This draft')[0];
    expect({ base: pr.base, sentence }).toEqual({ base: 'agent/t1', sentence: '**Incomplete.** agent-runner task `p2` was cancelled (`cancelled`: the task was cancelled by @octo) before it finished.' });
  });

  it('comments on a failure that changed nothing', async () => {
    seed(store, 'p3', { patch: '', result: { status: 'failed', stopReason: 'error', error: { code: 'model_error', message: 'the model call failed' } } });
    expect(await publishTask('p3', deps)).toMatchObject({ action: 'comment', kind: 'failed' });
    expect(github.branch(O, R, 'agent/p3')).toBeUndefined();
  });

  it('comments when the task succeeded without changing anything', async () => {
    seed(store, 't3', { patch: '' });
    expect(await publishTask('t3', deps)).toMatchObject({ action: 'comment', kind: 'no_change' });
    expect(github.issue(O, R, 1)!.comments[0].body).toContain('finished without changing any file');
    expect(github.branch(O, R, 'agent/t3')).toBeUndefined();
  });

  it('comments instead of committing when the base moved and the diff no longer applies', async () => {
    seed(store, 't4');
    github.commitOn(O, R, 'main', { 'README.md': 'Bonjour\n' });
    const outcome = await publishTask('t4', deps);
    expect(outcome).toMatchObject({ action: 'comment', kind: 'not_applied' });
    expect(github.issue(O, R, 1)!.comments[0].body).toContain('README.md no longer matches the diff');
    expect(github.writes().map((c) => c.path)).toEqual([`/repos/${O}/${R}/issues/1/comments`]);
  });

  it('commits a follow-up on the agent branch and comments on its pull request', async () => {
    seed(store, 't1');
    const first = (await publishTask('t1', deps)) as { pull: number; commit: string };
    const followUp = diffSnapshots(makeSnapshot(AFTER_FILES), makeSnapshot({ ...AFTER_FILES, 'src/util.ts': 'export const y = 1;\n' })).patch;
    seed(store, 't5', { ref: 'agent/t1', issue: first.pull, patch: followUp });
    const before = github.writes().length;
    const outcome = await publishTask('t5', deps);
    const head = github.branch(O, R, 'agent/t1')!;
    expect(github.commit(head).parents).toEqual([first.commit]);
    expect(github.writes().slice(before).map((c) => `${c.method} ${c.path}`)).toEqual([
      `POST /repos/${O}/${R}/git/blobs`,
      `POST /repos/${O}/${R}/git/trees`,
      `POST /repos/${O}/${R}/git/commits`,
      `PATCH /repos/${O}/${R}/git/refs/heads/agent/t1`,
      `POST /repos/${O}/${R}/issues/${first.pull}/comments`,
    ]);
    const comment = github.issue(O, R, first.pull)!.comments[0];
    expect(outcome).toEqual({ action: 'commit', branch: 'agent/t1', commit: head, comment: comment.id });
    expect(github.files(O, R, 'agent/t1')['src/util.ts']).toEqual({ mode: '100644', content: 'export const y = 1;\n' });
    marker.records.delete('t5');
    const again = github.writes().length;
    expect(await publishTask('t5', deps)).toEqual(outcome);
    expect(github.writes().length).toBe(again);
  });

  it('opens the pull request against the branch of the pull request it was asked from, referring to it', async () => {
    github.addPull(O, R, { number: 5, headRef: 'feature', title: 'Feature' });
    seed(store, 't6', { ref: 'feature', issue: 5 });
    await publishTask('t6', deps);
    const pr = github.writes().find((c) => c.method === 'POST' && c.path.endsWith('/pulls'))!.body as { base: string; body: string; title: string };
    expect([pr.base, pr.title, pr.body.split('\n')[0]]).toEqual(['feature', 'agent: Feature', 'Refs #5']);
  });

  it('falls back to a ready pull request where drafts are not available', async () => {
    github.addRepo(O, R, { files: BASE_FILES, drafts: false });
    github.addIssue(O, R, { number: 1, title: 'Greet better' });
    seed(store, 't7');
    const outcome = await publishTask('t7', deps);
    const posts = github.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/pulls'));
    expect(posts.map((c) => (c.body as { draft: boolean }).draft)).toEqual([true, false]);
    expect(outcome).toMatchObject({ action: 'pull_request', pull: 2 });
  });

  it('leaves tasks without a GitHub reply target alone', async () => {
    seed(store, 't8', { reply: null });
    expect([await publishTask('t8', deps), await publishTask('nope', deps)]).toEqual([
      { action: 'skipped', reason: 'no GitHub reply target' },
      { action: 'skipped', reason: 'task.json or result.json is missing' },
    ]);
    expect([github.calls, [...marker.records.keys()]]).toEqual([[], []]);
  });

  it('holds back changes to CI configuration (workflow files) and says so in the pull request', async () => {
    const after = { ...AFTER_FILES, '.github/workflows/ci.yml': 'on: push\njobs: {}\n', '.gitlab-ci.yml': 'x: 1\n' };
    seed(store, 'ci1', { patch: diffSnapshots(makeSnapshot(BASE_FILES), makeSnapshot(after)).patch });
    const outcome = await publishTask('ci1', deps);
    expect(outcome).toMatchObject({ action: 'pull_request', branch: 'agent/ci1' });
    expect(Object.keys(github.files(O, R, 'agent/ci1')).sort()).toEqual(['README.md', 'src/app.ts', 'src/util.ts']);
    const pr = github.writes().find((c) => c.method === 'POST' && c.path.endsWith('/pulls'))!.body as { body: string };
    expect(pr.body).toContain(
      "### Held back\n\nThese changes were not published. CI configuration is published only where the stack allows it (its `PublishCiConfig` setting); files past the runner's size limit are in the diff without their data. The whole diff is at `s3://artifacts/tasks/ci1/diff.patch`.\n\n- `.github/workflows/ci.yml` (added; CI configuration)\n- `.gitlab-ci.yml` (added; CI configuration)",
    );
    expect(pr.body).not.toMatch(/### Files[^#]*ci\.yml/);
  });

  it('comments instead of publishing when the change is CI configuration only', async () => {
    const workflow = diffSnapshots(makeSnapshot(BASE_FILES), makeSnapshot({ ...BASE_FILES, '.github/workflows/ci.yml': 'on: push\n', 'lib/Jenkinsfile': 'x\n' })).patch;
    seed(store, 'ci2', { patch: workflow });
    const outcome = await publishTask('ci2', deps);
    expect(outcome).toMatchObject({ action: 'comment', kind: 'not_applied' });
    expect(github.branch(O, R, 'agent/ci2')).toBeUndefined();
    expect(github.issue(O, R, 1)!.comments[0].body.split('\n\n')[0]).toBe(
      "agent-runner task `ci2` produced a change, but it could not be published: it changes only what the publisher holds back: `.github/workflows/ci.yml` (CI configuration), `lib/Jenkinsfile` (CI configuration) (CI configuration is published only where the stack's `PublishCiConfig` setting allows it). The diff is at `s3://artifacts/tasks/ci2/diff.patch`.",
    );
  });

  it('holds back a file past the size limit (in the diff without data) and publishes the rest', async () => {
    const text = diffSnapshots(makeSnapshot(BASE_FILES), makeSnapshot(AFTER_FILES)).patch;
    const big = `diff --git a/big.bin b/big.bin\nnew file mode 100644\nindex ${'0'.repeat(40)}..${'1'.repeat(40)}\nBinary files /dev/null and b/big.bin differ\n`;
    seed(store, 'big1', { patch: `${big}${text}` });
    expect(await publishTask('big1', deps)).toMatchObject({ action: 'pull_request' });
    expect(Object.keys(github.files(O, R, 'agent/big1')).sort()).toEqual(['README.md', 'src/app.ts', 'src/util.ts']);
    const pr = github.writes().find((c) => c.method === 'POST' && c.path.endsWith('/pulls'))!.body as { body: string };
    expect(pr.body).toContain('- `big.bin` (added; too large for the diff)');
  });

  it('publishes CI configuration when the stack allows it', async () => {
    const workflow = diffSnapshots(makeSnapshot(BASE_FILES), makeSnapshot({ ...BASE_FILES, '.github/workflows/ci.yml': 'on: push\n' })).patch;
    seed(store, 'ci3', { patch: workflow });
    expect(await publishTask('ci3', { ...deps, publishCiConfig: true })).toMatchObject({ action: 'pull_request' });
    expect(github.files(O, R, 'agent/ci3')['.github/workflows/ci.yml']).toEqual({ mode: '100644', content: 'on: push\n' });
  });
});

describe('isCiConfigPath', () => {
  it('knows the CI systems’ configuration places, in any letter case, and a file or link standing where their folder is', () => {
    const held = ['.github/workflows/ci.yml', '.GitHub/Workflows/x.yaml', '.github/actions/setup/action.yml', '.github/workflows', '.github', '.gitlab-ci.yml', '.circleci/config.yml', 'azure-pipelines.yml', 'Jenkinsfile', 'ci/Jenkinsfile', '.buildkite/pipeline.yml', 'tools/action.yaml', '.travis.yml', 'bitbucket-pipelines.yml', '.gitea/workflows/a.yml', '.forgejo/workflows/a.yml'];
    const free = ['src/workflows/ci.yml', 'docs/github/workflows.md', '.github/ISSUE_TEMPLATE/bug.md', '.github/CODEOWNERS', 'README.md', 'gitlab-ci.md'];
    expect([held.filter((p) => !isCiConfigPath(p)), free.filter((p) => isCiConfigPath(p))]).toEqual([[], []]);
  });
});

describe('publishTask for a CI fix', () => {
  const lease = (taskId: string, push: boolean) => ({ taskId, branch: 'feature', push, kind: push ? ('automatic' as const) : ('other' as const), until: Date.parse('2030-01-01') });

  it("pushes onto the pull request's own branch when the task's lease says so, and releases the lease", async () => {
    const pulls = new MemoryPullStateStore();
    github.addPull(O, R, { number: 5, headRef: 'feature', title: 'Feature' });
    pulls.states.set('octo/demo/5', { attempts: 1, shas: ['abc'], leases: [lease('t7', true), lease('other', false)], limitNoticed: false });
    seed(store, 't7', { ref: 'feature', issue: 5 });
    const outcome = await publishTask('t7', { ...deps, pulls });
    const head = github.branch(O, R, 'feature')!;
    expect(outcome).toEqual({ action: 'commit', branch: 'feature', commit: head, comment: github.issue(O, R, 5)!.comments[0].id });
    expect(github.commit(head).parents).toEqual([baseSha]);
    expect([github.pulls(O, R).length, github.branch(O, R, 'agent/t7')]).toEqual([1, undefined]);
    expect(pulls.get({ owner: O, repo: R, number: 5 })).toEqual({ attempts: 1, shas: ['abc'], leases: [lease('other', false)], limitNoticed: false });
  });

  it('opens a pull request as usual for a task whose lease does not push, and still releases it', async () => {
    const pulls = new MemoryPullStateStore();
    github.addPull(O, R, { number: 5, headRef: 'feature', title: 'Feature' });
    pulls.states.set('octo/demo/5', { attempts: 0, shas: [], leases: [lease('t8', false)], limitNoticed: false });
    seed(store, 't8', { ref: 'feature', issue: 5 });
    expect(await publishTask('t8', { ...deps, pulls })).toMatchObject({ action: 'pull_request', branch: 'agent/t8' });
    expect(github.branch(O, R, 'feature')).toBe(baseSha);
    expect(pulls.get({ owner: O, repo: R, number: 5 })?.leases).toEqual([]);
  });
});
