/**
 * Control over GitHub tasks end to end on loopback (webhook, worker and publisher functions, S3
 * behind the proxy that enforces conditional writes): `/agent stop` from a writer stops a task
 * mid-command and its partial change becomes a draft pull request marked incomplete; a stop for a
 * queued task stops it before its first model call; a repository whose budget is spent gets a
 * comment instead of a task.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthOf, recordSpend, S3LedgerStore } from '../../src/budget/index.ts';
import { S3ArtifactStore } from '../../src/store/index.ts';
import { text, toolUse } from '../support/fake-bedrock.ts';
import { startGitHubStack, type GitHubStack } from '../support/github-stack.ts';
import { issueComment, issuesLabeled } from '../unit/github/payloads.ts';

const O = 'Codertocat';
const R = 'Hello-World';
let stack: GitHubStack;
let tmp: string;
let pidFile: string;
let n = 0;
const nextDelivery = () => `5709c0de-0000-4000-8000-${String(++n).padStart(12, '0')}`;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'task-control-e2e-'));
  pidFile = path.join(tmp, 'tests.pid');
  stack = await startGitHubStack({
    bedrock: {
      script: [
        [
          text('Fixing the spelling, then running the tests.'),
          toolUse('t1', 'edit_file', { path: 'README.md', old_string: 'Hello Wolrd', new_string: 'Hello World' }),
          toolUse('t2', 'shell', { command: `echo $$ > ${pidFile}; exec sleep 120` }),
        ],
      ],
      finalText: 'should never be asked',
    },
    env: { CANCEL_POLL_MS: '100', REPOSITORY_MONTHLY_BUDGET_USD: '5' },
  });
  stack.github.addRepo(O, R, { defaultBranch: 'master', files: { 'README.md': 'Hello Wolrd\n' } });
  stack.github.addIssue(O, R, { number: 1, title: 'Spelling error in the README file', body: 'It says Wolrd.' });
  stack.github.setPermission(O, R, 'Codertocat', 'write');
});

afterAll(async () => {
  await stack?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

// Each delivery is a new event, as on GitHub: its timestamps differ (a byte-identical body under a
// new delivery id is a replay, which the webhook drops).
let events = 0;
const stamp = () => new Date(Date.UTC(2026, 0, 1) + ++events * 1000).toISOString();
function labelled() {
  const p = issuesLabeled();
  p.label.name = 'agent';
  p.issue.updated_at = stamp();
  return p;
}
function comment(body: string) {
  const p = issueComment();
  p.comment.body = body;
  p.comment.created_at = p.comment.updated_at = stamp();
  return p;
}
const artifacts = () => new S3ArtifactStore({ client: stack.aws.s3, bucket: stack.bucket });
const resultOf = async (id: string) => JSON.parse((await artifacts().get(id, 'result.json'))!);
const commentsOn = () => stack.github.issue(O, R, 1)!.comments.map((c) => c.body);

describe('/agent stop', () => {
  it('stops a running task mid-command, and its partial change becomes a draft pull request marked incomplete', async () => {
    const started = await stack.deliver('issues', nextDelivery(), labelled());
    const taskId = String(started.body.taskId);
    expect(started.statusCode).toBe(202);
    const running = stack.runQueued();
    while (!fs.existsSync(pidFile) || fs.readFileSync(pidFile, 'utf8').trim() === '') await new Promise((r) => setTimeout(r, 20));
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));

    const stop = await stack.deliver('issue_comment', nextDelivery(), comment('/agent stop'));
    expect(stop).toEqual({ statusCode: 200, body: { stopping: [taskId], finished: [] } });
    const [published] = await running;

    const message = 'the task was cancelled by @Codertocat (/agent stop on #1)';
    expect(await resultOf(taskId)).toMatchObject({ status: 'failed', stopReason: 'cancelled', turns: 1, error: { code: 'cancelled', message }, diff: { files: 1 } });
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    expect(stack.bedrock.modelRequests.length).toBe(1);

    const branch = `agent/${taskId}`;
    expect(published).toEqual({ taskId, action: 'pull_request', pull: 2, url: `https://github.example/${O}/${R}/pull/2`, branch, commit: stack.github.branch(O, R, branch) });
    const pr = stack.github.writes().find((c) => c.method === 'POST' && c.path.endsWith('/pulls'))!.body as { title: string; body: string; draft: boolean; base: string };
    expect({ title: pr.title, draft: pr.draft, base: pr.base }).toEqual({ title: '[incomplete] agent: Spelling error in the README file', draft: true, base: 'master' });
    expect(pr.body.split('\n\n').slice(0, 4)).toEqual([
      'Refs #1',
      `**Incomplete.** agent-runner task \`${taskId}\` was cancelled (\`cancelled\`: ${message}) before it finished. This draft holds the change it had made by then: review it as a starting point, finish it (an \`/agent\` comment here goes on from it) or close it.`,
      "### The model's last message",
      'Fixing the spelling, then running the tests.',
    ]);
    expect(stack.github.files(O, R, branch)).toEqual({ 'README.md': { mode: '100644', content: 'Hello World\n' } });
    expect(commentsOn()).toContain(`@Codertocat: stopping task \`${taskId}\`. A task stops before its next model call, and a command it is running is stopped within seconds; the work done so far is kept and published as an incomplete draft.`);

    // The worker looked for the request once before its model call and then every 100 ms while the command ran.
    const reads = stack.proxy.requests.filter((r) => r.method === 'GET' && r.key === `tasks/${taskId}/cancel.json`).map((r) => r.status);
    expect(reads.length).toBeGreaterThanOrEqual(2);
    expect(reads).toEqual([...reads.slice(0, -1).map(() => 404), 200]);
  });

  it('is refused from someone without write access, and stops a queued task before its first model call when a writer asks', async () => {
    const queued = String((await stack.deliver('issues', nextDelivery(), labelled())).body.taskId);
    stack.github.setPermission(O, R, 'Codertocat', 'read');
    expect(await stack.deliver('issue_comment', nextDelivery(), comment('/agent stop'))).toEqual({ statusCode: 200, body: { ignored: '@Codertocat has no write access' } });
    expect(await artifacts().get(queued, 'cancel.json')).toBeUndefined();

    stack.github.setPermission(O, R, 'Codertocat', 'write');
    const stop = await stack.deliver('issue_comment', nextDelivery(), comment('/agent stop'));
    // The first task has finished: it is left alone, and forgotten by the index.
    expect(stop.body).toEqual({ stopping: [queued], finished: [expect.any(String)] });
    const before = stack.bedrock.modelRequests.length;
    const [published] = await stack.runQueued();
    expect(await resultOf(queued)).toMatchObject({ status: 'failed', stopReason: 'cancelled', turns: 0, costUsd: 0 });
    expect(stack.bedrock.modelRequests.length).toBe(before);
    expect(published).toMatchObject({ taskId: queued, action: 'comment', kind: 'failed' });
    expect(commentsOn().at(-1)).toContain(`agent-runner task \`${queued}\` failed: \`cancelled\``);
  });
});

describe('a spent repository budget', () => {
  it('answers an /agent comment with a comment and enqueues nothing', async () => {
    const month = monthOf(Date.now());
    await recordSpend(new S3LedgerStore({ client: stack.aws.s3, bucket: stack.bucket }), month, { taskId: 'earlier', repository: 'codertocat/hello-world', model: 'm', costUsd: 5, usage: { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 } }, { now: Date.now });
    const res = await stack.deliver('issue_comment', nextDelivery(), comment('/agent fix the spelling'));
    expect(res.statusCode).toBe(200);
    expect(await stack.queued()).toEqual([]);
    expect(commentsOn().at(-1)).toMatch(new RegExp(`^@Codertocat: this request was not started: the monthly budget of codertocat/hello-world of USD 5\\.00 is spent \\(USD 5\\.\\d\\d in ${month}\\); no new task starts before next month or a higher budget\\.$`));
  });
});
