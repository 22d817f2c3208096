import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processBatch, WORK_DIR_NAME } from '../../../src/worker/index.ts';
import { MemoryStore } from '../../support/memory-store.ts';
import { say } from '../../support/script-provider.ts';
import { harness, sqsEvent, sqsRecord, TIMING, type Harness } from './helpers.ts';

let h: Harness | undefined;
afterEach(() => h?.cleanup());

describe('processBatch', () => {
  it('rejects a bad message in a batch of three without failing the other two', async () => {
    const store = new MemoryStore();
    h = harness(store, [say('one'), say('three')]);
    const report = await processBatch(
      sqsEvent(
        sqsRecord(JSON.stringify({ taskId: 'b1', prompt: 'first' }), 'm1'),
        sqsRecord('{"prompt": ', 'm2'),
        sqsRecord(JSON.stringify({ taskId: 'b3', prompt: 'third' }), 'm3'),
      ),
      h.deps,
      TIMING,
    );
    expect(report.batchItemFailures).toEqual([]);
    expect(report.outcomes.map((o) => [o.taskId, o.outcome])).toEqual([
      ['b1', 'succeeded'],
      ['m2', 'rejected'],
      ['b3', 'succeeded'],
    ]);
    expect(['b1', 'm2', 'b3'].map((id) => store.json(id, 'result.json')?.status)).toEqual(['succeeded', 'rejected', 'succeeded']);
  });

  it('reports only the message that hit a host fault', async () => {
    const store = new MemoryStore();
    const put = store.put.bind(store);
    store.put = async (taskId, name, body) => {
      if (taskId === 'boom') throw new Error('S3 unreachable');
      return put(taskId, name, body);
    };
    h = harness(store, [say('a'), say('c')]);
    const report = await processBatch(
      sqsEvent(
        sqsRecord(JSON.stringify({ taskId: 'ok-a', prompt: 'p' }), 'ma'),
        sqsRecord(JSON.stringify({ taskId: 'boom', prompt: 'p' }), 'mb'),
        sqsRecord(JSON.stringify({ taskId: 'ok-c', prompt: 'p' }), 'mc'),
      ),
      h.deps,
      TIMING,
    );
    expect(report.batchItemFailures).toEqual([{ itemIdentifier: 'mb' }]);
    expect(report.outcomes.map((o) => o.taskId)).toEqual(['ok-a', 'ok-c']);
    expect(h.logs.filter((l) => l.level === 'error').map((l) => [l.message, l.extra?.messageId, l.keys])).toEqual([
      ['message failed; it will be retried', 'mb', {}],
    ]);
  });

  it('does not start a message without enough time left, and keeps FIFO order after a failure', async () => {
    const store = new MemoryStore();
    h = harness(store, [say('a')]);
    let remaining = 300_000;
    const fifo = 'arn:aws:sqs:us-east-1:123456789012:tasks.fifo';
    const report = await processBatch(
      sqsEvent(
        sqsRecord(JSON.stringify({ taskId: 'f1', prompt: 'p' }), 'f1', 1, fifo),
        sqsRecord(JSON.stringify({ taskId: 'f2', prompt: 'p' }), 'f2', 1, fifo),
        sqsRecord(JSON.stringify({ taskId: 'f3', prompt: 'p' }), 'f3', 1, fifo),
      ),
      h.deps,
      {
        remainingMs: () => {
          const r = remaining;
          remaining -= 250_000;
          return r;
        },
      },
    );
    expect(report.batchItemFailures).toEqual([{ itemIdentifier: 'f2' }, { itemIdentifier: 'f3' }]);
    expect(report.outcomes.map((o) => o.taskId)).toEqual(['f1']);
    // The loop's time limit is what was left minus the margin for writing the artifacts.
    expect(store.json('f1', 'task.json').limits.timeoutSeconds).toBe(260);
  });

  it('clears what an earlier invocation left in the work folder, but not while another batch runs', async () => {
    const store = new MemoryStore();
    // The first task's model call waits for the test: its batch is running while the second one runs.
    let called: () => void = () => undefined;
    const inCall = new Promise<void>((r) => (called = r));
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    h = harness(store, [async (req) => (called(), await gate, say(`ok ${req.messages.length}`)), say('b')]);
    const stale = path.join(h.tmpRoot, WORK_DIR_NAME, 'crashed-1234', 'workspace');
    fs.mkdirSync(stale, { recursive: true });
    fs.writeFileSync(path.join(stale, 'left.txt'), 'old');
    const first = processBatch(sqsEvent(sqsRecord(JSON.stringify({ taskId: 'c1', prompt: 'p' }), 'c1')), h.deps, TIMING);
    await inCall;
    expect(fs.existsSync(stale)).toBe(false);
    const inUse = fs.readdirSync(path.join(h.tmpRoot, WORK_DIR_NAME));
    expect(inUse).toEqual([expect.stringMatching(/^[0-9a-f]{32}$/)]);
    // A second batch in the same process while the first runs must not wipe the first's workspace.
    const second = await processBatch(sqsEvent(sqsRecord(JSON.stringify({ taskId: 'c2', prompt: 'p' }), 'c2')), h.deps, TIMING);
    expect(fs.readdirSync(path.join(h.tmpRoot, WORK_DIR_NAME))).toEqual(inUse);
    release();
    const reports = [await first, second];
    expect(reports.map((r) => r.outcomes.map((o) => o.outcome))).toEqual([['succeeded'], ['succeeded']]);
    expect(fs.readdirSync(path.join(h.tmpRoot, WORK_DIR_NAME))).toEqual([]);
  });

  it('answers an empty batch with no failures', async () => {
    h = harness(new MemoryStore(), []);
    expect(await processBatch({ Records: [] }, h.deps, TIMING)).toEqual({ batchItemFailures: [], outcomes: [] });
  });
});
