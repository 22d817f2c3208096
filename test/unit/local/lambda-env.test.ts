import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopback } from '../../../src/client/index.ts';
import { endpointVariables, lambdaEnvironment, unreachableEndpoints } from '../../../src/local/index.ts';

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

describe('lambdaEnvironment', () => {
  it("sets the region and the function's names as Lambda's Node.js 22 runtime does", () => {
    expect(lambdaEnvironment({ name: 'Worker', region: 'eu-central-1', memoryMb: 2048 })).toEqual({
      AWS_REGION: 'eu-central-1',
      AWS_DEFAULT_REGION: 'eu-central-1',
      AWS_LAMBDA_FUNCTION_NAME: 'Worker',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '2048',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/Worker',
      AWS_LAMBDA_LOG_STREAM_NAME: 'local/[$LATEST]invoke',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      TZ: ':UTC',
    });
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
