/**
 * Functions run as Lambda runs them, locally: the official RIC in a Node.js 22 process against the
 * project's Runtime API on loopback, with Lambda's variables. Handlers of a fixture module.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lambdaEnvironment } from '../../src/local/lambda-env.ts';
import { createLocalFunction, type LocalFunction } from '../../src/local/local-function.ts';
import { LocalResponseStream } from '../../src/local/response-stream.ts';
import { bundleLauncher, findRic } from '../../src/local/ric.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FIXTURE = `
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
if (process.env.FAIL_INIT) throw new Error('cannot start: ' + process.env.FAIL_INIT);
export const buffered = async (event, context) => ({
  event,
  pid: process.pid,
  context: { functionName: context.functionName, memoryLimitInMB: context.memoryLimitInMB, awsRequestId: context.awsRequestId, invokedFunctionArn: context.invokedFunctionArn, remainingOk: context.getRemainingTimeInMillis() > 1000 && context.getRemainingTimeInMillis() <= 30000 },
  env: Object.fromEntries(['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_EXECUTION_ENV', '_HANDLER', 'LAMBDA_TASK_ROOT', 'AWS_ACCESS_KEY_ID', 'MY_SETTING', 'TZ'].map((k) => [k, process.env[k]])),
});
export const throws = async () => { throw new TypeError('bad input'); };
export const slow = async () => { await sleep(60_000); return 'late'; };
export const streaming = awslambda.streamifyResponse(async (event, responseStream) => {
  const s = awslambda.HttpResponseStream.from(responseStream, { statusCode: 201, headers: { 'content-type': 'text/plain' } });
  s.write('first\\n');
  if (event.fail) throw new Error('broke mid-stream');
  // Goes on only once the caller has seen the first line: a buffered response would never get here.
  for (let i = 0; i < 200 && !fs.existsSync(event.gate); i++) await sleep(50);
  s.write(fs.existsSync(event.gate) ? 'second\\n' : 'the first line was not delivered before the end\\n');
  s.end();
});
`;

let taskRoot: string;
const fns: LocalFunction[] = [];
let logs = '';

beforeAll(() => {
  taskRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'local-fn-'));
  fs.writeFileSync(path.join(taskRoot, 'fixture.mjs'), FIXTURE);
});
afterEach(async () => {
  for (const f of fns.splice(0)) await f.stop();
});
afterAll(() => fs.rmSync(taskRoot, { recursive: true, force: true }));

function localFunction(handler: string, opts: { timeoutMs?: number; vars?: Record<string, string> } = {}): LocalFunction {
  const ric = findRic(ROOT);
  const output = new PassThrough();
  output.on('data', (c: Buffer) => (logs = (logs + c.toString()).slice(-10_000)));
  const env = {
    ...lambdaEnvironment({ functionName: 'Fixture', memoryMb: 512, region: 'eu-west-1', packageType: 'Zip', handler, taskRoot, path: process.env.PATH, credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 's' }, clock: Date.now }),
    ...opts.vars,
  };
  const fn = createLocalFunction({ functionName: 'Fixture', region: 'eu-west-1', timeoutMs: opts.timeoutMs ?? 30_000, launcher: bundleLauncher({ ric, taskRoot, env }), output, clock: Date.now });
  fns.push(fn);
  return fn;
}

describe('a function run locally under the official RIC', () => {
  it('gets the event, a Lambda context and Lambda\'s variables, and stays warm between invocations', async () => {
    const fn = localFunction('fixture.buffered', { vars: { MY_SETTING: 'on' } });
    const first = await fn.invoke({ n: 1 });
    const second = await fn.invoke({ n: 2 });
    expect(first).toMatchObject({ kind: 'response', streaming: false, coldStart: true, initMs: expect.any(Number) });
    expect(second).toMatchObject({ kind: 'response', coldStart: false });
    const a = (first as { payload: any }).payload;
    const b = (second as { payload: any }).payload;
    expect([a.event, b.event, a.pid === b.pid]).toEqual([{ n: 1 }, { n: 2 }, true]);
    expect(a.context).toEqual({ functionName: 'Fixture', memoryLimitInMB: '512', awsRequestId: first.requestId, invokedFunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:Fixture', remainingOk: true });
    expect(a.env).toEqual({
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_LAMBDA_FUNCTION_NAME: 'Fixture',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/Fixture',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      _HANDLER: 'fixture.buffered',
      LAMBDA_TASK_ROOT: taskRoot,
      AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
      MY_SETTING: 'on',
      TZ: ':UTC',
    });
  });

  it('streams a streaming handler\'s response through the RIC as it is written: prelude, then the body', async () => {
    const fn = localFunction('fixture.streaming');
    const stream = new LocalResponseStream();
    const gate = path.join(taskRoot, 'gate');
    const seen: string[] = [];
    stream.on('prelude', (p) => seen.push(JSON.stringify(p)));
    stream.on('body', (c: Buffer) => {
      seen.push(c.toString());
      fs.writeFileSync(gate, '');
    });
    const out = await fn.invoke({ gate }, { stream });
    expect(out).toMatchObject({ kind: 'response', streaming: true, contentType: 'application/vnd.awslambda.http-integration-response' });
    expect(seen.join('|')).toBe('{"statusCode":201,"headers":{"content-type":"text/plain"}}|first\n|second\n');
  });

  it('reports a handler\'s error, and an error in the middle of a stream', async () => {
    expect(await localFunction('fixture.throws').invoke({})).toMatchObject({ kind: 'error', phase: 'invoke', error: { errorType: 'TypeError', errorMessage: 'bad input' } });
    const stream = new LocalResponseStream();
    const out = await localFunction('fixture.streaming').invoke({ fail: true }, { stream });
    expect(out).toMatchObject({ kind: 'response', streaming: true, error: { errorType: 'Error', errorMessage: 'broke mid-stream' } });
    expect(stream.body.toString()).toBe('first\n');
  });

  it('reports an initialisation error, and tries a new environment next time', async () => {
    const fn = localFunction('fixture.buffered', { vars: { FAIL_INIT: 'no config' } });
    const out = await fn.invoke({});
    expect(out).toMatchObject({ kind: 'error', phase: 'init', error: { errorMessage: expect.stringContaining('cannot start: no config') } });
    expect(await fn.invoke({})).toMatchObject({ kind: 'error', phase: 'init', coldStart: true });
  });

  it('stops an invocation at the timeout as Lambda does, and the next one starts a new environment', async () => {
    const fn = localFunction('fixture.slow', { timeoutMs: 1500 });
    expect(await fn.invoke({})).toMatchObject({ kind: 'error', error: { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 1.50 seconds' }, coldStart: true });
    expect(await fn.invoke({})).toMatchObject({ kind: 'error', error: { errorType: 'Sandbox.Timedout' }, coldStart: true });
  }, 30_000);
});
