import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contentEtag, FsArtifactStore, InvalidKeyError, type ArtifactName, type ArtifactStore, type ConditionalStore } from '../../../src/store/index.ts';
import { MemoryStore } from '../../support/memory-store.ts';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

function fsStore(): FsArtifactStore {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cond-store-'));
  roots.push(root);
  return new FsArtifactStore(root);
}

const stores: { name: string; make: () => ArtifactStore & ConditionalStore }[] = [
  { name: 'FsArtifactStore', make: fsStore },
  { name: 'MemoryStore', make: () => new MemoryStore() },
];

const ESCAPING = ['../lease.json', 'checkpoint/../../x/result.json', '/etc/passwd', 'checkpoint/a\\b.json', 'checkpoint/a/b.json', 'checkpoint/.hidden', 'checkpoint/', 'events/00000001.ndjson', 'lease.json/..'];

describe.each(stores)('$name as a ConditionalStore', ({ make }) => {
  it('creates an artifact once; a second create loses and leaves the first', async () => {
    const store = make();
    const etag = await store.putIfAbsent('t', 'lease.json', '{"owner":"a"}');
    expect(await store.putIfAbsent('t', 'lease.json', '{"owner":"b"}')).toBeUndefined();
    expect(await store.getVersioned('t', 'lease.json')).toEqual({ body: '{"owner":"a"}', etag });
    expect(await store.get('t', 'lease.json')).toBe('{"owner":"a"}');
  });

  it('replaces only under the current ETag: a stale one loses, and so does one for a missing artifact', async () => {
    const store = make();
    const v1 = (await store.putIfAbsent('t', 'lease.json', '{"v":1}'))!;
    const v2 = (await store.putIfMatch('t', 'lease.json', '{"v":2}', v1))!;
    expect(v2).not.toBe(v1);
    expect(await store.putIfMatch('t', 'lease.json', '{"v":3}', v1)).toBeUndefined();
    expect(await store.putIfMatch('other', 'lease.json', '{"v":1}', v1)).toBeUndefined();
    expect([await store.getVersioned('t', 'lease.json'), await store.get('other', 'lease.json')]).toEqual([{ body: '{"v":2}', etag: v2 }, undefined]);
  });

  it('gives an unconditional put a new ETag, so a compare-and-swap read before it loses', async () => {
    const store = make();
    const before = (await store.putIfAbsent('t', 'lease.json', '{"v":1}'))!;
    await store.put('t', 'lease.json', '{"v":"plain"}');
    const after = await store.getVersioned('t', 'lease.json');
    expect(after?.etag).not.toBe(before);
    expect(await store.putIfMatch('t', 'lease.json', '{"v":2}', before)).toBeUndefined();
    expect(await store.putIfMatch('t', 'lease.json', '{"v":2}', after!.etag)).toMatch(/^"/);
  });

  it('lets exactly one of many concurrent compare-and-swaps from one ETag win', async () => {
    const store = make();
    const base = (await store.putIfAbsent('t', 'lease.json', '{"v":0}'))!;
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => store.putIfMatch('t', 'lease.json', `{"v":${i + 1}}`, base)));
    const won = results.flatMap((r, i) => (r === undefined ? [] : [i + 1]));
    expect(won.length).toBe(1);
    expect(await store.get('t', 'lease.json')).toBe(`{"v":${won[0]}}`);
  });

  it('stores checkpoint parts, conditionally or not', async () => {
    const store = make();
    const etag = await store.putIfAbsent('t', 'checkpoint/00000003.json', '{"turn":3}');
    await store.put('t', 'checkpoint/ws-00000003.patch', 'diff --git a/x b/x\n');
    expect(await store.getVersioned('t', 'checkpoint/00000003.json')).toEqual({ body: '{"turn":3}', etag });
    expect(await store.get('t', 'checkpoint/ws-00000003.patch')).toBe('diff --git a/x b/x\n');
    expect(await store.putIfAbsent('t', 'checkpoint/00000003.json', '{}')).toBeUndefined();
  });

  it('refuses artifact names that could escape the task, in every operation', async () => {
    const store = make();
    for (const bad of ESCAPING) {
      const name = bad as ArtifactName;
      const calls = [
        () => store.put('t', name, 'x'),
        () => store.get('t', name),
        () => store.getVersioned('t', name),
        () => store.putIfAbsent('t', name, 'x'),
        () => store.putIfMatch('t', name, 'x', '"e"'),
      ];
      for (const call of calls) await expect(call(), bad).rejects.toBeInstanceOf(InvalidKeyError);
    }
  });
});

describe('FsArtifactStore conditional files', () => {
  it('tags versions with the quoted SHA-256 of the content and leaves no temporary or lock files', async () => {
    const store = fsStore();
    const etag = await store.putIfAbsent('t', 'lease.json', 'one');
    await store.putIfMatch('t', 'lease.json', 'two', etag!);
    await store.putIfAbsent('t', 'checkpoint/00000001.json', '{}');
    expect(etag).toBe(`"${'7692c3ad3540bb803c020b3aee66cd8887123234ea0c6e7143c0add73ff431ed'}"`);
    expect((await store.getVersioned('t', 'lease.json'))?.etag).toBe(contentEtag('two'));
    const dir = store.taskDir('t');
    expect([fs.readdirSync(dir).sort(), fs.readdirSync(path.join(dir, 'checkpoint'))]).toEqual([['checkpoint', 'lease.json'], ['00000001.json']]);
    expect(store.artifactPath('t', 'checkpoint/00000001.json')).toBe(path.join(dir, 'checkpoint', '00000001.json'));
  });

  it('loses a compare-and-swap while another writer holds the lock, and wins once it is gone', async () => {
    const store = fsStore();
    const etag = (await store.putIfAbsent('t', 'lease.json', 'one'))!;
    const lock = `${store.artifactPath('t', 'lease.json')}.lock`;
    fs.writeFileSync(lock, `${process.pid}:someone-else`);
    expect(await store.putIfMatch('t', 'lease.json', 'two', etag)).toBeUndefined();
    fs.rmSync(lock);
    expect(await store.putIfMatch('t', 'lease.json', 'two', etag)).toBe(contentEtag('two'));
  });
});
