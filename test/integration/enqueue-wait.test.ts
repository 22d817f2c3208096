import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../src/task/events.ts';
import { S3ArtifactStore } from '../../src/store/index.ts';
import { enqueueCommand } from '../../src/cli/enqueue.ts';
import { watchCommand } from '../../src/cli/watch.ts';
import { resultCommand } from '../../src/cli/result.ts';
import { text, toolUse } from '../support/fake-bedrock.ts';
import { runCli } from '../unit/client/support/cli.ts';
import { startLocalStackHarness, type LocalStackHarness } from '../unit/client/support/local-stack.ts';
import { startCuttingProxy } from '../unit/client/support/cutting-proxy.ts';

let stack: LocalStackHarness;
let tmp: string;
const fast = { backoffBaseMs: 20, backoffMaxMs: 100, notFoundPollMs: 50, pollIntervalMs: 50 };

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'enqueue-wait-'));
  stack = await startLocalStackHarness((prompt, turn) => {
    if (prompt.startsWith('EDIT')) {
      return turn === 0 ? [text('Editing.'), toolUse('tooluse_1', 'edit_file', { path: 'greet.txt', old_string: 'hello', new_string: 'hello, world' })] : [text('Done: greet.txt now greets the world.')];
    }
    if (prompt.startsWith('LOOP')) return [toolUse(`tooluse_${turn}`, 'list_files', {})];
    if (prompt.startsWith('CHATTY')) return turn < 4 ? [text(`step ${turn}`), toolUse(`tooluse_${turn}`, 'read_file', { path: 'greet.txt' })] : [text('finished')];
    return [text('nothing to do')];
  });
});
afterAll(async () => {
  await stack?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function sampleTree(name: string): string {
  const root = path.join(tmp, name);
  fs.mkdirSync(path.join(root, 'src'), { recursive: true });
  fs.writeFileSync(path.join(root, 'greet.txt'), 'hello\n');
  fs.writeFileSync(path.join(root, 'src', 'main.js'), 'console.log(1);\n');
  fs.writeFileSync(path.join(root, '.gitignore'), 'tmp/\n');
  return root;
}

const io = () => ({ env: process.env, follow: fast });

async function storedEvents(taskId: string): Promise<AgentEvent[]> {
  return new S3ArtifactStore({ client: stack.aws.s3, bucket: stack.bucket }).readEvents(taskId, 0);
}

describe('enqueue --wait against the local stack', () => {
  it('enqueue --wait --apply ends with the change applied to the working tree and exit 0', async () => {
    const ws = sampleTree('ws-apply');
    const out = path.join(tmp, 'out-apply');
    const run = await runCli(enqueueCommand, ['enqueue', '--workspace', ws, '--prompt', 'EDIT greet.txt: greet the world', '--task-id', 'apply-1', '--wait', '--apply', '--out', out], io());
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 0, stdout: 'apply-1\n' });
    expect(fs.readFileSync(path.join(ws, 'greet.txt'), 'utf8')).toBe('hello, world\n');
    expect(fs.readdirSync(ws).sort()).toEqual(['.gitignore', 'greet.txt', 'src']);
    const stderr = run.stderr.split('\n');
    expect(stderr.slice(0, 3)).toEqual([expect.stringMatching(/^uploaded 3 files \(\d+ B\) to s3:\/\/agent-runner-artifacts\/inputs\/apply-1\.tar\.gz$/), 'enqueued task apply-1', 'task apply-1 · model us.anthropic.claude-sonnet-4-5-20250929-v1:0']);
    expect(stderr).toContain('→ edit_file greet.txt');
    expect(stderr).toContain(`artifacts of task apply-1 in ${path.join(out, 'apply-1')}`);
    expect(stderr).toContain('applied the diff of task apply-1: 1 file changed');
    expect(fs.readdirSync(path.join(out, 'apply-1')).sort()).toEqual(['diff.patch', 'events.ndjson', 'result.json', 'task.json', 'transcript.json']);
    const events = fs.readFileSync(path.join(out, 'apply-1', 'events.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AgentEvent);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)).toMatchObject({ type: 'result', status: 'succeeded', turns: 2, diff: { files: 1, additions: 1, deletions: 1 } });
  });

  it('a task that reaches its turn limit exits 3 and leaves the working tree alone', async () => {
    const ws = sampleTree('ws-limit');
    const run = await runCli(enqueueCommand, ['enqueue', '--workspace', ws, '--prompt', 'LOOP forever', '--task-id', 'limit-1', '--max-turns', '2', '--wait', '--apply', '--json'], io());
    expect(run.code).toBe(3);
    const printed = JSON.parse(run.stdout);
    expect({ lines: run.stdout.split('\n').length, taskId: printed.taskId, inputKey: printed.inputKey, status: printed.result.status, turns: printed.result.turns }).toEqual({
      lines: 2,
      taskId: 'limit-1',
      inputKey: 'inputs/limit-1.tar.gz',
      status: 'limit_reached',
      turns: 2,
    });
    expect(run.stderr).toContain('not applying the diff of task limit-1: it ended limit_reached (apply it with --apply-partial, or download it with --out)');
    expect(fs.readFileSync(path.join(ws, 'greet.txt'), 'utf8')).toBe('hello\n');
  });

  it('watch follows a task through a dropped connection with Last-Event-ID and loses no event', async () => {
    const ws = sampleTree('ws-chatty');
    const sent = await runCli(enqueueCommand, ['enqueue', '--workspace', ws, '--prompt', 'CHATTY read a few times', '--task-id', 'chatty-1'], io());
    expect(sent.code).toBe(0);
    const proxy = await startCuttingProxy(stack.progressUrl, (i) => (i === 0 ? 3 : i === 1 ? 4 : undefined));
    try {
      const run = await runCli(watchCommand, ['watch', 'chatty-1', '--json', '--progress-url', proxy.url, '--start-timeout-seconds', '30'], io());
      expect(run.code).toBe(0);
      const watched = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as AgentEvent);
      expect(watched).toEqual(await storedEvents('chatty-1'));
      expect(watched.map((e) => e.seq)).toEqual(watched.map((_, i) => i + 1));
      expect(watched.at(-1)?.type).toBe('result');
      const used = proxy.connections.filter((c) => c.events > 0);
      expect(used.slice(0, 2).map((c) => ({ cut: c.cut, events: c.events }))).toEqual([{ cut: true, events: 3 }, { cut: true, events: 4 }]);
      expect(used.map((c) => c.lastEventId)).toEqual([undefined, '3', '7']);
      expect(run.stderr).toMatch(/progress stream: connection dropped: .*; resuming after event 3\n/);
    } finally {
      await proxy.close();
    }
  });

  it('result prints result.json with --json, applies the diff and exits with the status', async () => {
    const ws = sampleTree('ws-result');
    const run = await runCli(resultCommand, ['result', 'apply-1', '--json', '--apply', '--workspace', ws], io());
    const stored = JSON.parse((await new S3ArtifactStore({ client: stack.aws.s3, bucket: stack.bucket }).get('apply-1', 'result.json')) as string);
    expect({ code: run.code, result: JSON.parse(run.stdout), greet: fs.readFileSync(path.join(ws, 'greet.txt'), 'utf8') }).toEqual({ code: 0, result: stored, greet: 'hello, world\n' });
    const limit = await runCli(resultCommand, ['result', 'limit-1'], io());
    expect({ code: limit.code, stdout: limit.stdout }).toEqual({ code: 3, stdout: expect.stringMatching(/^limit_reached: .+ · 2 turns · \d+ tokens \(\d+% cache read\) · \$\d+\.\d{4} · 0 files changed \(\+0 -0\)\n$/) });
  });

  it('result --wait waits for a task enqueued without --wait, then prints its result', async () => {
    const ws = sampleTree('ws-later');
    const sent = await runCli(enqueueCommand, ['enqueue', '--workspace', ws, '--prompt', 'EDIT later', '--task-id', 'later-1', '--json'], io());
    expect({ code: sent.code, stdout: JSON.parse(sent.stdout) }).toEqual({ code: 0, stdout: { taskId: 'later-1', queueUrl: stack.queueUrl, bucket: stack.bucket, inputKey: 'inputs/later-1.tar.gz' } });
    const run = await runCli(resultCommand, ['result', 'later-1', '--wait', '--json', '--apply', '--workspace', ws], io());
    expect({ code: run.code, status: JSON.parse(run.stdout).status, greet: fs.readFileSync(path.join(ws, 'greet.txt'), 'utf8') }).toEqual({ code: 0, status: 'succeeded', greet: 'hello, world\n' });
    expect(run.stderr).toContain('applied the diff of task later-1: 1 file changed');
  });

  it('a caller whose credentials the progress URL refuses gets one line and exit 2', async () => {
    const env = { ...process.env, AWS_SECRET_ACCESS_KEY: 'wrong-secret' };
    const before = stack.progressStatuses.length;
    const { setEnv } = await import('../support/fauxqs.ts');
    const restore = setEnv({ AWS_SECRET_ACCESS_KEY: 'wrong-secret' });
    try {
      const run = await runCli(watchCommand, ['watch', 'apply-1', '--progress-url', stack.progressUrl, '--bucket', stack.bucket], { env, follow: fast });
      expect(run).toEqual({
        code: 2,
        stdout: '',
        stderr: 'agent-runner: the progress URL refused the request (HTTP 403: {"Message":"Forbidden"}): the caller\'s credentials need lambda:InvokeFunctionUrl on the progress function\n',
      });
      expect(stack.progressStatuses.slice(before)).toEqual([403]);
    } finally {
      restore();
    }
  });
});
