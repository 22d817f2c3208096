import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { addSpend, emptyLedger, type Ledger, type LedgerStore, type VersionedLedger } from '../../../src/budget/index.ts';
import { processRecord } from '../../../src/worker/index.ts';
import { repositoryOf } from '../../../src/worker/budget.ts';
import { MemoryStore } from '../../support/memory-store.ts';
import { callTools, say } from '../../support/script-provider.ts';
import { harness, sqsRecord, type Harness } from './helpers.ts';

const RUN = { signal: new AbortController().signal, maxSeconds: 850 };
const U = { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 };

/** Ledgers in memory with compare-and-swap. */
class MemoryLedgers implements LedgerStore {
  readonly ledgers = new Map<string, VersionedLedger>();
  private n = 0;
  async read(month: string) {
    return this.ledgers.get(month) && structuredClone(this.ledgers.get(month));
  }
  async create(l: Ledger) {
    if (this.ledgers.has(l.month)) return undefined;
    return this.set(l);
  }
  async replace(l: Ledger, etag: string) {
    if (this.ledgers.get(l.month)?.etag !== etag) return undefined;
    return this.set(l);
  }
  private set(l: Ledger) {
    const etag = `"e${++this.n}"`;
    this.ledgers.set(l.month, { ledger: structuredClone(l), etag });
    return etag;
  }
}

let h: Harness | undefined;
afterEach(() => h?.cleanup());

const github = { github: { owner: 'Octo', repo: 'Demo', ref: 'main' } };

describe('the worker and budgets', () => {
  it('counts every finished task once in the ledger of the month it finished, by repository and model', async () => {
    const store = new MemoryStore();
    const ledgers = new MemoryLedgers();
    h = harness(store, [say('done')], { budget: { ledger: ledgers, budgets: {} } });
    const body = JSON.stringify({ taskId: 'b-1', prompt: 'p', reply: { github: { owner: 'Octo', repo: 'Demo', issue: 4 } } });
    const out = await processRecord(sqsRecord(body, 'm-1'), h.deps, RUN);
    // A redelivery of the message after the result: acknowledged, counted no second time.
    expect((await processRecord(sqsRecord(body, 'm-1'), h.deps, RUN)).outcome).toBe('duplicate');
    const ledger = ledgers.ledgers.get('2026-01')!.ledger;
    expect({ costUsd: ledger.costUsd, tasks: ledger.tasks, counted: ledger.counted, repos: Object.keys(ledger.repositories) }).toEqual({
      costUsd: out.result!.costUsd,
      tasks: 1,
      counted: { 'b-1': out.result!.costUsd },
      repos: ['octo/demo'],
    });
    expect(JSON.parse(store.artifacts.get('b-1/spend.json')!)).toEqual({ month: '2026-01' });
  });

  it('counts a redelivered task in the month pinned by the first attempt, even a month later', async () => {
    const store = new MemoryStore();
    const ledgers = new MemoryLedgers();
    h = harness(store, [], { budget: { ledger: ledgers, budgets: {} } });
    await store.put('late', 'result.json', JSON.stringify({ taskId: 'late', status: 'succeeded', stopReason: 'end_turn', turns: 1, model: 'm', usage: U, costUsd: 0.5, diff: { files: 0, additions: 0, deletions: 0 } }));
    await store.put('late', 'spend.json', JSON.stringify({ month: '2025-12' }));
    await processRecord(sqsRecord(JSON.stringify({ taskId: 'late', prompt: 'p' }), 'm-9'), h.deps, RUN);
    expect([...ledgers.ledgers.keys()]).toEqual(['2025-12']);
  });

  it('refuses a fresh task when its repository has spent its budget: limit_reached before any model call', async () => {
    const store = new MemoryStore();
    const ledgers = new MemoryLedgers();
    await ledgers.create(addSpend(emptyLedger('2026-01', 0), { taskId: 'old', repository: 'octo/demo', model: 'm', costUsd: 3, usage: U }, 0)!);
    h = harness(store, [say('never')], { budget: { ledger: ledgers, budgets: { repositoryMonthlyUsd: 3 } } });
    const out = await processRecord(sqsRecord(JSON.stringify({ taskId: 'b-2', prompt: 'p', source: github }), 'm-2'), h.deps, RUN);
    expect(out).toMatchObject({
      outcome: 'limit_reached',
      result: {
        status: 'limit_reached',
        stopReason: 'budget',
        turns: 0,
        costUsd: 0,
        error: { code: 'limit_budget', message: 'the monthly budget of octo/demo of USD 3.00 is spent (USD 3.00 in 2026-01); no new task starts before next month or a higher budget' },
      },
    });
    expect(h.provider.requests.length).toBe(0);
    expect(store.events('b-2').map((e) => e.type)).toEqual(['result']);
  });

  it("lowers a task's cost limit to what the budget has left", async () => {
    const store = new MemoryStore();
    const ledgers = new MemoryLedgers();
    await ledgers.create(addSpend(emptyLedger('2026-01', 0), { taskId: 'old', model: 'm', costUsd: 9.75, usage: U }, 0)!);
    h = harness(store, [callTools([['w', 'write_file', { path: 'x.txt', content: 'x' }]], undefined, { inputTokens: 100_000 }), say('never')], {
      budget: { ledger: ledgers, budgets: { monthlyUsd: 10 } },
    });
    const out = await processRecord(sqsRecord(JSON.stringify({ taskId: 'b-3', prompt: 'p' }), 'm-3'), h.deps, RUN);
    expect(store.json('b-3', 'task.json').limits.maxCostUsd).toBe(0.25);
    expect(out.result).toMatchObject({ status: 'limit_reached', stopReason: 'max_cost', turns: 1 });
  });

  it('counts a task ended worker_crashed on its last delivery (what it spent before dying was spent)', async () => {
    const store = new MemoryStore();
    const ledgers = new MemoryLedgers();
    await store.put('crashed', 'task.json', JSON.stringify({ taskId: 'crashed', prompt: 'p' }));
    // Never released: its holder died mid-task.
    await store.put('crashed', 'lease.json', JSON.stringify({ owner: 'm-c/first', messageId: 'm-c', expiresAt: Date.parse('2027-01-01T00:00:00Z'), acquiredAt: 0 }));
    h = harness(store, [say('never')], { budget: { ledger: ledgers, budgets: {} }, maxReceiveCount: 3 });
    const out = await processRecord(sqsRecord(JSON.stringify({ taskId: 'crashed', prompt: 'p' }), 'm-c', 3), h.deps, RUN);
    expect([out.result?.error?.code, ledgers.ledgers.get('2026-01')?.ledger.counted]).toEqual(['worker_crashed', { crashed: 0 }]);
  });

  it('finds the repository of a task in its GitHub source or reply', () => {
    expect([
      repositoryOf({ taskId: 't', prompt: 'p', limits: {}, source: github }),
      repositoryOf({ taskId: 't', prompt: 'p', limits: {}, reply: { github: { owner: 'A', repo: 'B', issue: 1 } } }),
      repositoryOf({ taskId: 't', prompt: 'p', limits: {} }),
    ]).toEqual(['octo/demo', 'a/b', undefined]);
  });
});

describe('the worker and cancel requests', () => {
  it('stops a task whose cancel request is there before it starts, without a model call', async () => {
    const store = new MemoryStore();
    await store.put('c-1', 'cancel.json', JSON.stringify({ taskId: 'c-1', requestedAt: '', by: 'agent-runner cancel' }));
    h = harness(store, [say('never')]);
    const out = await processRecord(sqsRecord(JSON.stringify({ taskId: 'c-1', prompt: 'p' }), 'm-4'), h.deps, RUN);
    expect(out.result).toMatchObject({ status: 'failed', stopReason: 'cancelled', turns: 0, error: { code: 'cancelled', message: 'the task was cancelled by agent-runner cancel' } });
    expect(h.provider.requests.length).toBe(0);
  });

  it('kills a running command when the request appears, keeping the change so far', async () => {
    const store = new MemoryStore();
    const pidFile = path.join(os.tmpdir(), `cancel-pid-${process.pid}-${Date.now()}`);
    h = harness(store, [callTools([['w', 'write_file', { path: 'a.txt', content: 'a\n' }]]), callTools([['s', 'shell', { command: `echo $$ > ${pidFile}; exec sleep 60` }]]), say('never')], { cancelPollMs: 20 });
    const pending = processRecord(sqsRecord(JSON.stringify({ taskId: 'c-2', prompt: 'p' }), 'm-5'), h.deps, RUN);
    // Once the command runs, ask the task to stop.
    while (!fs.existsSync(pidFile) || fs.readFileSync(pidFile, 'utf8').trim() === '') await new Promise((r) => setTimeout(r, 10));
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    await store.put('c-2', 'cancel.json', '{"by":"@octo"}');
    const out = await pending;
    fs.rmSync(pidFile, { force: true });
    expect(out.result).toMatchObject({ status: 'failed', stopReason: 'cancelled', turns: 2, error: { code: 'cancelled', message: 'the task was cancelled by @octo' }, diff: { files: 1 } });
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    expect(h.provider.requests.length).toBe(2);
  });
});
