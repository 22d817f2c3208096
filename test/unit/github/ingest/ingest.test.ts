import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bodyKeyOf, handleDelivery, type IngestDeps } from '../../../../src/github/ingest/ingest.ts';
import { buildPrompt, permissionDeniedReply } from '../../../../src/github/ingest/prompt.ts';
import { startedComment } from '../../../../src/github/ingest/started.ts';
import type { WebhookRequest } from '../../../../src/github/ingest/request.ts';
import { deliveryTaskId, signBody } from '../../../../src/github/ingest/signature.ts';
import { classifyDelivery, type IssueTrigger } from '../../../../src/github/ingest/triggers.ts';
import { FakeGitHub } from '../../../support/fake-github.ts';
import { memoryIngest, signedDelivery, type MemoryDeliveries, type MemoryQueue } from './doubles.ts';
import { checkRunFailed, issueComment, issuesLabeled, ping } from '../payloads.ts';

const SECRET = 'test-webhook-secret';
const TOKEN = 'ghp_test';
const DELIVERY = '72d3162e-cc78-11e3-81ab-4c9367dc0958';
const O = 'Codertocat';
const R = 'Hello-World';

function delivery(event: string, payload: unknown, opts: { signature?: string | null; id?: string } = {}): WebhookRequest {
  return signedDelivery(SECRET, event, opts.id ?? DELIVERY, payload, opts.signature);
}

function command(body: string, onPull = false): Record<string, any> {
  const p = issueComment();
  p.comment.body = body;
  if (onPull) p.issue.pull_request = { url: `https://api.github.com/repos/${O}/${R}/pulls/1` };
  return p;
}

let github: FakeGitHub;
let deliveries: MemoryDeliveries;
let queue: MemoryQueue;
let deps: IngestDeps;

beforeEach(async () => {
  github = await FakeGitHub.start({ tokens: [TOKEN] });
  github.addRepo(O, R, { defaultBranch: 'master', files: { README: 'Hello\n' } });
  github.addIssue(O, R, { number: 1, title: 'Spelling error in the README file', comments: [{ id: 492700400, author: 'Codertocat', body: 'x' }] });
  ({ deps, deliveries, queue } = memoryIngest(github.url, SECRET, TOKEN));
});

afterEach(async () => {
  await github.stop();
});

const trigger = (event: string, payload: unknown) => (classifyDelivery(event, payload, { label: 'agent', checkRuns: true }) as { trigger: IssueTrigger }).trigger;

describe('handleDelivery', () => {
  it('enqueues one task for a labelled issue and reacts with eyes on the issue', async () => {
    const payload = issuesLabeled();
    payload.label.name = 'agent';
    const res = await handleDelivery(delivery('issues', payload), deps);
    expect(res).toEqual({ statusCode: 202, body: { taskId: deliveryTaskId(SECRET, DELIVERY) } });
    expect(queue.tasks).toEqual([
      {
        taskId: deliveryTaskId(SECRET, DELIVERY),
        prompt: buildPrompt({ trigger: trigger('issues', payload), ref: 'master', thread: [] }),
        source: { github: { owner: O, repo: R, ref: 'master' } },
        reply: { github: { owner: O, repo: R, issue: 1 } },
      },
    ]);
    expect(github.writes().map((c) => [c.method, c.path, c.body, c.authorization])).toEqual([['POST', `/repos/${O}/${R}/issues/1/reactions`, { content: 'eyes' }, `Bearer ${TOKEN}`]]);
    expect([...deliveries.claimed]).toEqual([DELIVERY, bodyKeyOf(delivery('issues', payload).body)]);
  });

  it('enqueues a writer comment on an issue with the thread, and reacts on the comment', async () => {
    github.setPermission(O, R, 'Codertocat', 'write');
    github.addIssue(O, R, { number: 1, title: 'Spelling', comments: [{ id: 11, author: 'bob', body: 'Me too' }, { id: 492700400, author: 'Codertocat', body: '/agent fix it' }] });
    const payload = command('/agent fix it');
    payload.issue.comments = 2;
    const res = await handleDelivery(delivery('issue_comment', payload), deps);
    expect(res.statusCode).toBe(202);
    expect(queue.tasks.map((t) => [t.source, t.reply, t.prompt])).toEqual([
      [
        { github: { owner: O, repo: R, ref: 'master' } },
        { github: { owner: O, repo: R, issue: 1 } },
        buildPrompt({ trigger: trigger('issue_comment', payload), ref: 'master', thread: [{ id: 11, author: 'bob', body: 'Me too' }, { id: 492700400, author: 'Codertocat', body: '/agent fix it' }] }),
      ],
    ]);
    expect(queue.tasks[0].prompt).toContain('--- @bob:\nMe too');
    expect(github.reactions).toEqual([{ path: `/repos/${O}/${R}/issues/comments/492700400/reactions`, content: 'eyes' }]);
  });

  it("works on a pull request's head branch, and accepts the maintain role", async () => {
    github.setPermission(O, R, 'Codertocat', 'read', 'maintain');
    github.addPull(O, R, { number: 1, headRef: 'feature/x' });
    github.issue(O, R, 1)!.comments.push({ id: 492700400, body: '/agent add tests', user: { login: 'Codertocat', type: 'User' } });
    const res = await handleDelivery(delivery('issue_comment', command('/agent add tests', true)), deps);
    expect(res.statusCode).toBe(202);
    expect(queue.tasks.map((t) => t.source)).toEqual([{ github: { owner: O, repo: R, ref: 'feature/x' } }]);
    expect(github.calls.filter((c) => c.method === 'GET').map((c) => c.path).sort()).toEqual([`/repos/${O}/${R}/collaborators/Codertocat/permission`, `/repos/${O}/${R}/pulls/1`]);
  });

  it('enqueues nothing for a commenter without write access and answers politely', async () => {
    github.setPermission(O, R, 'Codertocat', 'read');
    const res = await handleDelivery(delivery('issue_comment', command('/agent delete everything')), deps);
    expect(res).toEqual({ statusCode: 200, body: { ignored: '@Codertocat has no write access' } });
    expect(queue.tasks).toEqual([]);
    expect(github.writes().map((c) => [c.method, c.path, c.body])).toEqual([['POST', `/repos/${O}/${R}/issues/1/comments`, { body: permissionDeniedReply('Codertocat') }]]);
  });

  it('treats a user the API does not know as without access', async () => {
    github.setPermission(O, R, 'Codertocat', null);
    const res = await handleDelivery(delivery('issue_comment', command('/agent go')), deps);
    expect([res.statusCode, queue.tasks.length, github.writes().length]).toEqual([200, 0, 1]);
  });

  it('refuses pull requests from forks', async () => {
    github.setPermission(O, R, 'Codertocat', 'admin');
    github.addPull(O, R, { number: 1, headRef: 'patch-1', headRepo: 'someone/Hello-World' });
    const res = await handleDelivery(delivery('issue_comment', command('/agent go', true)), deps);
    expect(res).toEqual({ statusCode: 200, body: { ignored: 'pull request from a fork' } });
    expect(queue.tasks).toEqual([]);
  });

  it('starts nothing for a failed check when CI fixing is not configured', async () => {
    github.addPull(O, R, { number: 2, headRef: 'changes' });
    const res = await handleDelivery(delivery('check_run', checkRunFailed()), deps);
    expect([res, queue.tasks, github.calls]).toEqual([{ statusCode: 200, body: { ignored: 'CI fixing is not configured' } }, [], []]);
  });

  it('answers 401 to a missing, malformed or wrong signature and a tampered body, doing nothing else', async () => {
    const payload = issuesLabeled();
    payload.label.name = 'agent';
    const good = delivery('issues', payload);
    const tampered = { ...good, body: Buffer.from(good.body.toString().replace('"agent"', '"agent" ')) };
    const results = [
      await handleDelivery(delivery('issues', payload, { signature: null }), deps),
      await handleDelivery(delivery('issues', payload, { signature: 'sha256=abc' }), deps),
      await handleDelivery(delivery('issues', payload, { signature: signBody('wrong', good.body) }), deps),
      await handleDelivery(tampered, deps),
    ];
    expect(results.map((r) => r.statusCode)).toEqual([401, 401, 401, 401]);
    expect([github.calls, queue.tasks, [...deliveries.claimed]]).toEqual([[], [], []]);
  });

  it('handles a delivery id once', async () => {
    const payload = issuesLabeled();
    payload.label.name = 'agent';
    const first = await handleDelivery(delivery('issues', payload), deps);
    const calls = github.calls.length;
    const second = await handleDelivery(delivery('issues', payload), deps);
    expect([first.statusCode, second]).toEqual([202, { statusCode: 200, body: { duplicate: DELIVERY } }]);
    expect([queue.tasks.length, github.calls.length]).toEqual([1, calls]);
  });

  it('handles a signed body once: byte-identical under a new delivery id is a replay; a new label event is not', async () => {
    const payload = issuesLabeled();
    payload.label.name = 'agent';
    const first = await handleDelivery(delivery('issues', payload), deps);
    const replayed = await handleDelivery(delivery('issues', payload, { id: 'f00dcafe-0000-0000-0000-000000000001' }), deps);
    const relabelled = { ...payload, issue: { ...payload.issue, updated_at: '2030-01-01T00:00:00Z' } };
    const again = await handleDelivery(delivery('issues', relabelled, { id: 'f00dcafe-0000-0000-0000-000000000002' }), deps);
    expect([first.statusCode, replayed, again.statusCode, queue.tasks.map((t) => t.taskId)]).toEqual([
      202,
      { statusCode: 200, body: { duplicate: 'f00dcafe-0000-0000-0000-000000000001', replayOf: 'a body handled before' } },
      202,
      [deliveryTaskId(SECRET, DELIVERY), deliveryTaskId(SECRET, 'f00dcafe-0000-0000-0000-000000000002')],
    ]);
  });

  it('acknowledges ping, other labels and unparsable bodies without enqueueing', async () => {
    const notJson: WebhookRequest = { method: 'POST', headers: { 'x-github-event': 'issues', 'x-github-delivery': DELIVERY, 'x-hub-signature-256': signBody(SECRET, 'nope') }, body: Buffer.from('nope') };
    const results = [await handleDelivery(delivery('ping', ping()), deps), await handleDelivery(delivery('issues', issuesLabeled()), deps), await handleDelivery(notJson, deps)];
    expect(results).toEqual([
      { statusCode: 200, body: { ignored: 'ping' } },
      { statusCode: 200, body: { ignored: 'label "bug" is not "agent"' } },
      { statusCode: 400, body: { error: 'the body is not JSON' } },
    ]);
    expect([queue.tasks, github.calls, [...deliveries.claimed]]).toEqual([[], [], []]);
  });

  it('releases the delivery and answers 502 when GitHub fails, so a redelivery is handled', async () => {
    github.fail('GET', /permission$/, 500);
    const first = await handleDelivery(delivery('issue_comment', command('/agent go')), deps);
    expect([first.statusCode, queue.tasks.length, deliveries.released]).toEqual([502, 0, [DELIVERY, bodyKeyOf(delivery('issue_comment', command('/agent go')).body)]]);
    github.setPermission(O, R, 'Codertocat', 'write');
    const again = await handleDelivery(delivery('issue_comment', command('/agent go')), deps);
    expect([again.statusCode, queue.tasks.length]).toEqual([202, 1]);
  });

  it('still answers 202 when the reaction fails after the task is queued', async () => {
    const payload = issuesLabeled();
    payload.label.name = 'agent';
    github.fail('POST', /reactions$/, 500);
    const res = await handleDelivery(delivery('issues', payload), deps);
    expect([res.statusCode, queue.tasks.length, deliveries.released]).toEqual([202, 1, []]);
  });

  it("comments that the task started, with its watch-page link, when links can be made; a failing link maker changes nothing else", async () => {
    const payload = issuesLabeled();
    payload.label.name = 'agent';
    const withLink = await handleDelivery(delivery('issues', payload), { ...deps, viewLink: async (id) => `https://view.example/tasks/${id}/view?token=t0k` });
    expect(withLink.statusCode).toBe(202);
    expect(github.writes().map((c) => [c.method, c.path, c.body])).toEqual([
      ['POST', `/repos/${O}/${R}/issues/1/reactions`, { content: 'eyes' }],
      ['POST', `/repos/${O}/${R}/issues/1/comments`, { body: startedComment(deliveryTaskId(SECRET, DELIVERY), `https://view.example/tasks/${deliveryTaskId(SECRET, DELIVERY)}/view?token=t0k`) }],
    ]);
    expect(startedComment('t-1', 'https://v/x')).toBe(
      'agent-runner started task `t-1` for this. [Watch it live](https://v/x) (read-only; the link works for anyone who has it, until it expires). The outcome will be posted here.',
    );
    // Another labelling (its own body: a byte-identical one under a new id would be a replay).
    const again = { ...payload, issue: { ...payload.issue, updated_at: '2031-01-01T00:00:00Z' } };
    const failing = await handleDelivery(delivery('issues', again, { id: 'other-delivery' }), { ...deps, viewLink: async () => Promise.reject(new Error('AccessDenied')) });
    expect([failing.statusCode, queue.tasks.length, github.writes().length]).toEqual([202, 2, 3]);
  });

  it('refuses a triggering delivery without a usable delivery id, and methods other than POST', async () => {
    const payload = issuesLabeled();
    payload.label.name = 'agent';
    const noId = await handleDelivery(delivery('issues', payload, { id: '../../etc' }), deps);
    const get = await handleDelivery({ ...delivery('issues', payload), method: 'GET' }, deps);
    expect([noId.statusCode, get.statusCode, queue.tasks.length]).toEqual([400, 405, 0]);
  });
});

describe('handleDelivery on labelled pull requests', () => {
  it("works on the pull request's branch, with a case-insensitive label", async () => {
    github.addPull(O, R, { number: 1, headRef: 'feature/y' });
    const payload = issuesLabeled();
    payload.label.name = 'Agent';
    payload.issue.pull_request = { url: `https://api.github.com/repos/${O}/${R}/pulls/1` };
    const res = await handleDelivery(delivery('issues', payload), deps);
    expect([res.statusCode, queue.tasks.map((t) => t.source)]).toEqual([202, [{ github: { owner: O, repo: R, ref: 'feature/y' } }]]);
  });
});
