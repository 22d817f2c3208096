import { describe, expect, it } from 'vitest';
import type { ArtifactName } from '../../../src/store/types.ts';
import { acquireLease, parseLease, releaseLease, type Lease } from '../../../src/worker/index.ts';
import { MemoryStore } from '../../support/memory-store.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const MINUTE = 60_000;

/** A clock the test moves by hand. */
function clock(start = T0): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** A MemoryStore whose next `n` conditional replaces lose though nobody wrote (S3's 409 ConditionalRequestConflict). */
class ConflictingStore extends MemoryStore {
  conflicts = 0;

  override async putIfMatch(taskId: string, name: ArtifactName, body: string, etag: string): Promise<string | undefined> {
    if (this.conflicts > 0) {
      this.conflicts--;
      return undefined;
    }
    return super.putIfMatch(taskId, name, body, etag);
  }
}

async function claim(store: MemoryStore, owner: string, now: number, until: number): Promise<Lease> {
  const c = await acquireLease(store, 't', { owner, now, until });
  if (!c.ok) throw new Error(`${owner} could not claim the task: held by ${c.holder.owner}`);
  return c.lease;
}

describe('acquireLease', () => {
  it('creates lease.json with the owner, message, expiry and claim time, in one write', async () => {
    const store = new MemoryStore();
    const c = await acquireLease(store, 't', { owner: 'm-1/inv-1', messageId: 'm-1', now: T0, until: T0 + 15 * MINUTE });
    const body = { owner: 'm-1/inv-1', messageId: 'm-1', expiresAt: T0 + 15 * MINUTE, acquiredAt: T0 };
    expect(c).toEqual({ ok: true, lease: { ...body, etag: (await store.getVersioned('t', 'lease.json'))!.etag } });
    expect([store.json('t', 'lease.json'), store.writes]).toEqual([body, ['t/lease.json']]);
  });

  it('leaves a live lease of another owner alone and names its holder', async () => {
    const store = new MemoryStore();
    const t = clock();
    await claim(store, 'first', t.now(), t.now() + 10 * MINUTE);
    t.advance(10 * MINUTE - 1);
    expect(await acquireLease(store, 't', { owner: 'second', now: t.now(), until: t.now() + MINUTE })).toEqual({
      ok: false,
      holder: { owner: 'first', expiresAt: T0 + 10 * MINUTE },
    });
    expect(store.json('t', 'lease.json').owner).toBe('first');
  });

  it('takes over a lease from the moment it expires', async () => {
    const store = new MemoryStore();
    const t = clock();
    const first = await claim(store, 'first', t.now(), t.now() + 10 * MINUTE);
    t.advance(10 * MINUTE);
    const second = await claim(store, 'second', t.now(), t.now() + 10 * MINUTE);
    expect(second.etag).not.toBe(first.etag);
    expect(store.json('t', 'lease.json')).toEqual({ owner: 'second', expiresAt: T0 + 20 * MINUTE, acquiredAt: T0 + 10 * MINUTE });
  });

  it('takes over a lease.json that is not a lease, and respects one written before owners existed', async () => {
    const store = new MemoryStore();
    await store.put('t', 'lease.json', 'not json{');
    expect((await acquireLease(store, 't', { owner: 'a', now: T0, until: T0 + MINUTE })).ok).toBe(true);
    await store.put('u', 'lease.json', JSON.stringify({ messageId: 'm-old', expiresAt: T0 + MINUTE }));
    expect(await acquireLease(store, 'u', { owner: 'b', now: T0, until: T0 + MINUTE })).toEqual({ ok: false, holder: { owner: 'm-old', messageId: 'm-old', expiresAt: T0 + MINUTE } });
  });

  it('lets the same owner claim again while its lease is live', async () => {
    const store = new MemoryStore();
    await claim(store, 'me', T0, T0 + MINUTE);
    expect((await claim(store, 'me', T0 + 1, T0 + 2 * MINUTE)).expiresAt).toBe(T0 + 2 * MINUTE);
  });

  it('gives the task to exactly one of many owners claiming at once', async () => {
    const store = new MemoryStore();
    const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => acquireLease(store, 't', { owner: `o${i}`, now: T0, until: T0 + MINUTE })));
    const won = claims.flatMap((c) => (c.ok ? [c.lease.owner] : []));
    expect(won.length).toBe(1);
    expect(claims.filter((c) => !c.ok)).toEqual(Array.from({ length: 7 }, () => ({ ok: false, holder: { owner: won[0], expiresAt: T0 + MINUTE } })));
  });

  it('tries a takeover again after a conflict nobody won, and gives up as busy when conflicts go on', async () => {
    const store = new ConflictingStore();
    await claim(store, 'old', T0, T0 + MINUTE);
    store.conflicts = 2;
    expect((await acquireLease(store, 't', { owner: 'new', now: T0 + 2 * MINUTE, until: T0 + 3 * MINUTE })).ok).toBe(true);
    store.conflicts = 100;
    expect(await acquireLease(store, 't', { owner: 'newer', now: T0 + 4 * MINUTE, until: T0 + 5 * MINUTE })).toEqual({
      ok: false,
      holder: { owner: 'new', expiresAt: T0 + 3 * MINUTE },
    });
  });
});

describe('releaseLease', () => {
  it('writes the lease expired so that another owner can claim the task at once', async () => {
    const store = new MemoryStore();
    const lease = await claim(store, 'done', T0, T0 + 15 * MINUTE);
    expect(await releaseLease(store, 't', lease)).toBe(true);
    expect(store.json('t', 'lease.json')).toEqual({ owner: 'done', expiresAt: 0, acquiredAt: T0 });
    expect((await acquireLease(store, 't', { owner: 'next', now: T0 + 1, until: T0 + MINUTE })).ok).toBe(true);
  });

  it('does nothing once the lease belongs to someone else', async () => {
    const store = new MemoryStore();
    const old = await claim(store, 'old', T0, T0 + MINUTE);
    await claim(store, 'new', T0 + 2 * MINUTE, T0 + 10 * MINUTE);
    expect(await releaseLease(store, 't', old)).toBe(false);
    expect(store.json('t', 'lease.json')).toEqual({ owner: 'new', expiresAt: T0 + 10 * MINUTE, acquiredAt: T0 + 2 * MINUTE });
  });

  it('rides out conflicts while the lease is still its own, and gives up once they go on', async () => {
    const store = new ConflictingStore();
    const lease = await claim(store, 'me', T0, T0 + MINUTE);
    store.conflicts = 3;
    expect(await releaseLease(store, 't', lease)).toBe(true);
    expect(store.json('t', 'lease.json')).toEqual({ owner: 'me', expiresAt: 0, acquiredAt: T0 });
    const again = await claim(store, 'next', T0 + 1, T0 + MINUTE);
    store.conflicts = 100;
    expect(await releaseLease(store, 't', again)).toBe(false);
    expect(store.json('t', 'lease.json')).toEqual({ owner: 'next', expiresAt: T0 + MINUTE, acquiredAt: T0 + 1 });
  });
});

describe('parseLease', () => {
  it('reads leases, old ones included, and nothing else', () => {
    expect(
      ['{"owner":"a","messageId":"m","expiresAt":5,"acquiredAt":1}', '{"messageId":"m","expiresAt":5}', '{"owner":"a"}', '[]', 'null', 'x'].map(parseLease),
    ).toEqual([
      { owner: 'a', messageId: 'm', expiresAt: 5, acquiredAt: 1 },
      { owner: 'm', messageId: 'm', expiresAt: 5, acquiredAt: 0 },
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
