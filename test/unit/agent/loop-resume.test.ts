import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Checkpointer, runAgentResumable, type AgentDeps, type PausedRun } from '../../../src/agent/index.ts';
import { applyGitDiffToDir, takeSnapshot } from '../../../src/agent/diff/index.ts';
import type { AgentEvent, TaskResult } from '../../../src/task/events.ts';
import type { Task } from '../../../src/task/types.ts';
import { StoreError } from '../../../src/store/index.ts';
import { MemoryStore } from '../../support/memory-store.ts';
import { callTools, say, ScriptProvider, type ScriptTurn, SCRIPT_MODEL } from '../../support/script-provider.ts';
import { testDeps, drain } from '../../support/run-loop.ts';

const MODEL = SCRIPT_MODEL;

const TASK: Task = { taskId: 't1', prompt: 'append lines', limits: {} };
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh copy of the task's source, as every invocation fetches it. */
function freshSource(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'resume-'));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, 'a.txt'), 'start\n');
  return dir;
}

const append = (id: string, line: string): ScriptTurn => callTools([[id, 'shell', { command: `echo ${line} >> a.txt` }]]);

async function drainRun(gen: AsyncGenerator<AgentEvent, TaskResult | PausedRun>) {
  const { events, result } = await drain(gen);
  return { events, end: result };
}

/** One invocation as the worker runs it: fresh source, checkpoint restored, loop with continuation. */
async function invocation(store: MemoryStore, turns: ScriptTurn[], over: Partial<AgentDeps> & { pauseAfter?: number } = {}) {
  const workspace = freshSource();
  const baseline = await takeSnapshot(workspace);
  const checkpointer = new Checkpointer(store, TASK.taskId);
  const resume = await checkpointer.load();
  if (resume?.workspacePatch) await applyGitDiffToDir(workspace, resume.workspacePatch);
  const after = resume ? await store.readEvents(TASK.taskId, resume.head.nextSeq - 1) : [];
  const provider = new ScriptProvider(turns);
  const { pauseAfter, ...rest } = over;
  const deps = testDeps({ provider, model: MODEL, store, workspace, baseline, ...rest });
  deps.continuation = {
    checkpointer,
    ...(resume ? { resume, firstSeq: after.length ? after[after.length - 1].seq + 1 : resume.head.nextSeq } : {}),
    shouldPause: () => pauseAfter !== undefined && provider.requests.length >= pauseAfter,
    pauseOnAbortCode: 'deadline',
    ...rest.continuation,
  };
  const out = await drainRun(runAgentResumable(TASK, deps));
  return { ...out, provider, workspace };
}

function seqs(store: MemoryStore): number[] {
  return store.events(TASK.taskId).map((e) => e.seq);
}

describe('runAgentResumable', () => {
  it('pauses between turns when asked and resumes in another invocation to one coherent result', async () => {
    const store = new MemoryStore();
    const first = await invocation(store, [append('c1', 'one'), append('c2', 'two'), append('never', 'x')], { pauseAfter: 2 });
    expect(first.end).toEqual({ status: 'paused', taskId: 't1', turn: 2, reason: 'continuation', turnsDone: 2 });
    expect(first.events.at(-1)).toMatchObject({ type: 'checkpoint', turn: 2, reason: 'continuation' });
    expect(store.artifacts.has('t1/result.json')).toBe(false);

    const second = await invocation(store, [append('c3', 'three'), say('done')]);
    const result = second.end as TaskResult;
    expect(result).toMatchObject({ status: 'succeeded', turns: 4, usage: { inputTokens: 400, outputTokens: 40 }, diff: { files: 1, additions: 3, deletions: 0 } });
    expect(fs.readFileSync(path.join(second.workspace, 'a.txt'), 'utf8')).toBe('start\none\ntwo\nthree\n');
    // The resumed model sees the whole conversation so far: prompt, then two turns of call and result.
    expect(second.provider.requests[0].messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user']);
    const all = store.events('t1');
    expect(seqs(store)).toEqual(all.map((_, i) => i + 1));
    expect(all.filter((e) => e.type === 'task_started')).toHaveLength(1);
    expect(all.filter((e) => e.type === 'result')).toHaveLength(1);
    expect(all.filter((e) => e.type === 'checkpoint').map((e) => (e as { reason: string }).reason)).toEqual(['continuation', 'resumed']);
    expect(store.json('t1', 'transcript.json').messages).toHaveLength(8);
    expect(store.artifacts.get('t1/diff.patch')).toBe(
      'diff --git a/a.txt b/a.txt\nindex d44e18fb93b7107b5cd1b95d601591d77869a1b6..63c896e7e96d84b9891ed2f17cab6f8e6ca38db9 100644\n--- a/a.txt\n+++ b/a.txt\n@@ -1 +1,4 @@\n start\n+one\n+two\n+three\n',
    );
  });

  it('on a deadline mid-turn pauses at the last checkpoint; the next invocation redoes that turn after the events already written', async () => {
    const store = new MemoryStore();
    const controller = new AbortController();
    const slow: ScriptTurn = () => {
      controller.abort({ code: 'deadline', message: 'the worker function is about to reach its timeout' });
      return callTools([['c2', 'shell', { command: 'echo lost >> a.txt; sleep 5' }]]);
    };
    const first = await invocation(store, [append('c1', 'one'), slow], { signal: controller.signal });
    expect(first.end).toEqual({ status: 'paused', taskId: 't1', turn: 1, reason: 'deadline', turnsDone: 1 });
    expect(first.events.at(-1)).toMatchObject({ type: 'checkpoint', turn: 1, reason: 'deadline' });
    const written = seqs(store).length;

    const second = await invocation(store, [append('c2', 'two'), say('done')]);
    expect(second.end).toMatchObject({ status: 'succeeded', turns: 3 });
    expect(fs.readFileSync(path.join(second.workspace, 'a.txt'), 'utf8')).toBe('start\none\ntwo\n');
    expect(seqs(store)).toEqual(store.events('t1').map((_, i) => i + 1));
    expect(store.events('t1')[written]).toMatchObject({ type: 'checkpoint', turn: 1, reason: 'resumed' });
  });

  it('counts turns and time across invocations', async () => {
    const store = new MemoryStore();
    const limits = { maxTurns: 3, maxCostUsd: 5, timeoutSeconds: 60 };
    await invocation(store, [append('c1', 'one'), append('c2', 'two')], { pauseAfter: 2, limits });
    const second = await invocation(store, [append('c3', 'three'), append('c4', 'four')], { limits });
    expect(second.end).toMatchObject({ status: 'limit_reached', stopReason: 'max_turns', turns: 3 });

    const timed = new MemoryStore();
    await invocation(timed, [append('c1', 'one'), append('c2', 'two')], { pauseAfter: 1, limits });
    const head = timed.json('t1', 'checkpoint.json');
    timed.artifacts.set('t1/checkpoint.json', JSON.stringify({ ...head, elapsedMs: 60_000 }));
    const late = await invocation(timed, [append('c2', 'two')], { limits });
    expect(late.end).toMatchObject({ status: 'limit_reached', stopReason: 'timeout', turns: 1 });
    expect(late.provider.requests).toEqual([]);
    // Ending without a new model call still leaves the whole conversation as the transcript.
    expect(timed.json('t1', 'transcript.json').messages).toHaveLength(3);
  });

  it('does a turn in every invocation, so a run that is asked to pause at once still progresses', async () => {
    const store = new MemoryStore();
    const first = await invocation(store, [append('c1', 'one'), append('c2', 'two')], { pauseAfter: 0 });
    expect(first.end).toEqual({ status: 'paused', taskId: 't1', turn: 1, reason: 'continuation', turnsDone: 1 });
    const second = await invocation(store, [append('c2', 'two'), say('ok')], { pauseAfter: 0 });
    expect(second.end).toEqual({ status: 'paused', taskId: 't1', turn: 2, reason: 'continuation', turnsDone: 1 });
  });

  it('throws a store fault instead of ending the task, so the message is retried from the last checkpoint', async () => {
    const store = new MemoryStore();
    const put = store.put.bind(store);
    store.put = async (taskId, name, body) => {
      if (name === 'checkpoint/00000002.json') throw new StoreError('S3 answered 503 SlowDown', { retryable: true });
      return put(taskId, name, body);
    };
    await expect(invocation(store, [append('c1', 'one'), append('c2', 'two'), say('done')])).rejects.toThrow('S3 answered 503 SlowDown');
    expect([store.artifacts.has('t1/result.json'), store.json('t1', 'checkpoint.json').turn]).toEqual([false, 1]);
  });
});
