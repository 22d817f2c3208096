/**
 * The whole GitHub flow on loopback: a labelled-issue delivery through the webhook function, the
 * task through the worker function (fake Bedrock, source downloaded from the local GitHub without
 * credentials), and its result through the publisher function, down to the recorded API calls
 * that create the branch, the commit and the draft pull request.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryTaskId } from '../../src/github/ingest/signature.ts';
import { text, toolUse } from '../support/fake-bedrock.ts';
import { STACK_WEBHOOK_SECRET, startGitHubStack, type GitHubStack } from '../support/github-stack.ts';
import { verifyViewToken } from '../../src/view/index.ts';
import { issuesLabeled } from '../unit/github/payloads.ts';

const O = 'Codertocat';
const R = 'Hello-World';
const DELIVERY = 'e2e00000-cc78-11e3-81ab-4c9367dc0958';
const TASK = deliveryTaskId(STACK_WEBHOOK_SECRET, DELIVERY);
const VIEW_KEY = 'e2e-view-link-key-0123456789abcdefghijklmnopq';

let stack: GitHubStack;

beforeAll(async () => {
  stack = await startGitHubStack({
    bedrock: {
      script: [
        [text('The README misspells World.'), toolUse('t1', 'edit_file', { path: 'README.md', old_string: 'Hello Wolrd', new_string: 'Hello World' })],
        [text('Fixed the spelling of "World" in README.md.')],
      ],
    },
    // Watch-page links: the webhook's first comment and the pull request carry them.
    env: { VIEW_URL: 'https://view.example/', VIEW_TOKEN_SECRET: VIEW_KEY },
  });
  stack.github.addRepo(O, R, { defaultBranch: 'master', files: { 'README.md': 'Hello Wolrd\n', 'src/index.js': 'console.log(1);\n' } });
  stack.github.addIssue(O, R, { number: 1, title: 'Spelling error in the README file', body: 'It says Wolrd.' });
});

afterAll(async () => {
  await stack?.stop();
});

describe('a labelled issue becomes a draft pull request', () => {
  it('goes through ingest, worker and publisher', async () => {
    const { github } = stack;
    // 1. GitHub delivers the labelled issue.
    const payload = issuesLabeled();
    payload.label.name = 'agent';
    expect(await stack.deliver('issues', DELIVERY, payload)).toEqual({ statusCode: 202, body: { taskId: TASK } });

    // 2. The worker takes the message from the queue; 3. the result object's S3 notification starts the publisher.
    expect((await stack.queued()).length).toBe(1);
    const out = await stack.runQueued();
    const result = JSON.parse(await (await stack.aws.s3.send(new GetObjectCommand({ Bucket: stack.bucket, Key: `tasks/${TASK}/result.json` }))).Body!.transformToString());
    expect(result).toMatchObject({ taskId: TASK, status: 'succeeded', turns: 2, diff: { files: 1, additions: 1, deletions: 1 } });
    const tarball = github.calls.find((c) => c.path.includes('/tarball'));
    expect(tarball).toMatchObject({ method: 'GET', path: `/repos/${O}/${R}/tarball/master`, authorization: undefined });
    const head = github.branch(O, R, `agent/${TASK}`)!;
    expect(out).toEqual([{ taskId: TASK, action: 'pull_request', pull: 2, url: `https://github.example/${O}/${R}/pull/2`, branch: `agent/${TASK}`, commit: head }]);

    // The first comment says the task started and links its page (sent beside the reaction).
    const started = github.writes().filter((c) => c.path === `/repos/${O}/${R}/issues/1/comments`);
    expect(started.length).toBe(1);
    const commentLink = /\((https:\/\/view\.example\/tasks\/[^)]+)\)/.exec((started[0].body as { body: string }).body)?.[1];
    expect(commentLink && new URL(commentLink).pathname).toBe(`/tasks/${TASK}/view`);
    expect(verifyViewToken(VIEW_KEY, TASK, new URL(commentLink!).searchParams.get('token') ?? undefined, Date.now())).toBe(true);
    expect(github.writes().filter((c) => c !== started[0]).map((c) => `${c.method} ${c.path}`)).toEqual([
      `POST /repos/${O}/${R}/issues/1/reactions`,
      `POST /repos/${O}/${R}/git/blobs`,
      `POST /repos/${O}/${R}/git/trees`,
      `POST /repos/${O}/${R}/git/commits`,
      `POST /repos/${O}/${R}/git/refs`,
      `POST /repos/${O}/${R}/pulls`,
    ]);
    expect(github.writes().every((c) => c.authorization === `Bearer ${stack.token}`)).toBe(true);
    const pr = github.writes().at(-1)!.body as { title: string; body: string; head: string; base: string; draft: boolean };
    expect({ title: pr.title, head: pr.head, base: pr.base, draft: pr.draft }).toEqual({ title: 'agent: Spelling error in the README file', head: `agent/${TASK}`, base: 'master', draft: true });
    expect(pr.body).toContain('Closes #1');
    expect(pr.body).toContain('Fixed the spelling of "World" in README.md.');
    expect(pr.body).toContain('| turns | 2 |');
    const prLink = /Watch the run: \[the task's page\]\((\S+)\)/.exec(pr.body)?.[1];
    expect(verifyViewToken(VIEW_KEY, TASK, new URL(prLink!).searchParams.get('token') ?? undefined, Date.now())).toBe(true);
    expect(github.files(O, R, `agent/${TASK}`)).toEqual({
      'README.md': { mode: '100644', content: 'Hello World\n' },
      'src/index.js': { mode: '100644', content: 'console.log(1);\n' },
    });
    expect(github.commit(head).parents).toEqual([github.branch(O, R, 'master')]);
  });
});
