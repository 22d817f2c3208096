import { describe, expect, it } from 'vitest';
import { Checkpointer, ResumeError, snapshotDigest } from '../../../src/agent/index.ts';
import { makeSnapshot } from '../../../src/agent/diff/index.ts';
import type { Message } from '../../../src/providers/types.ts';
import { MemoryStore } from '../../support/memory-store.ts';

const ZERO = { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 };
const head = (turn: number) => ({ turn, usage: ZERO, costUsd: 0, elapsedMs: turn * 1000, nextSeq: turn * 5 + 2, failovers: [], baselineDigest: 'd', invocations: 1, savedAt: '2026-01-01T00:00:00.000Z' });
const turnMessages = (n: number): Message[] => [
  { role: 'assistant', content: [{ type: 'tool_use', id: `c${n}`, name: 'shell', input: { command: `echo ${n}` } }] },
  { role: 'user', content: [{ type: 'tool_result', toolUseId: `c${n}`, status: 'success', content: `${n}` }] },
];

describe('Checkpointer', () => {
  it('writes one journal part per turn, the workspace patch only when it changed, and the head last', async () => {
    const store = new MemoryStore();
    const cp = new Checkpointer(store, 't');
    await cp.save(head(0), [], '');
    await cp.save(head(1), turnMessages(1), 'patch-1');
    await cp.save(head(2), turnMessages(2), 'patch-1');
    await cp.save(head(3), turnMessages(3), 'patch-3');
    expect(store.writes).toEqual([
      't/checkpoint.json',
      't/checkpoint/00000001.json',
      't/checkpoint/ws-00000001.patch',
      't/checkpoint.json',
      't/checkpoint/00000002.json',
      't/checkpoint.json',
      't/checkpoint/00000003.json',
      't/checkpoint/ws-00000003.patch',
      't/checkpoint.json',
    ]);
    const loaded = await new Checkpointer(store, 't').load();
    expect(loaded).toEqual({
      head: { version: 1, ...head(3), workspaceTurn: 3, continuations: 0, stalls: 0 },
      messages: [...turnMessages(1), ...turnMessages(2), ...turnMessages(3)],
      workspacePatch: 'patch-3',
    });
  });

  it('keeps the size of each save independent of the number of turns before it', async () => {
    const store = new MemoryStore();
    const cp = new Checkpointer(store, 't');
    const sizes: number[] = [];
    for (let turn = 1; turn <= 50; turn++) {
      const before = [...store.artifacts.values()].reduce((n, v) => n + v.length, 0);
      const headBefore = store.artifacts.get('t/checkpoint.json')?.length ?? 0;
      await cp.save(head(turn), turnMessages(turn), 'same patch');
      const after = [...store.artifacts.values()].reduce((n, v) => n + v.length, 0);
      sizes.push(after - before + headBefore);
    }
    // Only digits of turn numbers grow; the journal part and head do not carry earlier turns.
    expect(Math.max(...sizes.slice(10)) - Math.min(...sizes.slice(10))).toBeLessThan(10);
  });

  it('undoes a saved patch when the workspace is back to its start', async () => {
    const store = new MemoryStore();
    const cp = new Checkpointer(store, 't');
    await cp.save(head(1), turnMessages(1), 'patch-1');
    await cp.save(head(2), turnMessages(2), '');
    expect(await new Checkpointer(store, 't').load()).toMatchObject({ head: { turn: 2, workspaceTurn: 0 }, workspacePatch: '' });
  });

  it('refuses to restore a checkpoint whose parts are missing', async () => {
    const store = new MemoryStore();
    const cp = new Checkpointer(store, 't');
    await cp.save(head(1), turnMessages(1), '');
    await cp.save(head(2), turnMessages(2), '');
    store.artifacts.delete('t/checkpoint/00000001.json');
    await expect(new Checkpointer(store, 't').load()).rejects.toThrow(new ResumeError('checkpoint part for turn 1 of task t is missing'));
    expect(await new Checkpointer(store, 'other').load()).toBeUndefined();
  });

  it('digests snapshots by content and mode, not by the order files were read in', () => {
    const a = makeSnapshot({ 'x.txt': 'x', 'y.txt': 'y' });
    const b = makeSnapshot({ 'y.txt': 'y', 'x.txt': 'x' });
    const c = makeSnapshot({ 'x.txt': 'x', 'y.txt': 'Y' });
    expect([snapshotDigest(a) === snapshotDigest(b), snapshotDigest(a) === snapshotDigest(c)]).toEqual([true, false]);
  });
});
