import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventOrderError, FsArtifactStore, InvalidKeyError } from '../../../src/store/index.ts';
import { turnEvents } from './events.ts';

let out: string;
let store: FsArtifactStore;

beforeEach(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-store-'));
  store = new FsArtifactStore(out);
});
afterEach(() => fs.rmSync(out, { recursive: true, force: true }));

describe('FsArtifactStore', () => {
  it('writes artifacts to OUT/<taskId>/<name> and reads them back', async () => {
    await store.put('t1', 'task.json', '{"a":1}');
    await store.put('t1', 'diff.patch', '');
    expect(fs.readFileSync(path.join(out, 't1', 'task.json'), 'utf8')).toBe('{"a":1}');
    expect([await store.get('t1', 'task.json'), await store.get('t1', 'diff.patch'), await store.get('t1', 'result.json')]).toEqual([
      '{"a":1}',
      '',
      undefined,
    ]);
    expect(fs.readdirSync(path.join(out, 't1')).sort()).toEqual(['diff.patch', 'task.json']);
  });

  it('appends events to events.ndjson, one JSON object a line, and reads after a seq', async () => {
    await store.appendEvents('t1', turnEvents('t1', 1, 3));
    await store.appendEvents('t1', turnEvents('t1', 4, 5));
    const lines = fs.readFileSync(path.join(out, 't1', 'events.ndjson'), 'utf8').split('\n');
    expect(lines.length).toBe(6);
    expect(lines[5]).toBe('');
    expect(lines.slice(0, 5).map((l) => JSON.parse(l).seq)).toEqual([1, 2, 3, 4, 5]);
    expect(await store.readEvents('t1')).toEqual(turnEvents('t1', 1, 5));
    expect(await store.readEvents('t1', 3)).toEqual(turnEvents('t1', 4, 5));
    expect(await store.readEvents('t1', 5)).toEqual([]);
    expect(await store.readEvents('unknown')).toEqual([]);
  });

  it('ignores a half-written last line', async () => {
    await store.appendEvents('t1', turnEvents('t1', 1, 2));
    fs.appendFileSync(path.join(out, 't1', 'events.ndjson'), '{"seq":3,"ti');
    expect(await store.readEvents('t1')).toEqual(turnEvents('t1', 1, 2));
  });

  it('refuses task ids that could leave the folder', async () => {
    for (const id of ['..', '../x', 'a/b', '', '.hidden']) {
      await expect(store.put(id, 'task.json', '{}')).rejects.toBeInstanceOf(InvalidKeyError);
    }
  });

  it('refuses events that are not consecutive or belong to another task', async () => {
    const [e1, , e3] = turnEvents('t1', 1, 3);
    await expect(store.appendEvents('t1', [e1, e3])).rejects.toBeInstanceOf(EventOrderError);
    await expect(store.appendEvents('t2', [e1])).rejects.toBeInstanceOf(EventOrderError);
    await expect(store.appendEvents('t1', [])).rejects.toBeInstanceOf(EventOrderError);
  });

  it('clears events before a re-run', async () => {
    await store.appendEvents('t1', turnEvents('t1', 1, 2));
    await store.clearEvents('t1');
    expect(await store.readEvents('t1')).toEqual([]);
  });
});
