import { describe, expect, it } from 'vitest';
import { LedgerContentionError, recordSpend, type Ledger, type LedgerStore, type VersionedLedger } from '../../../src/budget/index.ts';

const U = { inputTokens: 10, outputTokens: 1, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 };
const entry = (taskId: string, costUsd: number) => ({ taskId, model: 'm', costUsd, usage: U });
const opts = { now: () => Date.parse('2026-03-02T00:00:00Z'), sleep: async () => undefined };

/** A ledger store with S3's compare-and-swap, and a hook that writes first (another worker) before the n-th write. */
class RacingStore implements LedgerStore {
  private current: { ledger: Ledger; etag: string } | undefined;
  private version = 0;
  writes = 0;
  refused = 0;
  constructor(private readonly interfere: (n: number) => Ledger | undefined = () => undefined) {}
  async read(): Promise<VersionedLedger | undefined> {
    return this.current && structuredClone(this.current);
  }
  private swap(ledger: Ledger, ok: boolean): string | undefined {
    if (!ok) {
      this.refused++;
      return undefined;
    }
    this.current = { ledger, etag: `"v${++this.version}"` };
    return this.current.etag;
  }
  private meddle(): void {
    const other = this.interfere(++this.writes);
    if (other) this.current = { ledger: other, etag: `"v${++this.version}"` };
  }
  async create(ledger: Ledger): Promise<string | undefined> {
    this.meddle();
    return this.swap(ledger, this.current === undefined);
  }
  async replace(ledger: Ledger, etag: string): Promise<string | undefined> {
    this.meddle();
    return this.swap(ledger, this.current?.etag === etag);
  }
}

describe('recordSpend', () => {
  it('reads again and retries when another writer got there first, losing neither update', async () => {
    // What another worker writes between our read and our write: its own task.
    const other = (await recordSpend(new RacingStore(), '2026-03', entry('theirs', 1), opts)).ledger;
    const store = new RacingStore((n) => (n === 1 ? other : undefined));
    const mine = await recordSpend(store, '2026-03', entry('mine', 2), opts);
    expect({ added: mine.added, conflicts: mine.conflicts, refused: store.refused }).toEqual({ added: true, conflicts: 1, refused: 1 });
    expect({ costUsd: mine.ledger.costUsd, tasks: mine.ledger.tasks, counted: mine.ledger.counted }).toEqual({ costUsd: 3, tasks: 2, counted: { theirs: 1, mine: 2 } });
  });

  it('counts a task once, however often it is recorded', async () => {
    const store = new RacingStore();
    await recordSpend(store, '2026-03', entry('a', 1), opts);
    const again = await recordSpend(store, '2026-03', entry('a', 1), opts);
    expect({ added: again.added, costUsd: again.ledger.costUsd, writes: store.writes }).toEqual({ added: false, costUsd: 1, writes: 1 });
  });

  it('gives up with LedgerContentionError when every attempt loses', async () => {
    let n = 0;
    const store = new RacingStore(() => ({ version: 1, month: '2026-03', costUsd: n, tasks: ++n, repositories: {}, counted: {}, updatedAt: '' }));
    await expect(recordSpend(store, '2026-03', entry('a', 1), { ...opts, maxAttempts: 3 })).rejects.toThrow(LedgerContentionError);
    expect(store.refused).toBe(3);
  });
});
