import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Checkpointer, runAgent, runAgentResumable, type AgentDeps, type Prepared } from '../../../src/agent/index.ts';
import { applyGitDiffToDir, takeSnapshot } from '../../../src/agent/diff/index.ts';
import type { EventBody } from '../../../src/task/index.ts';
import type { ToolContext } from '../../../src/agent/tools/types.ts';
import { MemoryStore } from '../../support/memory-store.ts';
import { ScriptProvider, callTools, say, SCRIPT_MODEL } from '../../support/script-provider.ts';
import { drain as drainGenerator, testDeps } from '../../support/run-loop.ts';

let ws: string;
beforeEach(() => {
  ws = fs.mkdtempSync(path.join(os.tmpdir(), 'loop-prepare-'));
  fs.writeFileSync(path.join(ws, 'a.txt'), 'alpha\n');
});
afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

async function drain(provider: ScriptProvider, prepare: AgentDeps['prepare']) {
  const store = new MemoryStore();
  const gen = runAgent({ taskId: 't1', prompt: 'do it', limits: {} }, testDeps({ provider, model: SCRIPT_MODEL, store, workspace: ws, toolEnv: { PATH: '/usr/bin:/bin' }, prepare }));
  return { ...(await drainGenerator(gen)), store };
}

describe('runAgent with a preparation step', () => {
  it('emits its events after task_started and before the first turn, and gives the model its environment', async () => {
    let seenRoot = '';
    const prepare = async function* (ctx: ToolContext): AsyncGenerator<EventBody, Prepared> {
      seenRoot = ctx.root;
      yield { type: 'setup_started', step: 'repository', command: 'sh .agent-runner/setup.sh' };
      yield { type: 'setup_finished', step: 'repository', status: 'succeeded', exitCode: 0, durationMs: 12, output: 'ok\n', truncated: false };
      return { environment: 'Programs found on the PATH of your shell: python3.' };
    };
    const provider = new ScriptProvider([callTools([['tu1', 'read_file', { path: 'a.txt' }]]), say('Done.')]);
    const { events, result } = await drain(provider, prepare);
    expect(events.map((e) => e.type)).toEqual(['task_started', 'setup_started', 'setup_finished', 'turn_started', 'usage', 'tool_call', 'tool_result', 'turn_started', 'assistant_text', 'usage', 'result']);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(seenRoot).toBe(fs.realpathSync(ws));
    expect(provider.requests[0].system).toContain('# Environment\nPrograms found on the PATH of your shell: python3.\n');
    expect(result.status).toBe('succeeded');
  });

  it('ends the task failed with its error, without asking the model, when it fails', async () => {
    const prepare = async function* (): AsyncGenerator<EventBody, Prepared> {
      yield { type: 'setup_started', step: 'repository', command: 'sh .agent-runner/setup.sh' };
      yield { type: 'setup_finished', step: 'repository', status: 'failed', exitCode: 1, durationMs: 3, output: 'boom\n', truncated: false };
      return { error: { code: 'setup_failed', message: '.agent-runner/setup.sh failed (exit code 1); the end of its output:\nboom\n' } };
    };
    const provider = new ScriptProvider([say('never')]);
    const { events, result, store } = await drain(provider, prepare);
    expect(provider.requests).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(['task_started', 'setup_started', 'setup_finished', 'result']);
    expect(result).toEqual({
      taskId: 't1',
      status: 'failed',
      stopReason: 'setup_failed',
      turns: 0,
      model: SCRIPT_MODEL.id,
      usage: { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 },
      costUsd: 0,
      diff: { files: 0, additions: 0, deletions: 0 },
      error: { code: 'setup_failed', message: '.agent-runner/setup.sh failed (exit code 1); the end of its output:\nboom\n' },
    });
    expect(JSON.parse((await store.get('t1', 'result.json'))!)).toEqual(result);
  });
});

describe('a continued task and its setup', () => {
  it('runs the setup again in the next invocation, after the checkpoint\'s change is re-applied', async () => {
    const store = new MemoryStore();
    const task = { taskId: 't2', prompt: 'go on', limits: {} };
    const runs: string[] = [];
    // The setup sees the workspace as the turn will: in the second invocation, with the first's change.
    const prepare = (label: string) =>
      async function* (ctx: ToolContext): AsyncGenerator<EventBody, Prepared> {
        runs.push(`${label}: ${fs.readFileSync(path.join(ctx.root, 'a.txt'), 'utf8').trim().split('\n').join(',')}`);
        yield { type: 'setup_started', step: 'repository', command: 'sh .agent-runner/setup.sh' };
        yield { type: 'setup_finished', step: 'repository', status: 'succeeded', exitCode: 0, durationMs: 1, output: '', truncated: false };
        return {};
      };
    const invocation = async (turns: ReturnType<typeof callTools>[], label: string, pauseAfter?: number) => {
      const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'loop-prepare-resume-'));
      fs.writeFileSync(path.join(workspace, 'a.txt'), 'alpha\n');
      const baseline = await takeSnapshot(workspace);
      const checkpointer = new Checkpointer(store, task.taskId);
      const resume = await checkpointer.load();
      if (resume?.workspacePatch) await applyGitDiffToDir(workspace, resume.workspacePatch);
      const provider = new ScriptProvider(turns);
      let t = Date.parse('2026-01-01T00:00:00Z');
      const gen = runAgentResumable(task, {
        provider,
        model: SCRIPT_MODEL,
        store,
        workspace,
        baseline,
        toolEnv: { PATH: '/usr/bin:/bin' },
        clock: () => (t += 5),
        signal: new AbortController().signal,
        limits: { maxTurns: 10, maxCostUsd: 5, timeoutSeconds: 60 },
        prepare: prepare(label),
        continuation: { checkpointer, ...(resume ? { resume, firstSeq: resume.head.nextSeq } : {}), shouldPause: () => pauseAfter !== undefined && provider.requests.length >= pauseAfter },
      });
      for (let n = await gen.next(); !n.done; n = await gen.next());
      fs.rmSync(workspace, { recursive: true, force: true });
    };
    await invocation([callTools([['c1', 'shell', { command: 'echo beta >> a.txt' }]]), say('never')], 'first', 1);
    await invocation([say('Done.')], 'second');
    expect(runs).toEqual(['first: alpha', 'second: alpha,beta']);
    expect(store.events('t2').map((e) => (e.type === 'checkpoint' ? `checkpoint:${e.reason}` : e.type))).toEqual([
      'task_started',
      'setup_started',
      'setup_finished',
      'turn_started',
      'usage',
      'tool_call',
      'tool_result',
      'checkpoint:continuation',
      'checkpoint:resumed',
      'setup_started',
      'setup_finished',
      'turn_started',
      'assistant_text',
      'usage',
      'result',
    ]);
    expect(JSON.parse((await store.get('t2', 'result.json'))!)).toMatchObject({ status: 'succeeded', turns: 2 });
  });
});
