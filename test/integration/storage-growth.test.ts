/**
 * The guard behind the storage benchmark (bench/storage.ts): what a task sends to its artifact
 * store per turn must not grow with the transcript. A 120-turn task of identical small tool
 * turns runs through the loop as `agent-runner run` does and through the worker (checkpoints on),
 * with every store call counted and attributed to its turn; turns 6-15 and 106-115 are compared.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../src/task/events.ts';
import { FsArtifactStore } from '../../src/store/index.ts';
import type { ArtifactStore } from '../../src/store/types.ts';
import { processBatch } from '../../src/worker/index.ts';
import { CountingStore, type StoreUsage } from '../support/counting-store.ts';
import { MemoryStore } from '../support/memory-store.ts';
import { drainAgent, testDeps } from '../support/run-loop.ts';
import { ScriptProvider, callTools, say, type ScriptTurn } from '../support/script-provider.ts';
import { MODEL, TIMING, harness, sqsEvent, sqsRecord, type Harness } from '../unit/worker/helpers.ts';

const TOOL_TURNS = 120;
const EARLY: [number, number] = [6, 15];
const LATE: [number, number] = [106, 115];

let ws: string;
let h: Harness | undefined;
beforeEach(() => {
  ws = fs.mkdtempSync(path.join(os.tmpdir(), 'storage-growth-'));
});
afterEach(() => {
  h?.cleanup();
  h = undefined;
  fs.rmSync(ws, { recursive: true, force: true });
});

/** Turn 1 writes notes.txt; every later turn reads it or lists the files, alternately; then an answer. */
function script(): ScriptTurn[] {
  const turns: ScriptTurn[] = [callTools([['c1', 'write_file', { path: 'notes.txt', content: 'one\ntwo\nthree\n' }]])];
  for (let i = 2; i <= TOOL_TURNS; i++) {
    turns.push(i % 2 === 0 ? callTools([[`c${i}`, 'read_file', { path: 'notes.txt' }]], 'Reading.') : callTools([[`c${i}`, 'list_files', {}]], 'Listing.'));
  }
  turns.push(say('Done.'));
  return turns;
}

/** Store usage of the two windows, per turn (calls of each kind, bytes). */
function windows(store: CountingStore): { early: StoreUsage; late: StoreUsage } {
  return { early: store.usage(...EARLY), late: store.usage(...LATE) };
}

function expectFlat({ early, late }: { early: StoreUsage; late: StoreUsage }): void {
  expect(Object.keys(early.calls).length).toBeGreaterThan(0);
  expect(late.calls).toEqual(early.calls);
  expect(late.bytes / early.bytes).toBeLessThanOrEqual(1.5);
}

async function runLoop(store: ArtifactStore): Promise<AgentEvent[]> {
  const deps = testDeps({ provider: new ScriptProvider(script()), model: MODEL, store, workspace: ws, limits: { maxTurns: TOOL_TURNS + 1, maxCostUsd: 1000, timeoutSeconds: 600 } });
  const { events, result } = await drainAgent({ taskId: 'grow-1', prompt: 'Read the notes again and again.', limits: {} }, deps);
  expect([result.status, result.turns]).toEqual(['succeeded', TOOL_TURNS + 1]);
  return events;
}

describe('storage per turn does not grow with the transcript', () => {
  it('the loop sends the same store calls at turns 106-115 as at 6-15, and at most 1.5x the bytes', async () => {
    const store = new CountingStore(new MemoryStore());
    await runLoop(store);
    expectFlat(windows(store));
  });

  it('the worker, checkpointing every turn, sends the same store calls at turns 106-115 as at 6-15, and at most 1.5x the bytes', async () => {
    const store = new CountingStore(new FsArtifactStore(path.join(ws, 'out')));
    // A continuation sink makes the worker checkpoint every turn, as it does when deployed.
    h = harness(store, script(), { continueTask: async () => undefined });
    const body = { taskId: 'grow-w', prompt: 'Read the notes again and again.', limits: { maxTurns: TOOL_TURNS + 1, maxCostUsd: 1000 } };
    const report = await processBatch(sqsEvent(sqsRecord(JSON.stringify(body), 'm-grow')), h.deps, TIMING);
    expect(report.outcomes.map((o) => [o.outcome, o.result?.turns])).toEqual([['succeeded', TOOL_TURNS + 1]]);
    const w = windows(store);
    expect(Object.keys(w.early.calls).some((k) => k.startsWith('put checkpoint'))).toBe(true);
    expectFlat(w);
  });

  it('notices a store writer whose bytes grow with the transcript', async () => {
    const counting = new CountingStore(new MemoryStore());
    const all: AgentEvent[] = [];
    // Rewrites everything so far on every flush: the pattern the guard exists to catch.
    const rewriting: ArtifactStore = {
      put: (taskId, name, body) => counting.put(taskId, name, body),
      get: (taskId, name) => counting.get(taskId, name),
      readEvents: (taskId, after) => counting.readEvents(taskId, after),
      appendEvents: async (taskId, events) => {
        all.push(...events);
        await counting.appendEvents(taskId, events);
        await counting.put(taskId, 'transcript.json', JSON.stringify(all));
      },
    };
    await runLoop(rewriting);
    const { early, late } = windows(counting);
    expect(late.calls).toEqual(early.calls);
    expect(late.bytes / early.bytes).toBeGreaterThan(1.5);
  });
});
