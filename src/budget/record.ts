import { Backoff, sleepFor } from '../retry/index.ts';
import { LedgerContentionError } from './errors.ts';
import { addSpend, emptyLedger, type Budgets, type Ledger, type SpendEntry } from './ledger.ts';
import type { LedgerStore } from './store.ts';

export interface RecordSpendOptions {
  /** Milliseconds since the epoch, for `updatedAt`. */
  now: () => number;
  /** Written into the ledger, for readers without the stack's settings. */
  budgets?: Budgets;
  /** Read-modify-write attempts before giving up (default 10). */
  maxAttempts?: number;
  /** Waits between attempts; the default uses timers. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface RecordSpendResult {
  /** False when the task was counted before (by an earlier attempt or delivery). */
  added: boolean;
  /** Conditional writes that lost to another writer before this one held. */
  conflicts: number;
  ledger: Ledger;
}

const BASE_DELAY_MS = 50;
const MAX_DELAY_MS = 2_000;

/**
 * Adds a finished task to the ledger of `month`: read, add, write back only if nobody wrote in
 * between (`If-None-Match: *` for a new month, `If-Match` on the ETag read), and on a lost race
 * read again and retry after the shared policy's jittered backoff. Idempotent per task id, so a retried update (a
 * redelivered message) does not count a task twice. Throws LedgerContentionError when every
 * attempt lost, and the store's errors as they come.
 */
export async function recordSpend(store: LedgerStore, month: string, entry: SpendEntry, opts: RecordSpendOptions): Promise<RecordSpendResult> {
  const maxAttempts = opts.maxAttempts ?? 10;
  const sleep = opts.sleep ?? sleepFor;
  const lost = new Backoff({ maxRetries: maxAttempts - 1, baseDelayMs: BASE_DELAY_MS, maxDelayMs: MAX_DELAY_MS, random: opts.random });
  for (let attempt = 0; ; attempt++) {
    const current = await store.read(month);
    const base = current?.ledger ?? emptyLedger(month, opts.now());
    const next = addSpend(base, entry, opts.now(), opts.budgets);
    if (next === undefined) return { added: false, conflicts: attempt, ledger: base };
    const etag = current ? await store.replace(next, current.etag) : await store.create(next);
    if (etag !== undefined) return { added: true, conflicts: attempt, ledger: next };
    const waitMs = lost.next();
    if (waitMs === undefined) throw new LedgerContentionError(month, maxAttempts);
    await sleep(waitMs);
  }
}
