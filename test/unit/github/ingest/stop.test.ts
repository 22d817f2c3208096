import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requestCancel, type CancelRequest } from '../../../../src/cancel/index.ts';
import { handleDelivery, type IngestDeps } from '../../../../src/github/ingest/ingest.ts';
import { budgetReply } from '../../../../src/github/ingest/budget.ts';
import { permissionDeniedReply } from '../../../../src/github/ingest/prompt.ts';
import { IndexedTaskQueue, isStopCommand, stopReply, type TaskIndex } from '../../../../src/github/ingest/stop.ts';
import type { GitHubReply } from '../../../../src/github/types.ts';
import { FakeGitHub } from '../../../support/fake-github.ts';
import { MemoryStore } from '../../../support/memory-store.ts';
import { memoryIngest, signedDelivery, type MemoryQueue } from './doubles.ts';
import { checkRunFailed, issueComment, issuesLabeled } from '../payloads.ts';

const SECRET = 'stop-secret';
const TOKEN = 'ghp_stop';
const O = 'Codertocat';
const R = 'Hello-World';
const NOW = Date.parse('2026-03-05T10:00:00Z');

class MemoryIndex implements TaskIndex {
  readonly entries = new Map<string, Set<string>>();
  private key(t: GitHubReply) {
    return `${t.owner.toLowerCase()}/${t.repo.toLowerCase()}#${t.issue}`;
  }
  async record(t: GitHubReply, taskId: string) {
    this.entries.set(this.key(t), new Set([...(this.entries.get(this.key(t)) ?? []), taskId]));
  }
  async list(t: GitHubReply) {
    return [...(this.entries.get(this.key(t)) ?? [])].sort();
  }
  async forget(t: GitHubReply, taskId: string) {
    this.entries.get(this.key(t))?.delete(taskId);
  }
}

let github: FakeGitHub;
let deps: IngestDeps;
let queue: MemoryQueue;
let index: MemoryIndex;
let store: MemoryStore;
let refusal: string | undefined;
let n = 0;

function comment(body: string): Record<string, any> {
  const p = issueComment();
  p.comment.body = body;
  return p;
}
const deliver = (event: string, payload: unknown) => handleDelivery(signedDelivery(SECRET, event, `d-${++n}`, payload), deps);

beforeEach(async () => {
  github = await FakeGitHub.start({ tokens: [TOKEN] });
  github.addRepo(O, R, { defaultBranch: 'master', files: { README: 'Hello\n' } });
  github.addIssue(O, R, { number: 1, title: 'Spelling error in the README file' });
  const ingest = memoryIngest(github.url, SECRET, TOKEN);
  queue = ingest.queue;
  index = new MemoryIndex();
  store = new MemoryStore();
  refusal = undefined;
  deps = {
    ...ingest.deps,
    queue: new IndexedTaskQueue(queue, index),
    stop: { index, cancel: (r: CancelRequest) => requestCancel(store, r), clock: () => NOW },
    budget: async () => refusal,
  };
});

afterEach(async () => {
  await github.stop();
});

describe('/agent stop', () => {
  it('is a command of its own, with an optional reason', () => {
    expect(['/agent stop', '  /agent   stop  ', '/agent stop wrong issue', '/Agent STOP\nplease'].map(isStopCommand)).toEqual([true, true, true, true]);
    expect(['/agent stopping the bug', '/agent fix the stop button', 'stop /agent stop'].map(isStopCommand)).toEqual([false, false, false]);
  });

  it('asks every unfinished task of the thread to stop, forgets finished ones, and says so', async () => {
    github.setPermission(O, R, 'Codertocat', 'write');
    const labelled = issuesLabeled();
    labelled.label.name = 'agent';
    await deliver('issues', labelled);
    // Labelled again later: a new event, not a replay of the same body.
    labelled.issue.updated_at = '2026-03-05T09:00:00Z';
    await deliver('issues', labelled);
    const [running, done] = queue.tasks.map((t) => t.taskId);
    await store.put(done, 'result.json', JSON.stringify({ taskId: done, status: 'succeeded' }));
    await store.put(running, 'task.json', '{}');
    const before = github.writes().length;

    const res = await deliver('issue_comment', comment('/agent stop it is the wrong issue'));
    expect(res).toEqual({ statusCode: 200, body: { stopping: [running], finished: [done] } });
    expect(JSON.parse(store.artifacts.get(`${running}/cancel.json`)!)).toEqual({
      taskId: running,
      requestedAt: '2026-03-05T10:00:00.000Z',
      by: '@Codertocat (/agent stop on #1)',
      reason: 'it is the wrong issue',
    });
    expect(store.artifacts.has(`${done}/cancel.json`)).toBe(false);
    expect(await index.list({ owner: O, repo: R, issue: 1 })).toEqual([running]);
    expect(github.writes().slice(before).map((c) => [c.path, c.body])).toEqual([
      [`/repos/${O}/${R}/issues/comments/492700400/reactions`, { content: '+1' }],
      [`/repos/${O}/${R}/issues/1/comments`, { body: stopReply('Codertocat', [running]) }],
    ]);
    // Nothing new was queued.
    expect(queue.tasks.length).toBe(2);
  });

  it('takes the stop only from a writer', async () => {
    github.setPermission(O, R, 'Codertocat', 'read');
    await index.record({ owner: O, repo: R, issue: 1 }, 'someone-elses');
    const res = await deliver('issue_comment', comment('/agent stop'));
    expect(res).toEqual({ statusCode: 200, body: { ignored: '@Codertocat has no write access' } });
    expect([store.artifacts.size, github.writes().map((c) => c.body)]).toEqual([0, [{ body: permissionDeniedReply('Codertocat') }]]);
  });

  it('says when there is nothing to stop', async () => {
    github.setPermission(O, R, 'Codertocat', 'admin');
    expect(await deliver('issue_comment', comment('/agent stop'))).toEqual({ statusCode: 200, body: { stopping: [], finished: [] } });
    expect(github.writes().at(-1)!.body).toEqual({ body: '@Codertocat: no agent-runner task is running for this thread, so there is nothing to stop.' });
  });
});

describe('a spent budget in the webhook', () => {
  it('comments instead of enqueueing, after the permission check', async () => {
    github.setPermission(O, R, 'Codertocat', 'write');
    refusal = "the stack's monthly budget of USD 5.00 is spent (USD 5.10 in 2026-03); no new task starts before next month or a higher budget";
    const res = await deliver('issue_comment', comment('/agent fix it'));
    expect(res).toEqual({ statusCode: 200, body: { refused: refusal } });
    expect(queue.tasks).toEqual([]);
    expect(github.writes().map((c) => [c.path, c.body])).toEqual([[`/repos/${O}/${R}/issues/1/comments`, { body: budgetReply('Codertocat', refusal) }]]);
  });

  it('starts no automatic CI fix, silently', async () => {
    refusal = 'spent';
    deps.ciFix = {} as IngestDeps['ciFix'];
    github.addPull(O, R, { number: 2, headRef: 'changes' });
    const res = await deliver('check_run', checkRunFailed());
    expect([res, queue.tasks, github.writes()]).toEqual([{ statusCode: 200, body: { ignored: 'the monthly budget is spent' } }, [], []]);
  });
});
