import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FsArtifactStore, S3ArtifactStore, type ConditionalStore } from '../../src/store/index.ts';
import { acquireLease, parseLease, releaseLease, type LeaseClaim } from '../../src/worker/index.ts';
import { startLocalAws, type LocalAws } from '../support/fauxqs.ts';
import { s3ClientFor, startS3Proxy, type S3Proxy } from '../support/s3-proxy.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BUCKET = 'leases';
const ROUNDS = 50;
const T0 = Date.parse('2026-03-01T12:00:00Z');
const MINUTE = 60_000;

let aws: LocalAws;
let proxy: S3Proxy;
let clients: S3Client[] = [];
let outDir: string;

beforeAll(async () => {
  aws = await startLocalAws({ buckets: [BUCKET] });
  proxy = await startS3Proxy(aws.endpoint);
  clients = [s3ClientFor(proxy.url), s3ClientFor(proxy.url)];
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lease-race-'));
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await proxy?.close();
  await aws?.stop();
  fs.rmSync(outDir, { recursive: true, force: true });
});

beforeEach(() => proxy.reset());

/** What the proxy answered to the creates of the new-<n> leases: per key, the statuses. */
function createStatuses(): number[][] {
  const byKey = new Map<string, number[]>();
  for (const r of proxy.requests) {
    if (r.method === 'PUT' && /^tasks\/new-\d+\/lease\.json$/.test(r.key)) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r.status]);
  }
  return [...byKey.values()].map((statuses) => statuses.sort());
}

/** Two workers: separate store instances (and, for S3, separate clients and connections). */
const backends: { name: string; workers: () => [ConditionalStore, ConditionalStore]; creates?: () => number[][] }[] = [
  {
    name: 'S3 through the enforcing proxy',
    workers: () => [new S3ArtifactStore({ client: clients[0], bucket: BUCKET }), new S3ArtifactStore({ client: clients[1], bucket: BUCKET })],
    // Both raced on the wire: one create won, the other got S3's 412.
    creates: createStatuses,
  },
  { name: 'the file system', workers: () => [new FsArtifactStore(outDir), new FsArtifactStore(outDir)] },
];

function winners(claims: LeaseClaim[]): string[] {
  return claims.flatMap((c) => (c.ok ? [c.lease.owner] : []));
}

async function leaseOwner(store: ConditionalStore, taskId: string): Promise<string | undefined> {
  const v = await store.getVersioned(taskId, 'lease.json');
  return v && parseLease(v.body)?.owner;
}

describe.each(backends)('two workers racing for a task on $name', ({ workers, creates }) => {
  it(`lets exactly one of them claim a new task, in each of ${ROUNDS} rounds`, async () => {
    const [a, b] = workers();
    for (let round = 0; round < ROUNDS; round++) {
      const taskId = `new-${round}`;
      const claims = await Promise.all([
        acquireLease(a, taskId, { owner: `a-${round}`, now: T0, until: T0 + 15 * MINUTE }),
        acquireLease(b, taskId, { owner: `b-${round}`, now: T0, until: T0 + 15 * MINUTE }),
      ]);
      const won = winners(claims);
      expect(won.length, `round ${round}`).toBe(1);
      const loser = claims.find((c) => !c.ok);
      expect(loser).toEqual({ ok: false, holder: { owner: won[0], expiresAt: T0 + 15 * MINUTE } });
      expect(await leaseOwner(a, taskId)).toBe(won[0]);
    }
    if (creates) expect(creates()).toEqual(Array.from({ length: ROUNDS }, () => [200, 412]));
  });

  it('lets exactly one of them take over an expired lease, in each round', async () => {
    const [a, b] = workers();
    for (let round = 0; round < ROUNDS / 2; round++) {
      const taskId = `expired-${round}`;
      const first = await acquireLease(a, taskId, { owner: `dead-${round}`, now: T0, until: T0 + MINUTE });
      expect(first.ok).toBe(true);
      const later = T0 + 2 * MINUTE;
      const claims = await Promise.all([
        acquireLease(a, taskId, { owner: `a-${round}`, now: later, until: later + 15 * MINUTE }),
        acquireLease(b, taskId, { owner: `b-${round}`, now: later, until: later + 15 * MINUTE }),
      ]);
      const won = winners(claims);
      expect(won.length, `round ${round}`).toBe(1);
      expect(await leaseOwner(b, taskId)).toBe(won[0]);
    }
  });

  it('makes the old holder\'s release a no-op once its expired lease was taken over', async () => {
    const [a, b] = workers();
    const old = await acquireLease(a, 'taken', { owner: 'a', now: T0, until: T0 + MINUTE });
    if (!old.ok) throw new Error('the first claim must succeed');
    const takeover = await acquireLease(b, 'taken', { owner: 'b', now: T0 + 3 * MINUTE, until: T0 + 20 * MINUTE });
    expect(takeover.ok).toBe(true);
    expect(await releaseLease(a, 'taken', old.lease)).toBe(false);
    expect(await leaseOwner(a, 'taken')).toBe('b');
  });
});

// A worker process: waits for the start file, then claims every task in turn and prints the ids it won.
const RACER = `const { FsArtifactStore } = await import(${JSON.stringify(path.join(ROOT, 'src/store/index.ts'))});
const { acquireLease } = await import(${JSON.stringify(path.join(ROOT, 'src/worker/lease.ts'))});
const fs = await import('node:fs');
const [out, start, owner, count, now] = process.argv.slice(1);
const store = new FsArtifactStore(out);
process.stdout.write('ready\\n');
while (!fs.existsSync(start)) await new Promise((r) => setTimeout(r, 1));
const won = [];
for (let i = 0; i < Number(count); i++) {
  const claim = await acquireLease(store, 'proc-' + i, { owner, now: Number(now), until: Number(now) + 60000 });
  if (claim.ok) won.push(i);
}
process.stdout.write(JSON.stringify(won) + '\\n');`;

function racer(args: string[]): { ready: Promise<void>; done: Promise<number[]> } {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', RACER, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let readyFn: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (readyFn = resolve));
  child.stdout.on('data', (c) => {
    stdout += c;
    if (stdout.startsWith('ready\n')) readyFn();
  });
  child.stderr.on('data', (c) => (stderr += c));
  const done = new Promise<number[]>((resolve, reject) =>
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout.split('\n')[1])) : reject(new Error(`racer exited ${code}: ${stderr}`)))),
  );
  return { ready, done };
}

describe('two processes racing on the file system', () => {
  it('never both claim a task, whether they create the lease or take over an expired one', async () => {
    const out = fs.mkdtempSync(path.join(outDir, 'procs-'));
    const count = 120;
    // Every other task starts with an expired lease, so both paths (create, compare-and-swap) race.
    const seed = new FsArtifactStore(out);
    for (let i = 0; i < count; i += 2) await acquireLease(seed, `proc-${i}`, { owner: 'gone', now: T0 - 2 * MINUTE, until: T0 - MINUTE });
    const start = path.join(out, 'start');
    const racers = [racer([out, start, 'p1', String(count), String(T0)]), racer([out, start, 'p2', String(count), String(T0)])];
    await Promise.all(racers.map((r) => r.ready));
    fs.writeFileSync(start, '');
    const [p1, p2] = await Promise.all(racers.map((r) => r.done));
    expect(p1.filter((i) => p2.includes(i))).toEqual([]);
    expect([...p1, ...p2].sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i));
    const owners = await Promise.all(Array.from({ length: count }, (_, i) => leaseOwner(seed, `proc-${i}`)));
    expect(owners).toEqual(Array.from({ length: count }, (_, i) => (p1.includes(i) ? 'p1' : 'p2')));
    expect(fs.readdirSync(path.join(out, 'proc-0'))).toEqual(['lease.json']);
  }, 20_000);
});
