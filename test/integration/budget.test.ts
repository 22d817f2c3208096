/**
 * A monthly budget on the local stack: the worker lowers cost limits to what is left, counts every
 * result in the ledger, and refuses tasks once it is spent; enqueue refuses them before sending.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueCommand } from '../../src/cli/enqueue.ts';
import { resultCommand } from '../../src/cli/result.ts';
import { usageCommand } from '../../src/cli/usage.ts';
import { monthOf, S3LedgerStore } from '../../src/budget/index.ts';
import { sendTask } from '../../src/client/index.ts';
import { S3ArtifactStore } from '../../src/store/index.ts';
import { metadata, text, toolUse, type Json } from '../support/fake-bedrock.ts';
import { setEnv } from '../support/fauxqs.ts';
import { runCli } from '../unit/client/support/cli.ts';
import { startLocalStackHarness, type LocalStackHarness } from '../unit/client/support/local-stack.ts';

let stack: LocalStackHarness;
let tmp: string;
let restoreEnv: () => void;
const fast = { backoffBaseMs: 20, backoffMaxMs: 100, notFoundPollMs: 50, pollIntervalMs: 50 };
const io = () => ({ env: process.env, follow: fast });
// Each turn costs USD 0.315 at Sonnet 4.5's prices (100,000 input tokens at 3, 1,000 output at 15 per million).
const USAGE = metadata({ inputTokens: 100_000, outputTokens: 1_000 });

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'budget-'));
  restoreEnv = setEnv({ MONTHLY_BUDGET_USD: '1' });
  stack = await startLocalStackHarness((prompt, turn) => {
    if (prompt.startsWith('EDIT')) return turn === 0 ? [toolUse('w1', 'edit_file', { path: 'greet.txt', old_string: 'hello', new_string: 'hello, world' }), USAGE] : [text('Done.'), USAGE];
    if (prompt.startsWith('LOOP')) return [toolUse(`l${turn}`, 'list_files', {}), USAGE];
    return [text('nothing to do'), USAGE];
  });
});
afterAll(async () => {
  await stack?.stop();
  restoreEnv?.();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function tree(name: string): string {
  const root = path.join(tmp, name);
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(path.join(root, 'greet.txt'), 'hello\n');
  return root;
}
const store = () => new S3ArtifactStore({ client: stack.aws.s3, bucket: stack.bucket });
const taskJson = async (id: string) => JSON.parse((await store().get(id, 'task.json'))!);
/** Waits until the worker has counted the task (just after its result is written). */
async function counted(taskId: string): Promise<void> {
  const ledgers = new S3LedgerStore({ client: stack.aws.s3, bucket: stack.bucket });
  while (!Object.hasOwn((await ledgers.read(monthOf(Date.now())))?.ledger.counted ?? {}, taskId)) await new Promise((r) => setTimeout(r, 20));
}
const requestsFor = (prefix: string) => stack.bedrock.requests.filter((r) => String((r.body as Json | undefined)?.messages?.[0]?.content?.[0]?.text ?? '').startsWith(prefix));

describe('a monthly budget of USD 1', () => {
  it("lowers a task's cost limit to what the budget has left", async () => {
    const first = await runCli(enqueueCommand, ['enqueue', '--workspace', tree('ws-1'), '--prompt', 'EDIT one', '--task-id', 'b-1', '--wait', '--json'], io());
    expect({ code: first.code, costUsd: JSON.parse(first.stdout).result.costUsd, limit: (await taskJson('b-1')).limits.maxCostUsd }).toEqual({ code: 0, costUsd: 0.63, limit: 1 });
    await counted('b-1');

    const second = await runCli(enqueueCommand, ['enqueue', '--workspace', tree('ws-2'), '--prompt', 'LOOP two', '--task-id', 'b-2', '--wait', '--json'], io());
    expect({ code: second.code, result: JSON.parse(second.stdout).result, limit: (await taskJson('b-2')).limits.maxCostUsd }).toMatchObject({
      code: 3,
      result: { status: 'limit_reached', stopReason: 'max_cost', turns: 2, costUsd: 0.63 },
      limit: 0.37,
    });
    await counted('b-2');
  });

  it('once spent, enqueue refuses a new task with exit 3 and one line, sending and uploading nothing', async () => {
    const run = await runCli(enqueueCommand, ['enqueue', '--workspace', tree('ws-3'), '--prompt', 'EDIT three', '--task-id', 'b-3'], io());
    expect(run).toEqual({
      code: 3,
      stdout: '',
      stderr: `agent-runner: task not enqueued: the stack's monthly budget of USD 1.00 is spent (USD 1.26 in ${monthOf(Date.now())}); no new task starts before next month or a higher budget\n`,
    });
    expect([await store().get('b-3', 'task.json'), await stack.aws.s3.send(new (await import('@aws-sdk/client-s3')).ListObjectsV2Command({ Bucket: stack.bucket, Prefix: 'inputs/b-3' })).then((r) => r.KeyCount)]).toEqual([undefined, 0]);
  });

  it('once spent, the worker refuses a task that reaches the queue anyway, before its first model call', async () => {
    await sendTask(stack.aws.sqs, stack.queueUrl, { taskId: 'b-4', prompt: 'EDIT four', source: { github: { owner: 'octo', repo: 'demo', ref: 'main' } } });
    const run = await runCli(resultCommand, ['result', 'b-4', '--wait', '--json'], io());
    expect({ code: run.code, result: JSON.parse(run.stdout) }).toMatchObject({
      code: 3,
      result: { status: 'limit_reached', stopReason: 'budget', turns: 0, costUsd: 0, error: { code: 'limit_budget', message: expect.stringMatching(/^the stack's monthly budget of USD 1\.00 is spent \(USD 1\.26 in \d{4}-\d{2}\)/) } },
    });
    expect(requestsFor('EDIT four')).toEqual([]);
  });

  it('usage shows the spend against the budget (refused tasks, which never started, are not counted)', async () => {
    const run = await runCli(usageCommand, ['usage'], io());
    expect(run.stdout.split('\n')[0]).toBe(`spend in ${monthOf(Date.now())}: USD 1.2600 over 2 tasks (stack budget USD 1.00, USD 0.00 left)`);
  });
});
