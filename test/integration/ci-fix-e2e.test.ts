/**
 * Fixing failed CI end to end on loopback (CI fixing on: TRIGGER_CHECK_RUNS=true): failed
 * workflow runs, check suites and check runs from @octokit/webhooks-examples, moved onto the fake
 * GitHub's pull requests, through the webhook, worker and publisher functions. One failure gives
 * one task and one follow-up commit; a redelivery, and the same failure reported again, nothing;
 * the third failure a comment and no task; a failure on a human's pull request without the label
 * nothing.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limitReply } from '../../src/github/ingest/ci-prompt.ts';
import { deliveryTaskId } from '../../src/github/ingest/signature.ts';
import { text, toolUse } from '../support/fake-bedrock.ts';
import { STACK_WEBHOOK_SECRET, startGitHubStack, type GitHubStack } from '../support/github-stack.ts';
import { ciFailure } from '../unit/github/payloads.ts';

const O = 'Codertocat';
const R = 'Hello-World';
const BRANCH = 'agent/gh-first';
const LOG = [
  '2026-01-05T10:00:00.0000000Z ##[group]Run npm test',
  '2026-01-05T10:00:01.0000000Z FAIL test/sum.test.js',
  '2026-01-05T10:00:01.1000000Z   sum(1, 2): expected 3, received -1',
  '2026-01-05T10:00:01.2000000Z ##[error]Process completed with exit code 1.',
  '2026-01-05T10:00:02.0000000Z Post job cleanup.',
].join('\n');

let stack: GitHubStack;
let n = 0;
const nextDelivery = () => `c1f1c1f1-0000-4000-8000-${String(++n).padStart(12, '0')}`;

beforeAll(async () => {
  stack = await startGitHubStack({
    bedrock: {
      script: [
        [text('sum() subtracts.'), toolUse('t1', 'edit_file', { path: 'src/sum.js', old_string: 'a - b', new_string: 'a + b' })],
        [text('sum() adds again.')],
        [text('The test expects a number.'), toolUse('t2', 'edit_file', { path: 'src/sum.js', old_string: 'a + b;', new_string: 'Number(a) + Number(b);' })],
        [text('sum() converts its arguments.')],
      ],
    },
    env: { TRIGGER_CHECK_RUNS: 'true' },
  });
  const { github } = stack;
  github.addRepo(O, R, { defaultBranch: 'master', files: { 'src/sum.js': 'export const sum = (a, b) => a + b;\n' } });
  github.addIssue(O, R, { number: 1, title: 'Add sum' });
  // The runner's pull request: its branch's head is a commit the publisher made.
  github.addBranch(O, R, BRANCH);
  github.commitOn(O, R, BRANCH, { 'src/sum.js': 'export const sum = (a, b) => a - b;\n' }, 'agent: changes for #1\n\nAdded sum().\n\nAgent-Runner-Task: gh-first');
  github.addPull(O, R, { number: 2, headRef: BRANCH, title: 'agent: Add sum', body: 'Closes #1' });
  // A person's pull request, not labelled.
  github.addBranch(O, R, 'feature');
  github.commitOn(O, R, 'feature', { 'README.md': 'wip\n' }, 'WIP');
  github.addPull(O, R, { number: 3, headRef: 'feature', title: 'WIP' });
});

afterAll(async () => {
  await stack?.stop();
});

/** CI fails on the head of `branch`: a workflow run with one failing job; its delivery. */
function failOnHead(number: number, branch: string): { payload: Record<string, any>; sha: string } {
  const sha = stack.github.branch(O, R, branch)!;
  const { runId } = stack.github.checks.addWorkflowRun(`${O}/${R}`, { name: 'CI', headSha: sha, jobs: [{ name: 'test', conclusion: 'failure', steps: [{ name: 'Run npm test', conclusion: 'failure' }], log: LOG }] });
  return { payload: ciFailure('workflow_run', { owner: O, repo: R, number, ref: branch, sha, id: runId, name: 'CI' }), sha };
}

async function record(): Promise<unknown> {
  const res = await stack.aws.s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: `webhook/ci-fix/${O.toLowerCase()}/${R.toLowerCase()}/2.json` }));
  return JSON.parse(await res.Body!.transformToString());
}

describe('fixing failed CI on pull requests', () => {
  let first: { delivery: string; payload: Record<string, any>; sha: string };

  it('turns one failure into one task and one follow-up commit on the same branch', async () => {
    const { github } = stack;
    const { payload, sha } = failOnHead(2, BRANCH);
    const delivery = nextDelivery();
    first = { delivery, payload, sha };
    expect(await stack.deliver('workflow_run', delivery, payload)).toEqual({ statusCode: 202, body: { taskId: deliveryTaskId(STACK_WEBHOOK_SECRET, delivery) } });
    expect(await stack.queued()).toEqual([
      { taskId: deliveryTaskId(STACK_WEBHOOK_SECRET, delivery), prompt: expect.stringContaining('FAIL test/sum.test.js\n  sum(1, 2): expected 3, received -1\n##[error]Process completed with exit code 1.'), source: { github: { owner: O, repo: R, ref: BRANCH } }, reply: { github: { owner: O, repo: R, issue: 2 } } },
    ]);
    expect(github.checks.downloads.map((d) => d.authorization)).toEqual([undefined]);

    const writesBefore = github.writes().length;
    const published = await stack.runQueued();
    const head = github.branch(O, R, BRANCH)!;
    const comment = github.issue(O, R, 2)!.comments.at(-1)!;
    expect(published).toEqual([{ taskId: deliveryTaskId(STACK_WEBHOOK_SECRET, delivery), action: 'commit', branch: BRANCH, commit: head, comment: comment.id }]);
    expect(github.commit(head).parents).toEqual([sha]);
    expect(github.files(O, R, BRANCH)['src/sum.js'].content).toBe('export const sum = (a, b) => a + b;\n');
    expect(comment.body).toContain(`Pushed ${head} to \`${BRANCH}\``);
    expect(comment.body).toContain('sum() adds again.');
    expect(github.writes().slice(writesBefore).map((c) => `${c.method} ${c.path}`)).toEqual([
      `POST /repos/${O}/${R}/git/blobs`,
      `POST /repos/${O}/${R}/git/trees`,
      `POST /repos/${O}/${R}/git/commits`,
      `PATCH /repos/${O}/${R}/git/refs/heads/agent/gh-first`,
      `POST /repos/${O}/${R}/issues/2/comments`,
    ]);
    expect(await record()).toEqual({ attempts: 1, shas: [sha], leases: [], limitNoticed: false });
  });

  it('does nothing for a redelivery, nor for the same failure reported by another event', async () => {
    const { github } = stack;
    const writes = github.writes().length;
    const again = await stack.deliver('workflow_run', first.delivery, first.payload);
    const suite = await stack.deliver('check_suite', nextDelivery(), ciFailure('check_suite', { owner: O, repo: R, number: 2, ref: BRANCH, sha: first.sha }));
    expect([again, suite]).toEqual([
      { statusCode: 200, body: { duplicate: first.delivery } },
      // The pull request has moved on: the follow-up commit is its head now.
      { statusCode: 200, body: { ignored: `pull request #2 has moved on from ${first.sha}` } },
    ]);
    expect([await stack.queued(), github.writes().length]).toEqual([[], writes]);
  });

  it('makes a second attempt for a failure of the follow-up commit, and at the third failure comments once instead', async () => {
    const { github } = stack;
    const second = failOnHead(2, BRANCH);
    expect((await stack.deliver('workflow_run', nextDelivery(), second.payload)).statusCode).toBe(202);
    const [outcome] = await stack.runQueued();
    expect(outcome).toMatchObject({ action: 'commit', branch: BRANCH });
    expect(github.files(O, R, BRANCH)['src/sum.js'].content).toBe('export const sum = (a, b) => Number(a) + Number(b);\n');

    const third = failOnHead(2, BRANCH);
    const writes = github.writes().length;
    const limited = await stack.deliver('workflow_run', nextDelivery(), third.payload);
    const repeated = await stack.deliver('check_run', nextDelivery(), ciFailure('check_run', { owner: O, repo: R, number: 2, ref: BRANCH, sha: third.sha }));
    expect([limited, repeated]).toEqual([
      { statusCode: 200, body: { ignored: 'the limit of 2 automatic attempts was reached', comment: github.issue(O, R, 2)!.comments.at(-1)!.id } },
      { statusCode: 200, body: { ignored: 'the limit of 2 automatic attempts was reached' } },
    ]);
    expect(await stack.queued()).toEqual([]);
    expect(github.writes().slice(writes).map((c) => [c.method, c.path, c.body])).toEqual([['POST', `/repos/${O}/${R}/issues/2/comments`, { body: limitReply(2) }]]);
    expect(await record()).toEqual({ attempts: 2, shas: [first.sha, second.sha], leases: [], limitNoticed: true });
  });

  it("does nothing for a failure on a person's pull request without the label", async () => {
    const { github } = stack;
    const writes = github.writes().length;
    const { payload } = failOnHead(3, 'feature');
    expect(await stack.deliver('workflow_run', nextDelivery(), payload)).toEqual({ statusCode: 200, body: { ignored: "pull request #3 is not the runner's and not labelled `agent-fix`" } });
    expect([await stack.queued(), github.writes().length]).toEqual([[], writes]);
  });
});
