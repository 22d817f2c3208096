import type { ConditionalStore } from '../store/types.ts';

/**
 * A task's lease: `lease.json` beside its artifacts, claimed and handed on only by conditional
 * writes (create if absent, replace if the ETag still matches), so that of any number of
 * invocations racing for a task at most one holds it. Times are milliseconds since the epoch.
 * `owner` is unique per invocation, which also makes every holder's body, and so its ETag, unique.
 */
export interface LeaseBody {
  owner: string;
  /** The SQS message whose delivery holds the lease. */
  messageId?: string;
  /** The lease is free from this time on; 0 once released. */
  expiresAt: number;
  acquiredAt: number;
}

/** A lease held by this invocation: its body and the ETag that proves it is still ours. */
export interface Lease extends LeaseBody {
  etag: string;
}

/** Who holds a task that could not be claimed. */
export interface LeaseHolder {
  owner: string;
  /** The message whose delivery holds the task, when the lease names one. */
  messageId?: string;
  expiresAt: number;
}

/**
 * `previous`: the lease this claim replaced when it was never released (its holder died while
 * running the task: a crash), absent when there was none or it had been let go.
 */
export type LeaseClaim = { ok: true; lease: Lease; previous?: LeaseHolder } | { ok: false; holder: LeaseHolder };

export interface AcquireLeaseOptions {
  owner: string;
  messageId?: string;
  /** The caller's clock (ms since the epoch): a lease expiring at or before it is free. */
  now: number;
  /** When the new lease expires (ms since the epoch). */
  until: number;
  /** Takes the lease over even while live when this owner holds it (known to be dead). */
  takeOverFrom?: string;
}

const LEASE = 'lease.json';
// Conditional writes may lose without anyone else having written (S3's 409 when two conditional
// writes overlap; the file store's lock held by a loser): the lease is read again and the write
// tried again, at most this many times.
const MAX_ATTEMPTS = 4;

/**
 * Claims the task: creates the lease if there is none, replaces it if it has expired (or cannot be
 * read), is this owner's, or is `takeOverFrom`'s. Resolves `{ok: false, holder}` when another
 * owner's lease is live or when every attempt lost a race. Two callers never both get `ok: true`
 * for overlapping leases (but for a take-over, whose caller knows the holder is dead).
 */
export async function acquireLease(store: ConditionalStore, taskId: string, opts: AcquireLeaseOptions): Promise<LeaseClaim> {
  const body: LeaseBody = {
    owner: opts.owner,
    ...(opts.messageId === undefined ? {} : { messageId: opts.messageId }),
    expiresAt: opts.until,
    acquiredAt: opts.now,
  };
  const text = JSON.stringify(body);
  let holder: LeaseHolder = { owner: '(unknown)', expiresAt: 0 };
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    // The first attempt writes blind: a new task (the usual case) costs one request.
    const current = attempt === 0 ? undefined : await store.getVersioned(taskId, LEASE);
    let etag: string | undefined;
    let previous: LeaseHolder | undefined;
    if (current === undefined) {
      etag = await store.putIfAbsent(taskId, LEASE, text);
    } else {
      const held = parseLease(current.body);
      holder = held ? holderOf(held) : { owner: '(unreadable)', expiresAt: 0 };
      const other = held !== undefined && held.owner !== opts.owner;
      if (other && held.expiresAt > opts.now && held.owner !== opts.takeOverFrom) return { ok: false, holder };
      etag = await store.putIfMatch(taskId, LEASE, text, current.etag);
      if (other && held.expiresAt !== 0) previous = holder;
    }
    if (etag !== undefined) return { ok: true, lease: { ...body, etag }, ...(previous ? { previous } : {}) };
  }
  return { ok: false, holder };
}

/**
 * Lets go of a held lease by writing it expired (expiresAt 0), so that a retry or continuation can
 * claim the task at once. True when released; false when the lease was no longer this one, which
 * needs nothing done.
 */
export async function releaseLease(store: ConditionalStore, taskId: string, lease: Lease): Promise<boolean> {
  const text = bodyText({ ...lease, expiresAt: 0 });
  // The write is tried again after losses nobody won (the lease still has our ETag).
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if ((await store.putIfMatch(taskId, LEASE, text, lease.etag)) !== undefined) return true;
    if ((await store.getVersioned(taskId, LEASE))?.etag !== lease.etag) return false;
  }
  return false;
}

function holderOf(held: LeaseBody): LeaseHolder {
  return { owner: held.owner, ...(held.messageId !== undefined ? { messageId: held.messageId } : {}), expiresAt: held.expiresAt };
}

function bodyText(lease: Lease): string {
  const { etag: _etag, ...body } = lease;
  return JSON.stringify(body);
}

/**
 * lease.json's content, or undefined when it is not a lease. Leases written before owners existed
 * (`{messageId, expiresAt}`) count, with the message id as owner.
 */
export function parseLease(text: string): LeaseBody | undefined {
  let v: Partial<Record<keyof LeaseBody, unknown>>;
  try {
    v = JSON.parse(text) as typeof v;
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || typeof v.expiresAt !== 'number') return undefined;
  const owner = typeof v.owner === 'string' ? v.owner : typeof v.messageId === 'string' ? v.messageId : undefined;
  if (owner === undefined) return undefined;
  return {
    owner,
    ...(typeof v.messageId === 'string' ? { messageId: v.messageId } : {}),
    expiresAt: v.expiresAt,
    acquiredAt: typeof v.acquiredAt === 'number' ? v.acquiredAt : 0,
  };
}
