/**
 * Cancel, partial diffs, usage and application inference profiles on the local stack: the real
 * worker and progress handlers on fauxqs and the fake Bedrock, driven by the CLI commands.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelCommand } from '../../src/cli/cancel.ts';
import { enqueueCommand } from '../../src/cli/enqueue.ts';
import { resultCommand } from '../../src/cli/result.ts';
import { usageCommand } from '../../src/cli/usage.ts';
import { monthOf, S3LedgerStore } from '../../src/budget/index.ts';
import { S3ArtifactStore } from '../../src/store/index.ts';
import { text, toolUse, type Json } from '../support/fake-bedrock.ts';
import { setEnv } from '../support/fauxqs.ts';
import { runCli } from '../unit/client/support/cli.ts';
import { MODEL, startLocalStackHarness, type LocalStackHarness } from '../unit/client/support/local-stack.ts';

const ARN = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/team42x';
const HAIKU = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
let stack: LocalStackHarness;
let tmp: string;
let restoreEnv: () => void;
const fast = { backoffBaseMs: 20, backoffMaxMs: 100, notFoundPollMs: 50, pollIntervalMs: 50 };
const io = () => ({ env: process.env, follow: fast });

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'task-control-'));
  // Read by the worker module the harness loads: a short poll while tools run, and one mapped profile.
  restoreEnv = setEnv({ CANCEL_POLL_MS: '100', APPLICATION_INFERENCE_PROFILES: ARN, APPLICATION_INFERENCE_PROFILE_MODELS: HAIKU });
  stack = await startLocalStackHarness((prompt, turn) => {
    if (prompt.startsWith('SLEEP')) {
      const pidFile = prompt.split(' ')[1];
      return turn === 0
        ? [text('Writing, then testing.'), toolUse('w1', 'write_file', { path: 'partial.txt', content: 'half done\n' }), toolUse('s1', 'shell', { command: `echo $$ > ${pidFile}; exec sleep 120` })]
        : [text('should never be asked')];
    }
    if (prompt.startsWith('PARTIAL')) return turn === 0 ? [toolUse('w1', 'edit_file', { path: 'greet.txt', old_string: 'hello', new_string: 'hello, half' })] : [toolUse(`l${turn}`, 'list_files', {})];
    if (prompt.startsWith('EDIT')) return turn === 0 ? [toolUse('w1', 'edit_file', { path: 'greet.txt', old_string: 'hello', new_string: 'hello, world' })] : [text('Done.')];
    return [text('nothing to do')];
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
const requestsFor = (prefix: string) => stack.bedrock.requests.filter((r) => String((r.body as Json | undefined)?.messages?.[0]?.content?.[0]?.text ?? '').startsWith(prefix));

describe('agent-runner cancel', () => {
  it('stops a running task mid-command: its process group is killed, it ends failed/cancelled and keeps its diff', async () => {
    const pidFile = path.join(tmp, 'sleep.pid');
    const sent = await runCli(enqueueCommand, ['enqueue', '--workspace', tree('ws-sleep'), '--prompt', `SLEEP ${pidFile}`, '--task-id', 'sleepy-1'], io());
    expect(sent.code).toBe(0);
    while (!fs.existsSync(pidFile) || fs.readFileSync(pidFile, 'utf8').trim() === '') await new Promise((r) => setTimeout(r, 20));
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));

    const cancel = await runCli(cancelCommand, ['cancel', 'sleepy-1', '--reason', 'wrong branch'], { ...io(), env: { ...process.env, USER: 'ci' } });
    expect(cancel).toEqual({
      code: 0,
      stdout: '',
      stderr: 'cancel requested for task sleepy-1: it stops before its next model call, a running command within seconds; follow it with agent-runner watch sleepy-1\n',
    });
    const done = await runCli(resultCommand, ['result', 'sleepy-1', '--wait', '--json'], io());
    expect({ code: done.code, result: JSON.parse(done.stdout) }).toMatchObject({
      code: 1,
      result: { status: 'failed', stopReason: 'cancelled', turns: 1, error: { code: 'cancelled', message: 'the task was cancelled by agent-runner cancel (ci): wrong branch' }, diff: { files: 1, additions: 1 } },
    });
    expect(await store().get('sleepy-1', 'diff.patch')).toContain('+half done');
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    expect(requestsFor('SLEEP').length).toBe(1);
  });

  it('stops a task cancelled while still queued before its first model call', async () => {
    const cancel = await runCli(cancelCommand, ['cancel', 'queued-1', '--json'], io());
    expect(cancel).toEqual({
      code: 0,
      stdout: '{"taskId":"queued-1","state":"requested","started":false}\n',
      stderr: 'cancel requested for task queued-1: no worker has started it yet, so it stops before its first model call (if no task has this id, nothing happens)\n',
    });
    const run = await runCli(enqueueCommand, ['enqueue', '--workspace', tree('ws-queued'), '--prompt', 'EDIT queued', '--task-id', 'queued-1', '--wait', '--json'], io());
    expect({ code: run.code, result: JSON.parse(run.stdout).result }).toMatchObject({ code: 1, result: { status: 'failed', stopReason: 'cancelled', turns: 0, costUsd: 0, error: { code: 'cancelled' } } });
    expect(requestsFor('EDIT queued')).toEqual([]);
  });

  it('leaves a finished task alone and says so', async () => {
    const ok = await runCli(enqueueCommand, ['enqueue', '--workspace', tree('ws-done'), '--prompt', 'EDIT done', '--task-id', 'done-1', '--wait'], io());
    expect(ok.code).toBe(0);
    const cancel = await runCli(cancelCommand, ['cancel', 'done-1'], io());
    expect(cancel).toEqual({ code: 0, stdout: '', stderr: 'task done-1 has already finished (succeeded): nothing to cancel\n' });
    expect(await store().get('done-1', 'cancel.json')).toBeUndefined();
  });
});

describe('partial diffs', () => {
  it('enqueue --wait --apply leaves a stopped task\'s partial diff alone unless --apply-partial', async () => {
    const ws = tree('ws-partial');
    const plain = await runCli(enqueueCommand, ['enqueue', '--workspace', ws, '--prompt', 'PARTIAL a', '--max-turns', '2', '--task-id', 'partial-1', '--wait', '--apply'], io());
    expect([plain.code, fs.readFileSync(path.join(ws, 'greet.txt'), 'utf8')]).toEqual([3, 'hello\n']);
    expect(plain.stderr).toContain('not applying the diff of task partial-1: it ended limit_reached (apply it with --apply-partial, or download it with --out)');

    const partial = await runCli(enqueueCommand, ['enqueue', '--workspace', ws, '--prompt', 'PARTIAL b', '--max-turns', '2', '--task-id', 'partial-2', '--wait', '--apply', '--apply-partial'], io());
    expect([partial.code, fs.readFileSync(path.join(ws, 'greet.txt'), 'utf8')]).toEqual([3, 'hello, half\n']);
    expect(partial.stderr).toContain('applied the partial diff of task partial-2 (it ended limit_reached): 1 file changed');

    const alone = await runCli(enqueueCommand, ['enqueue', '--workspace', ws, '--prompt', 'PARTIAL c', '--apply-partial'], io());
    expect(alone).toMatchObject({ code: 2, stderr: 'agent-runner: --apply-partial goes with --apply\n' });
  });
});

describe('application inference profiles', () => {
  it('are called by their ARN, URL-encoded in the path, priced as the model they route to and recorded in the result', async () => {
    const before = stack.bedrock.requests.length;
    const run = await runCli(enqueueCommand, ['enqueue', '--workspace', tree('ws-arn'), '--prompt', 'EDIT with a profile', '--model', ARN, '--task-id', 'arn-1', '--wait', '--json'], io());
    const result = JSON.parse(run.stdout).result;
    expect({ code: run.code, model: result.model, baseModel: result.baseModel, status: result.status }).toEqual({ code: 0, model: ARN, baseModel: HAIKU, status: 'succeeded' });
    const calls = stack.bedrock.requests.slice(before);
    expect(calls.map((r) => [r.path, r.modelId])).toEqual([
      [`/model/${encodeURIComponent(ARN)}/converse-stream`, ARN],
      [`/model/${encodeURIComponent(ARN)}/converse-stream`, ARN],
    ]);
    expect(calls[0].path).toBe('/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fteam42x/converse-stream');
    // Haiku 4.5: USD 1 per million input tokens, 5 per million output tokens.
    const u = result.usage;
    expect(result.costUsd).toBeCloseTo((u.inputTokens * 1 + u.outputTokens * 5 + u.cacheReadInputTokens * 0.1 + u.cacheWriteInputTokens * 1.25) / 1e6, 9);
    const shown = await runCli(resultCommand, ['result', 'arn-1'], io());
    expect(shown.stdout).toMatch(new RegExp(`^succeeded · 2 turns · \\d+ tokens \\(\\d+% cache read\\) · \\$\\d\\.\\d{4} \\(${ARN.replace(/[/.]/g, '\\$&')} priced as ${HAIKU.replace(/\./g, '\\.')}\\) · 1 file changed`));
  });

  it('that are not mapped are rejected before any model call, saying how to map them', async () => {
    const before = stack.bedrock.requests.length;
    const other = ARN.replace('team42x', 'nobody');
    const run = await runCli(enqueueCommand, ['enqueue', '--workspace', tree('ws-arn2'), '--prompt', 'EDIT unmapped', '--model', other, '--task-id', 'arn-2', '--wait', '--json'], io());
    expect(JSON.parse(run.stdout).result).toMatchObject({ status: 'rejected', error: { code: 'invalid_task', message: expect.stringContaining(`model: application inference profile ${other} is not mapped`) } });
    expect(stack.bedrock.requests.length).toBe(before);
  });
});

describe('agent-runner usage', () => {
  it("prints the month's spend per repository and model from the ledger the worker keeps", async () => {
    const month = monthOf(Date.now());
    // The worker counts a task just after writing its result: wait for the last one.
    const ledgers = new S3LedgerStore({ client: stack.aws.s3, bucket: stack.bucket });
    while (!Object.hasOwn((await ledgers.read(month))?.ledger.counted ?? {}, 'arn-1')) await new Promise((r) => setTimeout(r, 20));
    const json = await runCli(usageCommand, ['usage', '--json'], io());
    const ledger = JSON.parse(json.stdout);
    const models = ledger.repositories['(none)'].models;
    expect(Object.keys(models).sort()).toEqual([ARN, MODEL].sort());
    expect(models[ARN]).toMatchObject({ tasks: 1, baseModel: HAIKU });
    // Every task that ended (cancelled, stopped, succeeded) is counted once; rejected ones are not.
    expect({ month: ledger.month, tasks: ledger.tasks, counted: ledger.counted }).toEqual({ month, tasks: 6, counted: undefined });
    const text = await runCli(usageCommand, ['usage'], io());
    expect(text.code).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^spend in ${month}: USD \\d+\\.\\d{4} over 6 tasks$`));
    expect(lines[1].split(/\s{2,}/)).toEqual(['REPOSITORY', 'MODEL', 'TASKS', 'INPUT TOKENS', 'OUTPUT TOKENS', 'CACHE READ', 'USD']);
    expect(lines.slice(2).map((l) => l.split(/\s{2,}/).slice(0, 3))).toEqual(expect.arrayContaining([['(none)', MODEL, '5'], ['(none)', `${ARN} (${HAIKU})`, '1']]));
    const empty = await runCli(usageCommand, ['usage', '--month', '2020-01'], io());
    expect(empty.stdout).toBe('spend in 2020-01: USD 0.0000 over 0 tasks\n');
    expect((await runCli(usageCommand, ['usage', '--month', '2020-13'], io())).stderr).toBe('agent-runner: --month "2020-13" is not of the form YYYY-MM\n');
  });
});
