/**
 * The webhook function end to end on loopback: the bundled handler's module (functions/webhook.ts)
 * configured from the standard variables, real payloads from @octokit/webhooks-examples signed with
 * a test secret, SQS and S3 on fauxqs (behind a proxy that enforces `If-None-Match: *`, which fauxqs
 * does not), GitHub as a local server, and Secrets Manager as a local server.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyStructuredResultV2, LambdaFunctionURLEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { deliveryTaskId, signBody } from '../../src/github/ingest/signature.ts';
import { permissionDeniedReply } from '../../src/github/ingest/prompt.ts';
import { FakeGitHub } from '../support/fake-github.ts';
import { startS3Proxy, type S3Proxy } from '../support/s3-proxy.ts';
import { startSecretsManager, type FakeSecretsManager } from '../support/fake-secrets-manager.ts';
import { setEnv, startLocalAws, type LocalAws } from '../support/fauxqs.ts';
import { checkRunFailed, issueComment, issuesLabeled, ping } from '../unit/github/payloads.ts';

const BUCKET = 'webhook-artifacts';
const SECRET = 'integration-webhook-secret';
const TOKEN = 'ghp_integration';
const O = 'Codertocat';
const R = 'Hello-World';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:webhook-AbCdEf';

type Handler = (event: LambdaFunctionURLEvent) => Promise<APIGatewayProxyStructuredResultV2>;

function urlEvent(event: string, delivery: string, payload: unknown, opts: { signature?: string | null; base64?: boolean; body?: string } = {}): LambdaFunctionURLEvent {
  const body = opts.body ?? JSON.stringify(payload);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/044aadd',
    'x-github-event': event,
    'x-github-delivery': delivery,
    'x-github-hook-id': '292430182',
  };
  if (opts.signature !== null) headers['x-hub-signature-256'] = opts.signature ?? signBody(SECRET, body);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers,
    isBase64Encoded: Boolean(opts.base64),
    body: opts.base64 ? Buffer.from(body).toString('base64') : body,
    requestContext: { http: { method: 'POST', path: '/', protocol: 'HTTP/1.1', sourceIp: '140.82.115.1', userAgent: headers['user-agent'] } },
  } as unknown as LambdaFunctionURLEvent;
}

let aws: LocalAws;
let proxy: S3Proxy;
let secrets: FakeSecretsManager;
let github: FakeGitHub;
let queueUrl: string;
let handler: Handler;
let restoreEnv: () => void;
let n = 0;
const nextDelivery = () => `6f3b1e2a-0000-4000-8000-${String(++n).padStart(12, '0')}`;

async function receiveAll(): Promise<any[]> {
  const res = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 60 }));
  return (res.Messages ?? []).map((m) => JSON.parse(m.Body!));
}

beforeAll(async () => {
  aws = await startLocalAws({ buckets: [BUCKET] });
  queueUrl = (await aws.sqs.send(new CreateQueueCommand({ QueueName: 'webhook-tasks' }))).QueueUrl!;
  proxy = await startS3Proxy(aws.endpoint);
  secrets = await startSecretsManager(SECRET_ARN, SECRET);
  github = await FakeGitHub.start({ prefix: '/api/v3', tokens: [TOKEN] });
  restoreEnv = setEnv({
    ...aws.env,
    AWS_ENDPOINT_URL_S3: proxy.url,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
    ARTIFACT_BUCKET: BUCKET,
    TASK_QUEUE_URL: queueUrl,
    GITHUB_API_URL: github.url,
    GITHUB_WEBHOOK_SECRET_ARN: SECRET_ARN,
    GITHUB_WEBHOOK_SECRET: undefined,
    GITHUB_TOKEN: TOKEN,
    GITHUB_TOKEN_SECRET_ARN: undefined,
    GITHUB_APP_ID: undefined,
    TRIGGER_LABEL: undefined,
    TRIGGER_CHECK_RUNS: undefined,
  });
  vi.resetModules();
  handler = (await import('../../functions/webhook.ts')).handler;
});

afterAll(async () => {
  restoreEnv?.();
  await github?.stop();
  await proxy?.close();
  await secrets?.close();
  await aws?.stop();
});

beforeEach(async () => {
  github.calls.length = 0;
  github.reactions.length = 0;
  proxy.reset();
  github.addRepo(O, R, { defaultBranch: 'master', files: { README: 'Hello Wolrd\n' } });
  github.addIssue(O, R, { number: 1, title: 'Spelling error in the README file', comments: [{ id: 492700400, author: 'Codertocat', body: 'x' }] });
  await receiveAll();
});

describe('webhook function', () => {
  it('turns a labelled issue into one task on the queue and an eyes reaction', async () => {
    const payload = issuesLabeled();
    payload.label.name = 'agent';
    const delivery = nextDelivery();
    const res = await handler(urlEvent('issues', delivery, payload, { base64: true }));
    expect(res).toEqual({ statusCode: 202, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ taskId: deliveryTaskId(SECRET, delivery) }) });
    const tasks = await receiveAll();
    expect(tasks).toEqual([
      {
        taskId: deliveryTaskId(SECRET, delivery),
        prompt: expect.stringContaining(`Issue #1: ${payload.issue.title}\n\n${payload.issue.body}`),
        source: { github: { owner: O, repo: R, ref: 'master' } },
        reply: { github: { owner: O, repo: R, issue: 1 } },
      },
    ]);
    expect(JSON.stringify(tasks[0])).not.toContain(TOKEN);
    expect(github.calls.map((c) => [c.method, c.path, c.body, c.authorization])).toEqual([['POST', `/repos/${O}/${R}/issues/1/reactions`, { content: 'eyes' }, `Bearer ${TOKEN}`]]);
    const marker = await aws.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `webhook/deliveries/${delivery}` }));
    expect(JSON.parse(await marker.Body!.transformToString())).toMatchObject({ deliveryId: delivery });
  });

  it('does nothing for a replayed delivery, nor for its body replayed under a new delivery id', async () => {
    const payload = issuesLabeled();
    payload.label.name = 'agent';
    // Another labelling of the issue than the earlier tests': its own body.
    payload.issue.updated_at = '2031-01-01T00:00:00Z';
    const delivery = nextDelivery();
    expect((await handler(urlEvent('issues', delivery, payload))).statusCode).toBe(202);
    expect((await receiveAll()).length).toBe(1);
    const calls = github.calls.length;
    const replay = await handler(urlEvent('issues', delivery, payload));
    expect([replay.statusCode, (replay as { body: string }).body]).toEqual([200, JSON.stringify({ duplicate: delivery })]);
    const other = nextDelivery();
    const replayed = await handler(urlEvent('issues', other, payload));
    expect([replayed.statusCode, (replayed as { body: string }).body]).toEqual([200, JSON.stringify({ duplicate: other, replayOf: 'a body handled before' })]);
    expect([await receiveAll(), github.calls.length]).toEqual([[], calls]);
  });

  it('answers 401 to tampered bodies and missing, malformed or wrong signatures, and touches nothing', async () => {
    const payload = issuesLabeled();
    payload.label.name = 'agent';
    const body = JSON.stringify(payload);
    const good = signBody(SECRET, body);
    const events = [
      urlEvent('issues', nextDelivery(), payload, { body: body.replace('"agent"', '"agent2"'), signature: good }),
      urlEvent('issues', nextDelivery(), payload, { signature: null }),
      urlEvent('issues', nextDelivery(), payload, { signature: 'sha1=0123' }),
      urlEvent('issues', nextDelivery(), payload, { signature: `${good.slice(0, -1)}${good.endsWith('0') ? '1' : '0'}` }),
      urlEvent('issues', nextDelivery(), payload, { signature: signBody('another-secret', body) }),
    ];
    const statuses = [];
    for (const e of events) statuses.push((await handler(e)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    expect([proxy.requests, github.calls, await receiveAll()]).toEqual([[], [], []]);
  });

  it('enqueues nothing for a commenter without write access and replies politely', async () => {
    github.setPermission(O, R, 'Codertocat', 'read');
    const payload = issueComment();
    payload.comment.body = '/agent please rewrite the README';
    const res = await handler(urlEvent('issue_comment', nextDelivery(), payload));
    expect(res.statusCode).toBe(200);
    expect(await receiveAll()).toEqual([]);
    expect(github.writes().map((c) => [c.method, c.path, c.body])).toEqual([['POST', `/repos/${O}/${R}/issues/1/comments`, { body: permissionDeniedReply('Codertocat') }]]);
  });

  it("starts a task on a pull request's branch for a writer's /agent comment", async () => {
    github.setPermission(O, R, 'Codertocat', 'write');
    github.addPull(O, R, { number: 1, headRef: 'fix-spelling', title: 'Fix spelling' });
    github.issue(O, R, 1)!.comments.push({ id: 492700400, body: '/agent also fix the title', user: { login: 'Codertocat', type: 'User' } });
    const payload = issueComment();
    payload.comment.body = '/agent also fix the title';
    payload.issue.pull_request = { url: `https://api.github.com/repos/${O}/${R}/pulls/1` };
    const delivery = nextDelivery();
    expect((await handler(urlEvent('issue_comment', delivery, payload))).statusCode).toBe(202);
    const tasks = await receiveAll();
    expect(tasks.map((t) => [t.taskId, t.source, t.reply])).toEqual([[deliveryTaskId(SECRET, delivery), { github: { owner: O, repo: R, ref: 'fix-spelling' } }, { github: { owner: O, repo: R, issue: 1 } }]]);
    expect(tasks[0].prompt).toContain('Instruction from @Codertocat (verbatim):\n/agent also fix the title');
    expect(github.reactions).toEqual([{ path: `/repos/${O}/${R}/issues/comments/492700400/reactions`, content: 'eyes' }]);
  });

  it('acknowledges ping, other labels and (by default) failed check runs without doing anything', async () => {
    const results = [
      await handler(urlEvent('ping', nextDelivery(), ping())),
      await handler(urlEvent('issues', nextDelivery(), issuesLabeled())),
      await handler(urlEvent('check_run', nextDelivery(), checkRunFailed())),
    ];
    expect(results.map((r) => [(r as { statusCode: number }).statusCode, JSON.parse((r as { body: string }).body)])).toEqual([
      [200, { ignored: 'ping' }],
      [200, { ignored: 'label "bug" is not "agent"' }],
      [200, { ignored: 'CI failure triggers are off' }],
    ]);
    expect([proxy.requests, github.calls, await receiveAll()]).toEqual([[], [], []]);
  });

  it('reads the webhook secret from Secrets Manager once per environment', () => {
    expect(new Set(secrets.calls)).toEqual(new Set([`secretsmanager.GetSecretValue ${SECRET_ARN}`]));
    expect(secrets.calls.length).toBe(1);
  });
});
