import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopback } from '../../../src/client/index.ts';
import { asLocalProcess, endpointVariables, lambdaEnvironment, unreachableEndpoints, withFunctionVariables } from '../../../src/local/index.ts';

let server: net.Server;
let open: string;
let closed: string;

async function listen(): Promise<net.Server> {
  const s = net.createServer((socket) => socket.end());
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return s;
}

beforeAll(async () => {
  server = await listen();
  open = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  const gone = await listen();
  closed = `http://127.0.0.1:${(gone.address() as net.AddressInfo).port}`;
  await new Promise((resolve) => gone.close(resolve));
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

const clock = () => Date.parse('2026-03-04T05:06:07Z');

describe("Lambda's variables for a local function", () => {
  it('sets what Lambda sets for a zip function', () => {
    const env = lambdaEnvironment({ functionName: 'Worker', memoryMb: 2048, region: 'eu-west-1', packageType: 'Zip', handler: 'index.handler', taskRoot: '/x/dist/worker', path: '/n/bin:/usr/bin', credentials: { accessKeyId: 'AKID', secretAccessKey: 'S', sessionToken: 'T' }, clock });
    expect(env).toEqual({
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_LAMBDA_FUNCTION_NAME: 'Worker',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '2048',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/Worker',
      AWS_LAMBDA_LOG_STREAM_NAME: expect.stringMatching(/^2026\/03\/04\/\[\$LATEST\][0-9a-f]{32}$/),
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      TZ: ':UTC',
      AWS_ACCESS_KEY_ID: 'AKID',
      AWS_SECRET_ACCESS_KEY: 'S',
      AWS_SESSION_TOKEN: 'T',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      LANG: 'en_US.UTF-8',
      _HANDLER: 'index.handler',
      LAMBDA_TASK_ROOT: '/x/dist/worker',
      PATH: '/n/bin:/usr/bin',
    });
  });

  it('leaves an image its own PATH, handler and task root', () => {
    const env = lambdaEnvironment({ functionName: 'WorkerImage', memoryMb: 2048, region: 'us-east-1', packageType: 'Image', handler: 'ignored', taskRoot: '/ignored', path: '/ignored', clock });
    expect(Object.keys(env).filter((k) => ['PATH', '_HANDLER', 'LAMBDA_TASK_ROOT', 'AWS_EXECUTION_ENV', 'AWS_ACCESS_KEY_ID'].includes(k))).toEqual([]);
  });

  it('puts the function\'s variables on top, except the names Lambda reserves', () => {
    const lambda = lambdaEnvironment({ functionName: 'F', memoryMb: 128, region: 'us-east-1', packageType: 'Zip', clock });
    const { env, dropped } = withFunctionVariables(lambda, { AWS_REGION: 'mars-1', ARTIFACT_BUCKET: 'b', PATH: '/only/node', TZ: 'Europe/Paris' });
    expect([env.AWS_REGION, env.ARTIFACT_BUCKET, env.PATH, env.TZ, dropped]).toEqual(['us-east-1', 'b', '/only/node', 'Europe/Paris', ['AWS_REGION']]);
  });

  it('limits the worker\'s sweep of leftovers to tagged processes when it runs as a process of this machine, whatever the template says', () => {
    const lambda = lambdaEnvironment({ functionName: 'Worker', memoryMb: 128, region: 'us-east-1', packageType: 'Zip', clock });
    const { env } = withFunctionVariables(lambda, { TOOL_PROCESS_SWEEP: 'uid', MODEL_ID: 'm' });
    expect(asLocalProcess(env)).toEqual({ ...env, TOOL_PROCESS_SWEEP: 'marked' });
  });

});

describe('local endpoints', () => {
  it('lists the AWS_ENDPOINT_URL variables on loopback, not other variables or remote endpoints', () => {
    const env = {
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4566',
      AWS_ENDPOINT_URL: 'http://localhost:9000',
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: 'https://bedrock-runtime.us-east-1.amazonaws.com',
      AWS_ENDPOINT_URL_SQS: '',
      TASK_QUEUE_URL: 'http://127.0.0.1:4566/000000000000/q',
    };
    expect(endpointVariables(env, isLoopback)).toEqual([
      { variable: 'AWS_ENDPOINT_URL_S3', url: 'http://127.0.0.1:4566' },
      { variable: 'AWS_ENDPOINT_URL', url: 'http://localhost:9000' },
    ]);
  });

  it('finds the endpoints nothing listens on', async () => {
    const endpoints = [
      { variable: 'AWS_ENDPOINT_URL_S3', url: open },
      { variable: 'AWS_ENDPOINT_URL_SQS', url: closed },
    ];
    expect(await unreachableEndpoints(endpoints)).toEqual([{ variable: 'AWS_ENDPOINT_URL_SQS', url: closed }]);
  });
});
