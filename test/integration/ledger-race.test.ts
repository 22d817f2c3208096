/**
 * Results racing on the spend ledger through S3's conditional writes (fauxqs behind the proxy
 * that enforces If-None-Match and If-Match as S3 does): no update is lost, none counted twice.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TaskResult } from '../../src/task/events.ts';
import { S3LedgerStore, type Ledger, type LedgerStore } from '../../src/budget/index.ts';
import { S3ArtifactStore } from '../../src/store/index.ts';
import { recordTaskSpend, type WorkerBudget } from '../../src/worker/budget.ts';
import { startLocalAws, type LocalAws } from '../support/fauxqs.ts';
import { s3ClientFor, startS3Proxy, type S3Proxy } from '../support/s3-proxy.ts';

const BUCKET = 'ledger-race';
const ROUNDS = 20;
const NOW = Date.parse('2026-05-15T12:00:00Z');

let aws: LocalAws;
let proxy: S3Proxy;
let clients: S3Client[] = [];

beforeAll(async () => {
  aws = await startLocalAws({ buckets: [BUCKET] });
  proxy = await startS3Proxy(aws.endpoint);
  clients = [s3ClientFor(proxy.url), s3ClientFor(proxy.url)];
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await proxy?.close();
  await aws?.stop();
});
beforeEach(() => proxy.reset());

/**
 * Lets both workers read the ledger before either writes, on their first attempt of each round, so
 * that every round is a real race on the wire (later attempts go unhindered).
 */
function barrier(): (store: LedgerStore) => LedgerStore {
  let waiting: (() => void) | undefined;
  let arrived = 0;
  return (store) => {
    let first = true;
    return {
      async read(month) {
        const got = await store.read(month);
        if (first) {
          first = false;
          if (++arrived % 2 === 1) await new Promise<void>((r) => (waiting = r));
          else waiting?.();
        }
        return got;
      },
      create: (l: Ledger) => store.create(l),
      replace: (l: Ledger, etag: string) => store.replace(l, etag),
    };
  };
}

const result = (taskId: string, costUsd: number): TaskResult => ({
  taskId,
  status: 'succeeded',
  stopReason: 'end_turn',
  turns: 1,
  model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
  usage: { inputTokens: 100, outputTokens: 10, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 },
  costUsd,
  diff: { files: 0, additions: 0, deletions: 0 },
});

function worker(i: number, wrap: (s: LedgerStore) => LedgerStore): { store: S3ArtifactStore; budget: WorkerBudget } {
  return {
    store: new S3ArtifactStore({ client: clients[i], bucket: BUCKET }),
    budget: { ledger: wrap(new S3LedgerStore({ client: clients[i], bucket: BUCKET, prefix: 'race/' })), budgets: { monthlyUsd: 100 }, sleep: async () => undefined },
  };
}

const ledgerWrites = () => proxy.requests.filter((r) => r.method === 'PUT' && r.key.startsWith('race/'));

describe('two results racing on the ledger', () => {
  it(`loses no update and counts each task once, in each of ${ROUNDS} rounds`, async () => {
    const ledgers = new S3LedgerStore({ client: clients[0], bucket: BUCKET, prefix: 'race/' });
    let expected = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const wrap = barrier();
      const [a, b] = [worker(0, wrap), worker(1, wrap)];
      const costs = [0.001 * (round + 1), 0.002 * (round + 1)];
      const task = (n: number) => ({ taskId: `r${round}-${n}`, prompt: 'p', limits: {}, source: { github: { owner: 'octo', repo: n ? 'b' : 'a', ref: 'main' } } });
      const [ra, rb] = await Promise.all([
        recordTaskSpend(a.store, a.budget, task(0), result(`r${round}-0`, costs[0]), () => NOW),
        recordTaskSpend(b.store, b.budget, task(1), result(`r${round}-1`, costs[1]), () => NOW),
      ]);
      expected = Math.round((expected + costs[0] + costs[1]) * 1e6) / 1e6;
      // Exactly one of the two lost its first write and went round again.
      expect([ra!.added, rb!.added, ra!.conflicts + rb!.conflicts], `round ${round}`).toEqual([true, true, 1]);
      const ledger = (await ledgers.read('2026-05'))!.ledger;
      expect({ costUsd: ledger.costUsd, tasks: ledger.tasks }, `round ${round}`).toEqual({ costUsd: expected, tasks: 2 * (round + 1) });
    }
    const ledger = (await ledgers.read('2026-05'))!.ledger;
    expect(Object.keys(ledger.repositories).sort()).toEqual(['octo/a', 'octo/b']);
    expect(ledger.repositories['octo/a'].tasks + ledger.repositories['octo/b'].tasks).toBe(2 * ROUNDS);
    // On the wire: one refused conditional write per round (S3's 412), the rest written.
    const statuses = ledgerWrites().map((r) => r.status);
    expect({ refused: statuses.filter((s) => s === 412).length, written: statuses.filter((s) => s === 200).length }).toEqual({ refused: ROUNDS, written: 2 * ROUNDS });
  });

  it('counts a task once when two deliveries of it record it at the same time', async () => {
    const wrap = barrier();
    const [a, b] = [worker(0, wrap), worker(1, wrap)];
    const task = { taskId: 'twice', prompt: 'p', limits: {} };
    const both = await Promise.all([a, b].map((w) => recordTaskSpend(w.store, w.budget, task, result('twice', 0.5), () => Date.parse('2026-06-01T00:00:00Z'))));
    expect(both.map((r) => r!.added).sort()).toEqual([false, true]);
    const ledger = (await new S3LedgerStore({ client: clients[0], bucket: BUCKET, prefix: 'race/' }).read('2026-06'))!.ledger;
    expect({ costUsd: ledger.costUsd, tasks: ledger.tasks, counted: ledger.counted }).toEqual({ costUsd: 0.5, tasks: 1, counted: { twice: 0.5 } });
  });
});
