/**
 * The agent loop: set up a run, take turns (model call, then its tool calls) while the gate
 * allows, and end it with its artifacts and `result` event. Its state is a RunState; a turn's
 * model call and tools are in turn.ts; the artifacts in finish.ts.
 */
import fs from 'node:fs/promises';
import type { ModelInfo, ModelRequest } from '../providers/types.ts';
import { StoreError } from '../store/errors.ts';
import type { AgentEvent, EventBody, TaskResult } from '../task/events.ts';
import type { Task } from '../task/types.ts';
import { timeoutSignal } from '../time/index.ts';
import type { AgentDeps, PausedRun, Prepared } from './deps.ts';
import { takeSnapshot, type Snapshot } from './diff/index.ts';
import { fitContext } from './context.ts';
import { NO_ANSWER, writeRunArtifacts } from './finish.ts';
import { failureInfo, limitReached, timeLimitReached, turnLimitStop } from './limits.ts';
import { buildSystemPrompt, readRepoInstructions } from './prompt.ts';
import type { EventLog } from './event-log.ts';
import { RunState } from './run-state.ts';
import { toolCallsOf } from './tool-runner.ts';
import { withSessionTools, type ToolSession } from './tool-source.ts';
import { createToolRegistry } from './tools/index.ts';
import type { ToolContext } from './tools/types.ts';
import { runToolCalls, streamModelTurn, type TurnTotals } from './turn.ts';

export const TOOL_OUTPUT_MAX_BYTES = 32 * 1024;
const CONTEXT_BUDGET = 0.8;

/** What a run works with once set up. */
interface RunSetup {
  /** The outside signal and the time limit: tools and model calls stop on either. */
  signal: AbortSignal;
  timeLimit: AbortSignal;
  baseline: Snapshot;
  root: string;
  toolCtx: ToolContext;
  tools: ReturnType<typeof withSessionTools>;
  toolSpecs: ModelRequest['tools'];
  /** The system prompt (with the Environment section once the preparation found it). */
  system: string;
  /** The system prompt with an Environment section. */
  systemWith(environment: string): string;
}

/**
 * Runs one task: an async generator of the task's events (contract section 6), returning the
 * result. It writes `task.json` first, events as they happen (a segment per flush), then
 * `transcript.json`, `diff.patch` and `result.json`. Model and tool faults end the run with a
 * result, never with a throw; only store (host) faults throw.
 */
export async function* runAgent(task: Task, deps: AgentDeps): AsyncGenerator<AgentEvent, TaskResult> {
  const end = yield* runAgentResumable(task, { ...deps, continuation: undefined });
  // Without a continuation nothing can pause.
  return end as TaskResult;
}

/**
 * runAgent with checkpoints (`deps.continuation`): after every turn the state is saved; the run
 * may end paused (nothing more written but a `checkpoint` event) for the caller to continue in
 * another invocation, which passes the loaded checkpoint as `resume`. Turns, tokens, cost and
 * time are counted across invocations.
 */
export async function* runAgentResumable(task: Task, deps: AgentDeps): AsyncGenerator<AgentEvent, TaskResult | PausedRun> {
  const sessions: ToolSession[] = [];
  try {
    return yield* runLoop(task, deps, sessions);
  } finally {
    // Whatever ended the run (a result, a pause, a throw, the consumer stopping): the servers go.
    await Promise.all(sessions.map((s) => s.close()));
  }
}

async function* runLoop(task: Task, deps: AgentDeps, sessions: ToolSession[]): AsyncGenerator<AgentEvent, TaskResult | PausedRun> {
  const run = new RunState(task, deps);
  const accepted: Task = { ...task, model: task.model ?? deps.model.id, limits: { ...deps.limits } };
  if (!run.resume) await deps.store.put(task.taskId, 'task.json', JSON.stringify(accepted, null, 2));
  run.start();
  const timeLimit = timeoutSignal(Math.max(1, deps.limits.timeoutSeconds * 1000 - (run.resume?.elapsedMs ?? 0)), deps.timers);
  try {
    const setup = yield* openRun(task, deps, run, sessions, timeLimit.signal);
    try {
      // A run that dies before its first turn ends still leaves a checkpoint to go on from.
      if (deps.continuation && !run.resume) await run.saveCheckpoint([]);
      const prepared: Prepared = deps.prepare ? yield* prepareRun(deps.prepare(setup.toolCtx), run.log) : {};
      if (prepared.error) {
        // A failed setup takes no turn.
        run.stopFor('failed', 'setup_failed', prepared.error);
      } else {
        if (prepared.environment) setup.system = setup.systemWith(prepared.environment);
        for (;;) {
          const gate = yield* nextTurnGate(deps, run, setup);
          if (gate === 'stop') break;
          if (gate !== 'go') return gate;
          if ((yield* playTurn(deps, run, setup)) === 'stop') break;
        }
      }
    } catch (err) {
      const paused = yield* endOnThrow(err, deps, run, setup);
      if (paused) return paused;
    }
    return yield* finishRun(deps, run, setup);
  } finally {
    timeLimit.clear();
  }
}

/** After a failover the run goes on at another model: its window, its id, its prices. */
function activeModel(deps: AgentDeps): ModelInfo {
  return deps.provider.activeModel?.() ?? deps.model;
}

/** Baseline, tools, MCP sessions and system prompt; the run's first events (started or resumed, server notices). */
async function* openRun(task: Task, deps: AgentDeps, run: RunState, sessions: ToolSession[], timeLimit: AbortSignal): AsyncGenerator<AgentEvent, RunSetup> {
  const signal = AbortSignal.any([deps.signal, timeLimit]);
  const baseline = deps.baseline ?? (await takeSnapshot(deps.workspace));
  const root = await fs.realpath(deps.workspace);
  const toolCtx: ToolContext = {
    root,
    signal,
    clock: deps.clock,
    env: deps.toolEnv,
    shellTimeoutMs: deps.shellTimeoutMs ?? 120_000,
    maxShellTimeoutMs: Math.max(deps.shellTimeoutMs ?? 120_000, 600_000),
    maxOutputBytes: TOOL_OUTPUT_MAX_BYTES,
    ...(deps.wrapCommand ? { wrapCommand: deps.wrapCommand } : {}),
  };

  if (run.resume) yield run.log.emit({ type: 'checkpoint', turn: run.resume.turn, reason: 'resumed' });
  else yield run.log.emit({ type: 'task_started', prompt: task.prompt, model: deps.model.id, limits: { ...deps.limits } });
  const session = deps.extraTools ? await deps.extraTools.open({ root, env: deps.toolEnv, signal, clock: deps.clock, ...(deps.wrapCommand ? { wrapCommand: deps.wrapCommand } : {}) }) : undefined;
  if (session) sessions.push(session);
  for (const notice of session?.notices ?? []) yield run.log.emit(notice);
  const tools = withSessionTools(deps.tools ?? createToolRegistry(), session);
  const toolSpecs = tools.specs();
  const instructions = await readRepoInstructions(root);
  const systemWith = (environment?: string) => buildSystemPrompt({ toolNames: toolSpecs.map((t) => t.name), limits: deps.limits, instructions, ...(environment ? { environment } : {}) });
  run.setBaseline(baseline);
  return { signal, timeLimit, baseline, root, toolCtx, tools, toolSpecs, system: systemWith(), systemWith };
}

/**
 * Whether the run takes another turn: `stop` at its time or turn limit, when cancelled or when
 * it may not pause; a PausedRun when the continuation asks to pause here; else `go`.
 */
async function* nextTurnGate(deps: AgentDeps, run: RunState, setup: RunSetup): AsyncGenerator<AgentEvent, 'go' | 'stop' | PausedRun> {
  const { limits } = deps;
  const cont = deps.continuation;
  if (setup.signal.aborted) throw setup.signal.reason;
  const overTime = timeLimitReached(limits, run.elapsedMs());
  if (overTime) {
    run.stopAt(overTime);
    return 'stop';
  }
  if (run.turnsHere > 0 && run.turns < limits.maxTurns && cont?.shouldPause?.({ ...run.pace })) {
    const refused = cont.pauseRefusal?.(run.turnsDone(false));
    if (refused) {
      run.stopFor(refused.status, refused.stopReason, refused.error);
      return 'stop';
    }
    yield run.log.emit({ type: 'checkpoint', turn: run.turns, reason: 'continuation' });
    return await run.paused(run.turns, 'continuation');
  }
  if (run.turns >= limits.maxTurns) {
    run.stopAt(turnLimitStop(limits));
    return 'stop';
  }
  const cancelled = await deps.cancelled?.();
  if (cancelled !== undefined) {
    run.stopFor('failed', 'cancelled', { code: 'cancelled', message: cancelled });
    return 'stop';
  }
  return 'go';
}

/**
 * One turn: fit the transcript to the context window, call the model, run the tools it asked
 * for, checkpoint. `stop` when the run ends with this turn (no tool calls, a limit reached, a
 * transcript that cannot be trimmed further).
 */
async function* playTurn(deps: AgentDeps, run: RunState, setup: RunSetup): AsyncGenerator<AgentEvent, 'next' | 'stop'> {
  const { log } = run;
  const fit = fitContext(setup.system, run.messages, setup.toolSpecs, Math.floor(activeModel(deps).contextWindow * CONTEXT_BUDGET), run.forceTrim);
  if (run.forceTrim && fit.steps.length === 0) {
    run.stopFor('failed', 'context_window_exceeded', { code: 'context_window_exceeded', message: 'the transcript does not fit the model\'s context window and cannot be trimmed further' });
    return 'stop';
  }
  run.forceTrim = false;
  for (const step of fit.steps) yield log.emit({ type: 'context_trimmed', turn: run.turns + 1, ...step });
  run.messages = fit.messages;

  run.turns++;
  run.turnsHere++;
  const turnStarted = deps.clock();
  yield log.emit({ type: 'turn_started', turn: run.turns });
  await log.flush();
  const request: ModelRequest = { model: activeModel(deps).id, system: setup.system, messages: [...run.messages], tools: setup.toolSpecs, reasoningEffort: deps.reasoningEffort, signal: setup.signal };
  run.lastRequest = request;
  run.finalAssistant = undefined;
  const totals: TurnTotals = { usage: run.usage, spent: run.spent, failovers: run.failovers };
  const asm = yield* streamModelTurn(deps.provider, deps.model, request, log, run.turns, totals);
  run.spent = totals.spent;
  const { usage } = run;
  yield log.emit({ type: 'usage', turn: run.turns, usage: { ...usage }, totalTokens: usage.inputTokens + usage.outputTokens, costUsd: run.spent });

  const assistant = asm.message();
  if (asm.stopReason === 'context_window_exceeded') {
    // The answer is cut: drop it and try again with a smaller transcript.
    run.forceTrim = true;
    await log.flush();
    return 'next';
  }
  run.finalAssistant = assistant;
  run.stopReason = asm.rawStopReason ?? 'end_turn';
  const calls = toolCallsOf(assistant.content);
  if (assistant.content.length === 0) assistant.content.push({ type: 'text', text: NO_ANSWER });
  run.messages = [...run.messages, assistant];
  if (calls.length === 0) {
    await log.flush();
    return 'stop';
  }
  // A turn whose answer reached a limit ends the run there: none of its tool calls run.
  const limit = limitReached(deps.limits, { costUsd: run.spent, usage, elapsedMs: run.elapsedMs() });
  if (limit) {
    run.stopAt(limit);
    await log.flush();
    return 'stop';
  }
  for (const call of calls) yield log.emit({ type: 'tool_call', turn: run.turns, id: call.id, name: call.name, input: call.input });
  await log.flush();

  const mutated = calls.some((c) => !setup.tools.isReadOnly(c.name));
  const results = yield* runToolCalls(calls, setup.tools, setup.toolCtx, log, run.turns, deps.clock);
  run.messages = [...run.messages, results];
  run.pace.longestTurnMs = Math.max(run.pace.longestTurnMs, deps.clock() - turnStarted);

  if (deps.continuation) {
    if (mutated) await run.snapshotWorkspace(setup.baseline);
    await run.saveCheckpoint([assistant, results]);
  }
  return 'next';
}

/**
 * How a run that threw ends: paused at the worker's deadline (a PausedRun), at its time limit,
 * cancelled, or failed. A store fault is the host's, not the task's: it throws on, so the worker
 * retries the message, which resumes from the last checkpoint.
 */
async function* endOnThrow(err: unknown, deps: AgentDeps, run: RunState, setup: RunSetup): AsyncGenerator<AgentEvent, PausedRun | undefined> {
  if (err instanceof StoreError) throw err;
  const cont = deps.continuation;
  const { limits } = deps;
  const reason = deps.signal.reason as { code?: string; message?: string } | undefined;
  const atDeadline = cont?.pauseOnAbortCode !== undefined && deps.signal.aborted && reason?.code === cont.pauseOnAbortCode;
  const refused = atDeadline ? cont.pauseRefusal?.(run.turnsDone(true)) : undefined;
  if (refused) {
    // It may not go on in another invocation: the task ends here, the turn in flight with it.
    run.stopFor(refused.status, refused.stopReason, refused.error);
  } else if (atDeadline) {
    // The turn in flight is lost; the next invocation redoes it from the last checkpoint.
    yield run.log.emit({ type: 'checkpoint', turn: run.checkpointTurn, reason: 'deadline' });
    return await run.paused(run.checkpointTurn, 'deadline');
  } else if (setup.timeLimit.aborted && !deps.signal.aborted) {
    run.stopAt(timeLimitReached(limits, Math.max(run.elapsedMs(), limits.timeoutSeconds * 1000))!);
  } else if (deps.signal.aborted) {
    run.stopFor('failed', 'cancelled', { code: reason?.code ?? 'cancelled', message: reason?.message ?? 'the run was cancelled' });
  } else {
    run.stopFor('failed', 'error', failureInfo(err));
  }
  return undefined;
}

/** Writes transcript, diff and result, and emits the `result` event. */
async function* finishRun(deps: AgentDeps, run: RunState, setup: RunSetup): AsyncGenerator<AgentEvent, TaskResult> {
  const active = activeModel(deps);
  const final = await writeRunArtifacts(
    {
      taskId: run.taskId,
      status: run.status,
      stopReason: run.stopReason,
      turns: run.turns,
      model: active.id,
      ...(active.baseModel ? { baseModel: active.baseModel } : {}),
      usage: { ...run.usage },
      costUsd: run.spent,
      ...(run.error ? { error: run.error } : {}),
      failovers: run.failovers,
    },
    {
      store: deps.store,
      provider: deps.provider,
      workspace: deps.workspace,
      baseline: setup.baseline,
      // A resumed run that ends before asking the model again still leaves the whole conversation.
      transcriptOf: run.lastRequest ?? (run.resume ? { model: active.id, system: setup.system, messages: run.messages, tools: setup.toolSpecs } : undefined),
      finalAssistant: run.finalAssistant,
      redactor: deps.redactor,
    },
  );
  yield run.log.emit({ type: 'result', ...final });
  await run.log.flush();
  return final;
}

/** Emits the preparation's events as they come (flushed, so watchers see a long setup), returning what it found. */
async function* prepareRun(gen: AsyncGenerator<EventBody, Prepared>, log: EventLog): AsyncGenerator<AgentEvent, Prepared> {
  // Watchers see the task start while its setup runs.
  await log.flush();
  for (;;) {
    const next = await gen.next();
    if (next.done) return next.value;
    yield log.emit(next.value);
    await log.flush();
  }
}
