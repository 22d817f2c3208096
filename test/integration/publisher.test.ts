/**
 * The publisher function end to end on loopback: functions/publisher.ts configured from the
 * standard variables, a task's artifacts in S3 (fauxqs) written directly, the sample S3 event,
 * GitHub as a local server authenticating a GitHub App whose key comes from Secrets Manager.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { diffSnapshots, makeSnapshot } from '../../src/agent/diff/index.ts';
import { FakeGitHub } from '../support/fake-github.ts';
import { setEnv, startLocalAws, type LocalAws } from '../support/fauxqs.ts';

const SAMPLE = JSON.parse(readFileSync(new URL('../../events/publisher-result.json', import.meta.url), 'utf8')) as S3Event;
const BUCKET = SAMPLE.Records[0].s3.bucket.name;
const TASK = 'gh-c0ffee00-cc78-11e3-81ab-4c9367dc0958';
const O = 'Codertocat';
const R = 'Hello-World';
const KEY_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:github-app-key-AbCdEf';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const BASE = { README: "It looks like you accidently spelled 'commmit' with three 'm's.\n", 'LICENSE': 'MIT\n' };
const AFTER = { README: "It looks like you accidentally spelled 'commit' correctly.\n", 'LICENSE': 'MIT\n', 'CHANGELOG.md': '- fix spelling\n' };

type Handler = (event: S3Event) => Promise<{ published: Record<string, unknown>[] }>;

let aws: LocalAws;
let github: FakeGitHub;
let secrets: Server;
let secretCalls: number;
let handler: Handler;
let restoreEnv: () => void;

function eventFor(taskId: string): S3Event {
  const e = structuredClone(SAMPLE);
  e.Records[0].s3.object.key = `tasks/${taskId}/result.json`;
  return e;
}

async function putArtifacts(taskId: string, status: 'succeeded' | 'failed', patch: string) {
  const task = { taskId, prompt: 'Fix the spelling', source: { github: { owner: O, repo: R, ref: 'master' } }, limits: { maxTurns: 50 }, reply: { github: { owner: O, repo: R, issue: 1 } } };
  const result = {
    taskId,
    status,
    stopReason: status === 'succeeded' ? 'end_turn' : 'error',
    turns: 5,
    model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
    usage: { inputTokens: 12000, outputTokens: 800, cacheReadInputTokens: 9000, cacheWriteInputTokens: 2000 },
    costUsd: 0.0571,
    diff: { files: 2, additions: 2, deletions: 1 },
    ...(status === 'failed' ? { error: { code: 'model_throttled', message: 'Bedrock throttled every retry' } } : {}),
  };
  const transcript = { system: [{ text: 'sys' }], messages: [{ role: 'user', content: [{ text: 'Fix' }] }, { role: 'assistant', content: [{ text: 'Fixed the spelling and noted it in the changelog.' }] }], toolConfig: { tools: [] } };
  for (const [name, body] of [['task.json', JSON.stringify(task)], ['result.json', JSON.stringify(result)], ['diff.patch', patch], ['transcript.json', JSON.stringify(transcript)]]) {
    await aws.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `tasks/${taskId}/${name}`, Body: Buffer.from(body) }));
  }
}

beforeAll(async () => {
  aws = await startLocalAws({ buckets: [BUCKET] });
  github = await FakeGitHub.start({ app: { id: '123456', publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), installationId: 4242 } });
  secretCalls = 0;
  secrets = createServer(async (req, res) => {
    let body = '';
    for await (const c of req) body += c;
    secretCalls++;
    const ok = req.headers['x-amz-target'] === 'secretsmanager.GetSecretValue' && JSON.parse(body).SecretId === KEY_ARN;
    res.writeHead(ok ? 200 : 400, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify(ok ? { ARN: KEY_ARN, SecretString: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() } : { __type: 'ResourceNotFoundException', message: 'no' }));
  });
  await new Promise<void>((r) => secrets.listen(0, '127.0.0.1', r));
  restoreEnv = setEnv({
    ...aws.env,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${(secrets.address() as AddressInfo).port}`,
    ARTIFACT_BUCKET: BUCKET,
    GITHUB_API_URL: github.url,
    GITHUB_APP_ID: '123456',
    GITHUB_APP_PRIVATE_KEY_SECRET_ARN: KEY_ARN,
    GITHUB_TOKEN: undefined,
    GITHUB_TOKEN_SECRET_ARN: undefined,
  });
  vi.resetModules();
  handler = (await import('../../functions/publisher.ts')).handler as unknown as Handler;
});

afterAll(async () => {
  restoreEnv?.();
  await github?.stop();
  secrets?.close();
  await aws?.stop();
});

beforeEach(() => {
  github.calls.length = 0;
  github.addRepo(O, R, { defaultBranch: 'master', files: BASE });
  github.addIssue(O, R, { number: 1, title: 'Spelling error in the README file' });
});

describe('publisher function', () => {
  it('publishes a successful task as branch agent/<id>, one commit and a draft pull request, once', async () => {
    await putArtifacts(TASK, 'succeeded', diffSnapshots(makeSnapshot(BASE), makeSnapshot(AFTER)).patch);
    const out = await handler(SAMPLE);
    const head = github.branch(O, R, `agent/${TASK}`)!;
    expect(out).toEqual({ published: [{ taskId: TASK, action: 'pull_request', pull: 2, url: `https://github.example/${O}/${R}/pull/2`, branch: `agent/${TASK}`, commit: head }] });

    const writes = github.writes();
    expect(writes.map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /app/installations/4242/access_tokens',
      `POST /repos/${O}/${R}/git/blobs`,
      `POST /repos/${O}/${R}/git/blobs`,
      `POST /repos/${O}/${R}/git/trees`,
      `POST /repos/${O}/${R}/git/commits`,
      `POST /repos/${O}/${R}/git/refs`,
      `POST /repos/${O}/${R}/pulls`,
    ]);
    expect(writes[0].body).toEqual({ repositories: [R] });
    expect(new Set(writes.slice(1).map((c) => c.authorization?.replace(/ghs_\w+/, 'ghs_*')))).toEqual(new Set(['Bearer ghs_*']));
    expect(writes[5].body).toEqual({ ref: `refs/heads/agent/${TASK}`, sha: head });
    const pr = writes[6].body as Record<string, string | boolean>;
    expect({ ...pr, body: undefined }).toEqual({ title: 'agent: Spelling error in the README file', head: `agent/${TASK}`, base: 'master', draft: true, body: undefined });
    for (const part of ['Closes #1', '| turns | 5 |', '| cost | $0.0571 |', `Transcript: \`s3://${BUCKET}/tasks/${TASK}/transcript.json\``, 'Fixed the spelling and noted it in the changelog.', '- `README` (modified)', '- `CHANGELOG.md` (added)', `<!-- agent-runner:task=${TASK} -->`]) {
      expect(pr.body).toContain(part);
    }
    expect(github.commit(head).message).toBe(`agent: changes for #1\n\nFixed the spelling and noted it in the changelog.\n\nAgent-Runner-Task: ${TASK}`);
    expect(Object.fromEntries(Object.entries(github.files(O, R, `agent/${TASK}`)).map(([p, f]) => [p, f.content]))).toEqual(AFTER);

    const marker = await aws.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `tasks/${TASK}/published.json` }));
    expect(JSON.parse(await marker.Body!.transformToString())).toEqual({ taskId: TASK, ...out.published[0] });

    const before = github.calls.length;
    const again = await handler(SAMPLE);
    expect(again).toEqual({ published: [{ taskId: TASK, action: 'skipped', reason: 'published before' }] });
    expect(github.calls.length).toBe(before);
    expect(secretCalls).toBe(1);
  });

  it('comments on the issue when the task failed', async () => {
    const id = 'gh-failed-task';
    await putArtifacts(id, 'failed', '');
    const out = await handler(eventFor(id));
    const comments = github.issue(O, R, 1)!.comments;
    expect(out).toEqual({ published: [{ taskId: id, action: 'comment', comment: comments[0].id, kind: 'failed' }] });
    expect(github.writes().filter((c) => !c.path.startsWith('/app/')).map((c) => `${c.method} ${c.path}`)).toEqual([`POST /repos/${O}/${R}/issues/1/comments`]);
    expect(comments[0].body.split('\n\n')[0]).toBe(`agent-runner task \`${id}\` failed: \`model_throttled\`: Bedrock throttled every retry. Nothing was published.`);
    expect(github.branch(O, R, `agent/${id}`)).toBeUndefined();
  });

  it('ignores objects that are not task results', async () => {
    const e = eventFor('x');
    e.Records[0].s3.object.key = 'webhook/deliveries/abc';
    const before = github.calls.length;
    expect(await handler(e)).toEqual({ published: [] });
    expect(github.calls.length).toBe(before);
  });
});
