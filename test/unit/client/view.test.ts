import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { printViewLink, viewLinkFor } from '../../../src/client/index.ts';
import { resolveStack } from '../../../src/client/stack.ts';
import { verifyViewToken } from '../../../src/view/index.ts';
import { startSecretsManager, type FakeSecretsManager } from '../../support/fake-secrets-manager.ts';
import { FAKE_CREDENTIALS, setEnv } from '../../support/fauxqs.ts';
import { startFakeCloudFormation, type FakeCloudFormation } from './support/fake-cloudformation.ts';

const ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:agent-runner-view-AbCd';
const KEY = 'stack-generated-key-0123456789abcdefghijklmnopqrstuv';
const NOW = new Date(Date.UTC(2025, 3, 1));
const VIEW = 'https://view123.lambda-url.us-east-1.on.aws/';

let cfn: FakeCloudFormation;
let sm: FakeSecretsManager;
let client: CloudFormationClient;
let restore: () => void;

beforeAll(async () => {
  cfn = await startFakeCloudFormation({
    'with-view': { TaskQueueUrl: 'http://sqs.local/1/tasks', ArtifactBucketName: 'b', ViewUrl: VIEW, ViewTokenSecretArn: ARN },
    'before-view': { TaskQueueUrl: 'http://sqs.local/1/tasks', ArtifactBucketName: 'b' },
  });
  sm = await startSecretsManager(ARN, KEY);
  client = new CloudFormationClient({ region: 'us-east-1', endpoint: cfn.url, credentials: FAKE_CREDENTIALS });
  // The Secrets Manager client uses the default credential chain, as the CLI does.
  restore = setEnv({ AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey, AWS_SESSION_TOKEN: undefined, AWS_PROFILE: undefined, AWS_REGION: 'us-east-1' });
});
afterAll(async () => {
  restore();
  client.destroy();
  await cfn.close();
  await sm.close();
});

const stackOf = (name: string) => resolveStack({ stack: name }, { env: {}, cloudFormation: () => client, needQueue: false, region: 'us-east-1' });

describe('watch-page links in the CLI', () => {
  it("reads the view URL and key secret from the stack's outputs, or from the environment", async () => {
    expect(await stackOf('with-view')).toEqual({ queueUrl: 'http://sqs.local/1/tasks', bucket: 'b', viewUrl: VIEW, viewSecretArn: ARN });
    expect(await resolveStack({}, { env: { AGENT_RUNNER_BUCKET: 'b', AGENT_RUNNER_VIEW_URL: 'http://127.0.0.1:9002/' }, cloudFormation: () => client, needQueue: false })).toEqual({
      queueUrl: '',
      bucket: 'b',
      viewUrl: 'http://127.0.0.1:9002/',
    });
  });

  it("signs the link with the stack's secret, read from Secrets Manager", async () => {
    const link = await viewLinkFor(await stackOf('with-view'), 'task-9', { env: { AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.url }, now: () => NOW });
    const url = new URL((link as { url: string }).url);
    expect([url.origin + url.pathname, verifyViewToken(KEY, 'task-9', url.searchParams.get('token') ?? undefined, NOW.getTime() + 7 * 24 * 3600_000 - 1000)]).toEqual([`${VIEW}tasks/task-9/view`, true]);
    expect(sm.calls).toEqual([`secretsmanager.GetSecretValue ${ARN}`]);
  });

  it('prints `view: <url>` on a line of its own, or why there is none, and nothing for a stack without watch pages', async () => {
    const lines: string[] = [];
    const err = { write: (s: string) => lines.push(s) };
    const local = await printViewLink({ queueUrl: '', bucket: 'b', viewUrl: 'http://127.0.0.1:9002/' }, 'dev-1', { env: { AGENT_RUNNER_VIEW_SECRET: KEY }, now: () => NOW, err });
    const denied = await printViewLink({ queueUrl: '', bucket: 'b', viewUrl: VIEW, viewSecretArn: `${ARN}-other` }, 'dev-1', { env: { AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.url }, now: () => NOW, err });
    const none = await printViewLink(await stackOf('before-view'), 'dev-1', { env: {}, now: () => NOW, err });
    expect([local, denied, none]).toEqual([lines[0].slice('view: '.length, -1), undefined, undefined]);
    expect(lines.length).toBe(2);
    expect(lines[0]).toMatch(/^view: http:\/\/127\.0\.0\.1:9002\/tasks\/dev-1\/view\?token=v1\.\d+\.[\w-]{43}\n$/);
    expect(lines[1]).toMatch(/^agent-runner: no watch-page link: cannot read the link key arn:\S+-other \(ResourceNotFoundException: .*\); the caller needs secretsmanager:GetSecretValue on it\n$/);
  });
});
