import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { FsArtifactStore } from '../../../src/store/index.ts';
import { HostFaultError, processRecord, WORK_DIR_NAME } from '../../../src/worker/index.ts';
import { MemoryStore } from '../../support/memory-store.ts';
import { callTools, say } from '../../support/script-provider.ts';
import { harness, MODEL, sqsRecord, type Harness } from './helpers.ts';

const RUN = { signal: new AbortController().signal, maxSeconds: 850 };
const ZERO = { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 };
let h: Harness | undefined;
afterEach(() => h?.cleanup());

describe('processRecord', () => {
  it('runs a valid task in a fresh workspace and removes it afterwards', async () => {
    const store = new MemoryStore();
    h = harness(store, [
      callTools([['t1', 'shell', { command: 'ls -A; pwd; echo "secret=${AWS_SECRET_ACCESS_KEY:-none}"; echo hi > new.txt' }]]),
      say('done'),
    ]);
    const body = JSON.stringify({ taskId: 'task-1', prompt: 'make new.txt', limits: { maxTurns: 5 } });
    const out = await processRecord(sqsRecord(body, 'm-1'), h.deps, RUN);

    expect(out.outcome).toBe('succeeded');
    expect(out.result).toMatchObject({ taskId: 'task-1', status: 'succeeded', turns: 2, model: MODEL.id, diff: { files: 1, additions: 1, deletions: 0 } });
    expect(store.json('task-1', 'task.json')).toEqual({
      taskId: 'task-1',
      prompt: 'make new.txt',
      model: MODEL.id,
      limits: { maxTurns: 5, maxCostUsd: 5, timeoutSeconds: 850 },
    });
    expect(store.artifacts.get('task-1/diff.patch')).toContain('+++ b/new.txt');
    expect(store.json('task-1', 'result.json')).toEqual(out.result);
    const toolResult = store.events('task-1').find((e) => e.type === 'tool_result');
    // An empty workspace of its own under tmpRoot, and no secret of the runner in the tool's env.
    expect(toolResult && 'output' in toolResult ? toolResult.output : '').toMatch(
      new RegExp(`^exit code: 0\\n${path.join(h.tmpRoot, WORK_DIR_NAME)}/[0-9a-f]{32}/workspace\\nsecret=none\\n`),
    );
    expect(store.events('task-1').map((e) => e.type)).toContain('result');
    expect(fs.readdirSync(path.join(h.tmpRoot, WORK_DIR_NAME))).toEqual([]);
    expect(h.metrics.published).toEqual([
      { outcome: 'succeeded', turns: 2, usage: out.result!.usage, costUsd: out.result!.costUsd, durationMs: expect.any(Number), continuations: 0, model: MODEL.id },
    ]);
    expect(h.logs.find((l) => l.message === 'task finished')?.keys).toEqual({ taskId: 'task-1' });
  });

  it('generates the task id when the message has none', async () => {
    const store = new MemoryStore();
    h = harness(store, [say('ok')]);
    const out = await processRecord(sqsRecord(JSON.stringify({ prompt: 'p' }), 'm-2'), h.deps, RUN);
    expect([out.taskId, store.json('gen-1', 'result.json')?.status]).toEqual(['gen-1', 'succeeded']);
  });

  it('rejects a body that is not JSON under the message id, without running anything', async () => {
    const store = new MemoryStore();
    h = harness(store, [say('never')]);
    const out = await processRecord(sqsRecord('not json', 'm-3'), h.deps, RUN);
    const result = {
      taskId: 'm-3',
      status: 'rejected',
      stopReason: 'rejected',
      turns: 0,
      model: MODEL.id,
      usage: ZERO,
      costUsd: 0,
      diff: { files: 0, additions: 0, deletions: 0 },
      error: { code: 'invalid_json', message: expect.stringMatching(/^the message body is not JSON/) },
    };
    expect(out).toEqual({ taskId: 'm-3', outcome: 'rejected', result });
    expect(store.writes).toEqual(['m-3/task.json', 'm-3/events/1', 'm-3/result.json']);
    expect(store.json('m-3', 'task.json')).toEqual({ messageId: 'm-3', body: 'not json' });
    expect(store.json('m-3', 'result.json')).toEqual(result);
    expect(store.events('m-3')).toEqual([{ seq: 1, time: expect.any(String), type: 'result', ...result }]);
    expect(h.provider.requests).toEqual([]);
    expect(h.metrics.published.map((m) => m.outcome)).toEqual(['rejected']);
  });

  it('rejects a schema violation under the body\'s taskId, naming the field, and redacts URL credentials', async () => {
    const store = new MemoryStore();
    h = harness(store, []);
    const body = { taskId: 'bad-1', prompt: 'p', source: { git: { url: 'https://user:tok3n@example.com/r.git', depth: 1 } } };
    const out = await processRecord(sqsRecord(JSON.stringify(body), 'm-4'), h.deps, RUN);
    expect(out.result?.error).toEqual({ code: 'invalid_task', message: 'source.git.depth: unknown field' });
    expect(store.json('bad-1', 'task.json')).toEqual({
      messageId: 'm-4',
      body: { ...body, source: { git: { url: 'https://***@example.com/r.git', depth: 1 } } },
    });
  });

  it('rejects a task whose model the runner cannot use', async () => {
    const store = new MemoryStore();
    h = harness(store, []);
    const out = await processRecord(sqsRecord(JSON.stringify({ taskId: 'x1', prompt: 'p', model: 'cohere.command-text-v14' }), 'm-5'), h.deps, RUN);
    expect(out.result).toMatchObject({
      status: 'rejected',
      model: 'cohere.command-text-v14',
      error: { code: 'invalid_task', message: 'model: cohere.command-text-v14 is not a model with tool use' },
    });
    expect(store.json('x1', 'task.json')).toEqual({ taskId: 'x1', prompt: 'p', model: 'cohere.command-text-v14', limits: {} });
  });

  it('acknowledges a task that already has a result without any write or model call', async () => {
    const store = new MemoryStore();
    await store.put('done-1', 'result.json', '{"status":"succeeded"}');
    store.writes.length = 0;
    h = harness(store, [say('never')]);
    const out = await processRecord(sqsRecord(JSON.stringify({ taskId: 'done-1', prompt: 'p' }), 'm-6'), h.deps, RUN);
    expect(out).toEqual({ taskId: 'done-1', outcome: 'duplicate' });
    expect(store.writes).toEqual([]);
    expect(h.provider.requests).toEqual([]);
    // Even an invalid message naming that task leaves it alone.
    await processRecord(sqsRecord(JSON.stringify({ taskId: 'done-1', prompt: 7 }), 'm-7'), h.deps, RUN);
    expect(store.writes).toEqual([]);
  });

  it('runs again from a clean event log when an earlier attempt died without a result', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'worker-fs-'));
    try {
      const store = new FsArtifactStore(out);
      await store.put('again', 'task.json', '{}');
      await store.appendEvents('again', [{ seq: 1, time: '2026-01-01T00:00:00.000Z', taskId: 'again', type: 'turn_started', turn: 1 }]);
      h = harness(store, [say('second time')]);
      await processRecord(sqsRecord(JSON.stringify({ taskId: 'again', prompt: 'p' }), 'm-8'), h.deps, RUN);
      const events = await store.readEvents('again');
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(events[0].type).toBe('task_started');
      expect(events.at(-1)?.type).toBe('result');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('drops a second message of a task another delivery holds, retries a redelivery of the holder\'s own message, and runs it once the lease has expired', async () => {
    const store = new MemoryStore();
    h = harness(store, [say('ran')]);
    const body = JSON.stringify({ taskId: 'leased', prompt: 'p' });
    const live = Date.parse('2027-01-01T00:00:00Z');
    await store.put('leased', 'lease.json', JSON.stringify({ owner: 'm-first/x', messageId: 'm-first', expiresAt: live, acquiredAt: 0 }));
    // Another message of the same task: the holder runs it (and its own message comes back if it dies).
    expect(await processRecord(sqsRecord(body, 'm-second'), h.deps, RUN)).toEqual({ taskId: 'leased', outcome: 'duplicate' });
    // The holder's own message again: dropping it could lose the task, so it is retried.
    const err = await processRecord(sqsRecord(body, 'm-first', 2), h.deps, RUN).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostFaultError);
    expect((err as Error).message).toBe('task leased is held by an earlier delivery of this message until 2027-01-01T00:00:00.000Z');
    expect(h.provider.requests).toEqual([]);

    await store.put('leased', 'lease.json', JSON.stringify({ owner: 'm-first/x', messageId: 'm-first', expiresAt: Date.parse('2025-12-31T00:00:00Z'), acquiredAt: 0 }));
    const out = await processRecord(sqsRecord(body, 'm-first', 3), h.deps, { ...RUN, leaseUntil: Date.parse('2026-01-01T00:15:00Z') });
    expect(out.outcome).toBe('succeeded');
    // Released at the end, so a continuation or retry could take it at once.
    expect(store.json('leased', 'lease.json')).toEqual({ owner: 'm-first/gen-3', messageId: 'm-first', expiresAt: 0, acquiredAt: expect.any(Number) });
  });

  it('fails the task (no retry) when its source is missing', async () => {
    const store = new MemoryStore();
    const s3 = { send: async () => Promise.reject(Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' })) };
    h = harness(store, [say('never')], { sources: { s3: s3 as unknown as S3Client } });
    const body = { taskId: 'src-1', prompt: 'p', source: { s3: { bucket: 'inputs', key: 'inputs/none.tar.gz' } } };
    const out = await processRecord(sqsRecord(JSON.stringify(body), 'm-9'), h.deps, RUN);
    expect(out.result).toEqual({
      taskId: 'src-1',
      status: 'failed',
      stopReason: 'source_error',
      turns: 0,
      model: MODEL.id,
      usage: ZERO,
      costUsd: 0,
      diff: { files: 0, additions: 0, deletions: 0 },
      error: { code: 'source_not_found', message: 'cannot read s3://inputs/inputs/none.tar.gz: NoSuchKey: The specified key does not exist.' },
    });
    expect(store.json('src-1', 'task.json')).toEqual({ ...body, model: MODEL.id, limits: { maxTurns: 10, maxCostUsd: 5, timeoutSeconds: 3600 } });
    expect(h.provider.requests).toEqual([]);
    expect(fs.readdirSync(path.join(h.tmpRoot, WORK_DIR_NAME))).toEqual([]);
  });

  it('retries an unreachable source as a host fault, then fails the task after the last attempt', async () => {
    const store = new MemoryStore();
    const s3 = { send: async () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { name: 'Error' })) };
    h = harness(store, [], { sources: { s3: s3 as unknown as S3Client }, maxSourceAttempts: 3 });
    const body = JSON.stringify({ taskId: 'src-2', prompt: 'p', source: { s3: { bucket: 'inputs', key: 'k' } } });
    await expect(processRecord(sqsRecord(body, 'm-10', 2), h.deps, RUN)).rejects.toBeInstanceOf(HostFaultError);
    // Only the lease was taken, and given back for the retry.
    expect(store.writes).toEqual(['src-2/lease.json', 'src-2/lease.json']);
    expect(store.json('src-2', 'lease.json')).toEqual({ owner: 'm-10/gen-1', messageId: 'm-10', expiresAt: 0, acquiredAt: expect.any(Number) });
    expect(fs.readdirSync(path.join(h.tmpRoot, WORK_DIR_NAME))).toEqual([]);
    const out = await processRecord(sqsRecord(body, 'm-10', 3), h.deps, RUN);
    expect([out.outcome, out.result?.error?.code]).toEqual(['failed', 'source_unavailable']);
  });

  it('lets a store fault through as a host fault, still removing the workspace', async () => {
    const store = new MemoryStore();
    const put = store.put.bind(store);
    store.put = async (taskId, name, body) => {
      if (name !== 'lease.json') throw new Error('S3 is unreachable');
      return put(taskId, name, body);
    };
    h = harness(store, [say('x')]);
    await expect(processRecord(sqsRecord(JSON.stringify({ taskId: 'sf', prompt: 'p' }), 'm-11'), h.deps, RUN)).rejects.toThrow('S3 is unreachable');
    // The workspace was made (the loop failed writing task.json) and is gone again.
    expect(fs.readdirSync(path.join(h.tmpRoot, WORK_DIR_NAME))).toEqual([]);
    expect(store.json('sf', 'lease.json')).toEqual({ owner: 'm-11/gen-1', messageId: 'm-11', expiresAt: 0, acquiredAt: expect.any(Number) });
  });
});
