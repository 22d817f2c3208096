import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { resolveStack } from '../../../src/client/stack.ts';
import { ClientConfigError } from '../../../src/client/errors.ts';
import { startFakeCloudFormation, type FakeCloudFormation } from './support/fake-cloudformation.ts';

let cfn: FakeCloudFormation;
let client: CloudFormationClient;
beforeAll(async () => {
  cfn = await startFakeCloudFormation({
    'agent-runner': { TaskQueueUrl: 'http://sqs.local/123/tasks', ArtifactBucketName: 'artifacts-1', ProgressUrl: 'https://abc.lambda-url.us-east-1.on.aws/', Other: 'x' },
    'no-progress': { TaskQueueUrl: 'http://sqs.local/123/tasks', ArtifactBucketName: 'artifacts-1' },
    'not-ours': { Something: 'else' },
  });
  client = new CloudFormationClient({ region: 'us-east-1', endpoint: cfn.url, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });
});
afterAll(async () => {
  client.destroy();
  await cfn.close();
});

const noEnv = { env: {}, cloudFormation: () => client, needQueue: true, region: 'us-east-1' };

describe('resolveStack', () => {
  it('reads the queue, bucket and progress URL from the stack outputs', async () => {
    expect(await resolveStack({ stack: 'agent-runner' }, noEnv)).toEqual({
      queueUrl: 'http://sqs.local/123/tasks',
      bucket: 'artifacts-1',
      progressUrl: 'https://abc.lambda-url.us-east-1.on.aws/',
    });
    expect(cfn.requests.at(-1)).toEqual({ params: { Action: 'DescribeStacks', StackName: 'agent-runner', Version: '2010-05-15' }, signed: true });
  });

  it('leaves the progress URL out when the stack has none', async () => {
    expect(await resolveStack({ stack: 'no-progress' }, noEnv)).toEqual({ queueUrl: 'http://sqs.local/123/tasks', bucket: 'artifacts-1' });
  });

  it('says in one line that an unknown stack does not exist', async () => {
    const err = await resolveStack({ stack: 'nope' }, noEnv).catch((e) => e);
    expect({ type: err.constructor, message: err.message }).toEqual({
      type: ClientConfigError,
      message: 'stack nope does not exist in region us-east-1: check --stack and AWS_REGION',
    });
  });

  it('refuses a stack without the agent-runner outputs', async () => {
    const err = await resolveStack({ stack: 'not-ours' }, noEnv).catch((e) => e);
    expect(err.message).toBe('stack not-ours has no output TaskQueueUrl or ArtifactBucketName: is it an agent-runner stack, fully deployed?');
  });

  it('refuses an invalid stack name before any call', async () => {
    const before = cfn.requests.length;
    const err = await resolveStack({ stack: 'bad name!' }, noEnv).catch((e) => e);
    expect({ message: err.message, calls: cfn.requests.length - before }).toEqual({ message: '--stack "bad name!" is not a valid CloudFormation stack name', calls: 0 });
  });

  it('takes flags over the environment, field by field', async () => {
    const env = { AGENT_RUNNER_QUEUE_URL: 'https://q.env/1/a', ARTIFACT_BUCKET: 'env-bucket', AGENT_RUNNER_PROGRESS_URL: 'https://p.env/' };
    expect(await resolveStack({ bucket: 'flag-bucket' }, { ...noEnv, env })).toEqual({ queueUrl: 'https://q.env/1/a', bucket: 'flag-bucket', progressUrl: 'https://p.env/' });
    expect(await resolveStack({}, { ...noEnv, env: { TASK_QUEUE_URL: 'https://q/2/b', AGENT_RUNNER_BUCKET: 'b-1' } })).toEqual({ queueUrl: 'https://q/2/b', bucket: 'b-1' });
  });

  it('takes AGENT_RUNNER_STACK when no flag names the stack or its endpoints', async () => {
    const env = { AGENT_RUNNER_STACK: 'no-progress', AGENT_RUNNER_QUEUE_URL: 'https://q.env/1/a', AGENT_RUNNER_BUCKET: 'env-bucket' };
    expect(await resolveStack({}, { ...noEnv, env })).toEqual({ queueUrl: 'http://sqs.local/123/tasks', bucket: 'artifacts-1' });
    expect(await resolveStack({ bucket: 'flag-bucket' }, { ...noEnv, env })).toEqual({ queueUrl: 'https://q.env/1/a', bucket: 'flag-bucket' });
  });

  it('asks for a stack when nothing names one, and for a queue only when sending', async () => {
    const none = await resolveStack({}, noEnv).catch((e) => e);
    expect(none.message).toBe('no stack given: pass --stack NAME or --bucket (and --queue-url), or set AGENT_RUNNER_STACK, or AGENT_RUNNER_BUCKET and AGENT_RUNNER_QUEUE_URL');
    const noQueue = await resolveStack({ bucket: 'b-1' }, noEnv).catch((e) => e);
    expect(noQueue.message).toBe('no task queue given: pass --stack NAME or --queue-url URL, or set AGENT_RUNNER_QUEUE_URL');
    expect(await resolveStack({ bucket: 'b-1' }, { ...noEnv, needQueue: false })).toEqual({ queueUrl: '', bucket: 'b-1' });
  });

  it('refuses --stack together with explicit endpoints, and URLs that are not http(s)', async () => {
    expect((await resolveStack({ stack: 'agent-runner', bucket: 'b' }, noEnv).catch((e) => e)).message).toBe('give either --stack or --queue-url/--bucket/--progress-url, not both');
    expect((await resolveStack({ bucket: 'b', queueUrl: 'sqs://x' }, noEnv).catch((e) => e)).message).toBe('the queue URL "sqs://x" is not an http(s) URL');
  });
});
