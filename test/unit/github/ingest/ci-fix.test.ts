import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isFixCiCommand, readCiFixSettings, type CiFixDeps } from '../../../../src/github/ingest/ci-fix.ts';
import { busyReply, limitReply, nothingFailingReply } from '../../../../src/github/ingest/ci-prompt.ts';
import { handleDelivery, type IngestDeps } from '../../../../src/github/ingest/ingest.ts';
import { jobLogReader } from '../../../../src/github/ingest/logs.ts';
import { deliveryTaskId } from '../../../../src/github/ingest/signature.ts';
import { FakeGitHub } from '../../../support/fake-github.ts';
import { MemoryPullStateStore } from '../../../support/memory-pull-state.ts';
import { ciFailure, issueComment, issuesLabeled } from '../payloads.ts';
import { memoryIngest, signedDelivery, type MemoryDeliveries, type MemoryQueue } from './doubles.ts';

const SECRET = 'ci-webhook-secret';
const TOKEN = 'ghs_ci';
const O = 'Codertocat';
const R = 'Hello-World';
const NOW = 1_750_000_000_000;
const LEASE_MS = 2 * 3600_000;
const RUNNER_COMMIT = 'agent: changes for #1\n\nAdded sum().\n\nAgent-Runner-Task: gh-first';

let github: FakeGitHub;
let deliveries: MemoryDeliveries;
let queue: MemoryQueue;
let pulls: MemoryPullStateStore;
let deps: IngestDeps;
let now: number;
let n = 0;
const nextId = () => `d0000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
const pull2 = { owner: O, repo: R, number: 2 };

beforeEach(async () => {
  github = await FakeGitHub.start({ tokens: [TOKEN] });
  github.addRepo(O, R, { defaultBranch: 'master', files: { 'src/sum.js': 'export const sum = (a, b) => a + b;\n' } });
  github.addIssue(O, R, { number: 1, title: 'Add sum' });
  ({ deps, deliveries, queue } = memoryIngest(github.url, SECRET, TOKEN));
  pulls = new MemoryPullStateStore();
  now = NOW;
  const ciFix: CiFixDeps = {
    settings: { label: 'agent-fix', maxAttempts: 2, leaseMs: LEASE_MS, logBudget: 4_000, readTimeoutMs: 4_000 },
    pulls,
    logs: jobLogReader({ apiUrl: github.url, token: async () => TOKEN }),
    clock: () => now,
  };
  deps.ciFix = ciFix;
});

afterEach(async () => {
  await github.stop();
});

/** An agent pull request #2 whose head is a commit of the runner (or of `message`'s author); its head sha. */
function agentPull(message = RUNNER_COMMIT, branch = 'agent/gh-first'): string {
  github.addBranch(O, R, branch);
  const sha = github.commitOn(O, R, branch, { 'src/sum.js': 'export const sum = (a, b) => a - b;\n' }, message);
  github.addPull(O, R, { number: 2, headRef: branch, title: 'agent: Add sum', body: 'Closes #1' });
  return sha;
}

/** A failed workflow run on `sha` with one failing job; the delivery reporting it. */
function failedRun(sha: string, ref = 'agent/gh-first'): { payload: Record<string, any>; jobId: number } {
  const { runId, jobIds } = github.checks.addWorkflowRun(`${O}/${R}`, {
    name: 'CI',
    headSha: sha,
    jobs: [{ name: 'test', conclusion: 'failure', steps: [{ name: 'Run npm test', conclusion: 'failure' }], log: 'FAIL test/sum.test.js\n  expected 3, received -1\n##[error]Process completed with exit code 1.\n' }],
  });
  return { payload: ciFailure('workflow_run', { owner: O, repo: R, number: 2, ref, sha, id: runId, name: 'CI' }), jobId: jobIds[0] };
}

/**
 * GitHub's delivery of `payload` under `id`. Each delivery GitHub makes has a body of its own
 * (a byte-identical body under a new id is a replay, refused before any of this): the id goes in.
 */
const deliver = (event: string, payload: unknown, id = nextId()) => handleDelivery(signedDelivery(SECRET, event, id, { ...(payload as object), test_delivery: id }), deps);

describe('a failed check on a pull request', () => {
  it("starts one fix on the runner's pull request, with the failing job's log, holding the pull request", async () => {
    const sha = agentPull();
    const { payload } = failedRun(sha);
    const id = nextId();
    const res = await deliver('workflow_run', payload, id);
    expect(res).toEqual({ statusCode: 202, body: { taskId: deliveryTaskId(SECRET, id) } });
    expect(queue.tasks).toEqual([
      { taskId: deliveryTaskId(SECRET, id), prompt: expect.any(String), source: { github: { owner: O, repo: R, ref: 'agent/gh-first' } }, reply: { github: { owner: O, repo: R, issue: 2 } } },
    ]);
    const prompt = queue.tasks[0].prompt;
    expect(prompt).toContain(`pushed as a new commit to \`agent/gh-first\``);
    expect(prompt).toContain('Pull request #2: agent: Add sum\n\nCloses #1');
    expect(prompt).toContain('Failed steps: "Run npm test"\nThe end of its log:\n```text\nFAIL test/sum.test.js\n  expected 3, received -1\n##[error]Process completed with exit code 1.\n```');
    expect(pulls.get(pull2)).toEqual({ attempts: 1, shas: [sha], leases: [{ taskId: deliveryTaskId(SECRET, id), branch: 'agent/gh-first', push: true, kind: 'automatic', until: NOW + LEASE_MS }], limitNoticed: false });
    expect(github.writes()).toEqual([]);
  });

  it('does nothing again for the same commit, whichever event reports it, nor while the fix runs', async () => {
    const sha = agentPull();
    const { payload } = failedRun(sha);
    await deliver('workflow_run', payload);
    const sameCommit = ciFailure('check_suite', { owner: O, repo: R, number: 2, ref: 'agent/gh-first', sha });
    const running = await deliver('check_suite', sameCommit);
    pulls.states.get('codertocat/hello-world/2')!.leases = [];
    const afterwards = await deliver('check_suite', sameCommit);
    expect([running.body, afterwards.body, queue.tasks.length]).toEqual([{ ignored: `task ${queue.tasks[0].taskId} is still working on this pull request` }, { ignored: `a fix was started for ${sha} before` }, 1]);
  });

  it('comments once when the attempts are used up, then stays silent', async () => {
    const sha = agentPull();
    pulls.states.set('codertocat/hello-world/2', { attempts: 2, shas: ['s1', 's2'], leases: [], limitNoticed: false });
    const third = await deliver('workflow_run', failedRun(sha).payload);
    const fourth = await deliver('workflow_run', failedRun(sha).payload);
    const comment = github.writes()[0];
    expect([third, fourth.body, queue.tasks.length]).toEqual([
      { statusCode: 200, body: { ignored: 'the limit of 2 automatic attempts was reached', comment: expect.any(Number) } },
      { ignored: 'the limit of 2 automatic attempts was reached' },
      0,
    ]);
    expect(github.writes().map((c) => [c.method, c.path, c.body])).toEqual([['POST', `/repos/${O}/${R}/issues/2/comments`, { body: limitReply(2) }]]);
    expect(comment.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it("does nothing on a human's pull request without the label, nor for a human's commit on an agent branch", async () => {
    github.addBranch(O, R, 'feature');
    const human = github.commitOn(O, R, 'feature', { 'a.txt': 'a' }, 'WIP');
    github.addPull(O, R, { number: 3, headRef: 'feature' });
    const onHuman = ciFailure('check_run', { owner: O, repo: R, number: 3, ref: 'feature', sha: human });
    const sha = agentPull('fix typo (pushed by hand)');
    const onAgent = ciFailure('check_run', { owner: O, repo: R, number: 2, ref: 'agent/gh-first', sha });
    const results = [await deliver('check_run', onHuman), await deliver('check_run', onAgent)];
    expect(results.map((r) => r.body)).toEqual([
      { ignored: "pull request #3 is not the runner's and not labelled `agent-fix`" },
      { ignored: `the runner did not make ${sha} (label the pull request \`agent-fix\` to fix it anyway)` },
    ]);
    expect([queue.tasks, pulls.writes, github.writes()]).toEqual([[], 0, []]);
  });

  it("fixes a labelled human pull request on its own branch, reading another App's check run", async () => {
    github.addBranch(O, R, 'feature');
    const sha = github.commitOn(O, R, 'feature', { 'a.txt': 'a' }, 'WIP');
    github.addPull(O, R, { number: 3, headRef: 'feature', labels: ['Agent-Fix'] });
    const payload = ciFailure('check_run', { owner: O, repo: R, number: 3, ref: 'feature', sha });
    payload.check_run.app.slug = 'octocoders-linter';
    payload.check_run.output = { ...payload.check_run.output, title: '1 problem', summary: 'src/a.ts: unused variable' };
    const res = await deliver('check_run', payload);
    expect([res.statusCode, queue.tasks.map((t) => t.source)]).toEqual([202, [{ github: { owner: O, repo: R, ref: 'feature' } }]]);
    expect(queue.tasks[0].prompt).toContain('### Octocoders-linter (failure) https://github.com/Codertocat/Hello-World/runs/128620228\nIts output:\n```text\n1 problem\n\nsrc/a.ts: unused variable\n```');
    expect(pulls.get({ ...pull2, number: 3 })?.leases).toEqual([{ taskId: queue.tasks[0].taskId, branch: 'feature', push: true, kind: 'automatic', until: NOW + LEASE_MS }]);
  });

  it('ignores closed pull requests, forks and failures of a commit the pull request has moved on from', async () => {
    const sha = agentPull();
    const { payload } = failedRun(sha);
    github.issue(O, R, 2)!.pull!.state = 'closed';
    const closed = await deliver('workflow_run', payload);
    github.issue(O, R, 2)!.pull!.state = 'open';
    github.issue(O, R, 2)!.pull!.headRepo = 'someone/Hello-World';
    const fork = await deliver('workflow_run', payload);
    github.issue(O, R, 2)!.pull!.headRepo = `${O}/${R}`;
    github.commitOn(O, R, 'agent/gh-first', { 'b.txt': 'b' }, RUNNER_COMMIT);
    const moved = await deliver('workflow_run', payload);
    expect([closed.body, fork.body, moved.body, queue.tasks.length, pulls.writes]).toEqual([
      { ignored: 'pull request #2 is not open' },
      { ignored: 'pull request from a fork' },
      { ignored: `pull request #2 has moved on from ${sha}` },
      0,
      0,
    ]);
  });

  it('takes its start back and answers 502 when the task cannot be queued, so that a redelivery starts it', async () => {
    const sha = agentPull();
    const { payload } = failedRun(sha);
    queue.failures = 1;
    const id = nextId();
    const failed = await deliver('workflow_run', payload, id);
    // The delivery id and the body's digest are both let go.
    expect([failed.statusCode, pulls.get(pull2), deliveries.released]).toEqual([502, { attempts: 0, shas: [], leases: [], limitNoticed: false }, [id, expect.stringMatching(/^sha256-[0-9a-f]{64}$/)]]);
    const again = await deliver('workflow_run', payload, id);
    expect([again.statusCode, queue.tasks.length, pulls.get(pull2)?.attempts]).toEqual([202, 1, 1]);
  });

  it('leaves the notice unrecorded when the limit comment fails, so that a redelivery posts it', async () => {
    const sha = agentPull();
    pulls.states.set('codertocat/hello-world/2', { attempts: 2, shas: [], leases: [], limitNoticed: false });
    github.fail('POST', /\/comments$/, 500);
    const failed = await deliver('workflow_run', failedRun(sha).payload);
    expect([failed.statusCode, pulls.get(pull2)?.limitNoticed]).toEqual([502, false]);
  });
});

describe('comments on a pull request with CI fixing on', () => {
  function comment(body: string): Record<string, any> {
    const p = issueComment();
    p.comment.body = body;
    p.issue.number = 2;
    p.issue.comments = 0;
    p.issue.pull_request = { url: `https://api.github.com/repos/${O}/${R}/pulls/2` };
    return p;
  }

  beforeEach(() => {
    github.setPermission(O, R, 'Codertocat', 'write');
  });

  it('starts a requested fix with the head commit\'s failures and the request, and reacts on the comment', async () => {
    const sha = agentPull('a human commit');
    failedRun(sha);
    github.issue(O, R, 2)!.comments.push({ id: 492700400, body: '/agent fix-ci', user: { login: 'Codertocat', type: 'User' } });
    const res = await deliver('issue_comment', comment('/agent fix-ci and keep the API'));
    expect(res.statusCode).toBe(202);
    expect(queue.tasks[0].prompt).toContain(`Failing checks on commit ${sha}.`);
    expect(queue.tasks[0].prompt).toContain('### test (failure)');
    expect(queue.tasks[0].prompt).toContain('Request from @Codertocat (verbatim):\n/agent fix-ci and keep the API');
    expect(pulls.get(pull2)).toEqual({ attempts: 0, shas: [sha], leases: [{ taskId: queue.tasks[0].taskId, branch: 'agent/gh-first', push: true, kind: 'requested', until: NOW + LEASE_MS }], limitNoticed: false });
    expect(github.reactions).toEqual([{ path: `/repos/${O}/${R}/issues/comments/492700400/reactions`, content: 'eyes' }]);
  });

  it('takes a requested start back when its task cannot be queued, keeping what an automatic attempt recorded', async () => {
    const sha = agentPull();
    failedRun(sha);
    pulls.states.set('codertocat/hello-world/2', { attempts: 1, shas: [sha], leases: [], limitNoticed: false });
    queue.failures = 1;
    const res = await deliver('issue_comment', comment('/agent fix-ci'));
    expect([res.statusCode, pulls.get(pull2)]).toEqual([502, { attempts: 1, shas: [sha], leases: [], limitNoticed: false }]);
  });

  it('answers instead of starting when nothing fails or a task is running', async () => {
    const sha = agentPull();
    const nothing = await deliver('issue_comment', comment('/agent fix-ci'));
    failedRun(sha);
    pulls.states.set('codertocat/hello-world/2', { attempts: 0, shas: [], leases: [{ taskId: 'gh-other', branch: 'agent/gh-first', push: false, kind: 'other', until: NOW + 1 }], limitNoticed: false });
    const busy = await deliver('issue_comment', comment('/agent fix-ci'));
    expect([nothing.body, busy.body, queue.tasks.length]).toEqual([{ ignored: `no check fails on ${sha}` }, { ignored: 'task gh-other is still working on this pull request' }, 0]);
    expect(github.writes().map((c) => (c.body as { body: string }).body)).toEqual([nothingFailingReply('Codertocat', sha), busyReply('Codertocat', 'task gh-other is still working on this pull request')]);
  });

  it('records any other /agent task on the pull request, so that no automatic fix runs beside it', async () => {
    const sha = agentPull();
    const res = await deliver('issue_comment', comment('/agent rename sum to add'));
    const during = await deliver('workflow_run', failedRun(sha).payload);
    expect([res.statusCode, during.body, queue.tasks.length]).toEqual([202, { ignored: `task ${queue.tasks[0].taskId} is still working on this pull request` }, 1]);
    expect(queue.tasks[0].prompt).toContain('Instruction from @Codertocat (verbatim):\n/agent rename sum to add');
    expect(pulls.get(pull2)?.leases).toEqual([{ taskId: queue.tasks[0].taskId, branch: 'agent/gh-first', push: false, kind: 'other', until: NOW + LEASE_MS }]);
  });
});

describe('the label on a pull request with CI fixing on', () => {
  it('records the task it starts, so that no automatic fix runs beside it', async () => {
    const sha = agentPull();
    const labelled = issuesLabeled();
    labelled.label.name = 'agent';
    labelled.issue.number = 2;
    labelled.issue.pull_request = { url: `https://api.github.com/repos/${O}/${R}/pulls/2` };
    expect((await deliver('issues', labelled)).statusCode).toBe(202);
    const during = await deliver('workflow_run', failedRun(sha).payload);
    expect([during.body, queue.tasks.length]).toEqual([{ ignored: `task ${queue.tasks[0].taskId} is still working on this pull request` }, 1]);
    expect(pulls.get(pull2)?.leases).toEqual([{ taskId: queue.tasks[0].taskId, branch: 'agent/gh-first', push: false, kind: 'other', until: NOW + LEASE_MS }]);
  });
});

describe('settings', () => {
  it('reads the label, the attempts and the lease from the environment, with defaults', () => {
    expect(readCiFixSettings({})).toEqual({ label: 'agent-fix', maxAttempts: 2, leaseMs: 7_200_000, logBudget: 24_000, readTimeoutMs: 3_000 });
    expect(readCiFixSettings({ CI_FIX_LABEL: 'fix-ci', CI_FIX_MAX_ATTEMPTS: '0', TIMEOUT_SECONDS: '600' })).toMatchObject({ label: 'fix-ci', maxAttempts: 0, leaseMs: 4_200_000 });
    expect(() => readCiFixSettings({ CI_FIX_MAX_ATTEMPTS: 'two' })).toThrow(/CI_FIX_MAX_ATTEMPTS/);
  });

  it('recognises /agent fix-ci as a word', () => {
    expect(['/agent fix-ci', ' /agent  fix-ci\nplease', '/agent fix-ci-now', '/agent fix ci', '/agent please fix-ci'].map(isFixCiCommand)).toEqual([true, true, false, false, false]);
  });
});
