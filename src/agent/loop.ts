import type { ArtifactStore } from '../store/types.ts';
import type { Task } from '../task/types.ts';
import type { ErrorInfo, Message, ModelInfo, ModelProvider, ModelRequest, ReasoningEffort, Usage } from '../providers/types.ts';
import { StoreError } from '../store/errors.ts';
import type { Redactor } from '../security/index.ts';
import type { CommandWrapper } from '../sandbox/index.ts';
import { createToolRegistry } from './tools/index.ts';
import { diffSnapshots, takeSnapshot, type PreviousSnapshot, type Snapshot } from './diff/index.ts';
import { EventLog } from './event-log.ts';
import { fitContext } from './context.ts';
import { buildSystemPrompt, readRepoInstructions } from './prompt.ts';
import { toolCallsOf, type ToolExecutor } from './tool-runner.ts';
import { withSessionTools, type ToolSession, type ToolSource } from './tool-source.ts';
import { runToolCalls, streamModelTurn, type TurnTotals } from './turn.ts';
import { NO_ANSWER, writeRunArtifacts } from './finish.ts';
import { failureInfo, limitReached, timeLimitReached, turnLimitStop, type AgentLimits, type LimitStop } from './limits.ts';

export { EVENT_OUTPUT_MAX_BYTES } from './turn.ts';
import type { AgentEvent, TaskResult, TaskStatus } from '../task/events.ts';
import type { ToolContext } from './tools/types.ts';
import { snapshotDigest, type Checkpointer, type ResumeState } from './checkpoint.ts';
import fs from 'node:fs/promises';

export type { AgentLimits } from './limits.ts';

export interface AgentDeps {
  provider: ModelProvider;
  model: ModelInfo;
  store: ArtifactStore;
  /** Absolute path of the workspace. */
  workspace: string;
  /** The complete, scrubbed environment of tool processes. */
  toolEnv: Record<string, string>;
  /** Milliseconds since the epoch. */
  clock: () => number;
  /** Cancellation from outside (Ctrl-C, the Lambda deadline, a cancel request while a tool runs). */
  signal: AbortSignal;
  /**
   * Asked once before every model call: a message ends the run there, `failed` with stopReason
   * and error code `cancelled` (the worker reads the task's cancel request; one request a turn).
   */
  cancelled?: () => Promise<string | undefined>;
  limits: AgentLimits;
  reasoningEffort?: ReasoningEffort;
  shellTimeoutMs?: number;
  tools?: ToolExecutor & { specs(): ModelRequest['tools'] };
  /** The workspace as it was when the task started (taken now when absent). */
  baseline?: Snapshot;
  /** Checkpoints after every turn, resume and pause: the worker's way past Lambda's time limit. */
  continuation?: Continuation;
  /** Redacts secrets (keys, tokens, configured patterns) from events, transcript and checkpoints. */
  redactor?: Redactor;
  /** Wraps every command the tools start (`agent-runner run`'s sandbox); the worker contains them otherwise. */
  wrapCommand?: CommandWrapper;
  /** Tools started with the run beside the built-in ones (MCP servers), stopped when it ends. */
  extraTools?: ToolSource;
}

/** How a run is checkpointed, resumed and paused. */
export interface Continuation {
  checkpointer: Checkpointer;
  /**
   * The checkpoint to go on from. The workspace must already hold its changes, and `baseline`
   * must be the source as fetched (before they were applied), so the final diff is whole.
   */
  resume?: ResumeState;
  /** The seq of the first event of this invocation (after whatever earlier ones wrote). */
  firstSeq?: number;
  /**
   * Asked before each turn once this invocation has done one, with what turns and saves have
   * taken so far in this invocation: true ends the run paused.
   */
  shouldPause?: (pace: TurnPace) => boolean;
  /** `signal` aborting with this reason code means "pause from the last checkpoint" (a deadline), not a failure. */
  pauseOnAbortCode?: string;
  /**
   * Asked where the run would pause (between turns, or at the deadline) with the turns this
   * invocation completed: an answer ends the run there instead, with its status and error (its
   * continuations are spent, or it makes no progress).
   */
  pauseRefusal?: (turnsDone: number) => PauseRefusal | undefined;
}

/** How a run ends where it may not pause. */
export interface PauseRefusal {
  status: 'failed' | 'limit_reached';
  stopReason: string;
  error: ErrorInfo;
}

/** The longest turn (model call and tools) and checkpoint save of this invocation, in ms. */
export interface TurnPace {
  longestTurnMs: number;
  longestSaveMs: number;
}

/** A run that stopped before its end, its state in the last checkpoint: the caller continues it. */
export interface PausedRun {
  status: 'paused';
  taskId: string;
  /** Turns completed and checkpointed. */
  turn: number;
  /** `continuation`: asked to pause between turns; `deadline`: aborted mid-turn (that turn is lost). */
  reason: 'continuation' | 'deadline';
  /** Turns this invocation completed (0: it made no progress). */
  turnsDone: number;
}

export const TOOL_OUTPUT_MAX_BYTES = 32 * 1024;
const CONTEXT_BUDGET = 0.8;

const ZERO_USAGE: Usage = { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 };

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
  const { provider, model, store, limits } = deps;
  const cont = deps.continuation;
  const resume = cont?.resume?.head;
  // After a failover the run goes on at another model: its window, its id, its prices.
  const active = () => provider.activeModel?.() ?? model;
  const log = new EventLog(task.taskId, store, deps.clock, cont?.firstSeq ?? resume?.nextSeq ?? 1, deps.redactor);
  const accepted: Task = { ...task, model: task.model ?? model.id, limits: { ...limits } };
  if (!resume) await store.put(task.taskId, 'task.json', JSON.stringify(accepted, null, 2));

  const startedAt = deps.clock();
  const elapsedMs = () => (resume?.elapsedMs ?? 0) + deps.clock() - startedAt;
  const timeLimit = AbortSignal.timeout(Math.max(1, limits.timeoutSeconds * 1000 - (resume?.elapsedMs ?? 0)));
  const signal = AbortSignal.any([deps.signal, timeLimit]);
  const baseline = deps.baseline ?? (await takeSnapshot(deps.workspace));
  const root = await fs.realpath(deps.workspace);
  const toolCtx: ToolContext = {
    root,
    signal,
    env: deps.toolEnv,
    shellTimeoutMs: deps.shellTimeoutMs ?? 120_000,
    maxShellTimeoutMs: Math.max(deps.shellTimeoutMs ?? 120_000, 600_000),
    maxOutputBytes: TOOL_OUTPUT_MAX_BYTES,
    ...(deps.wrapCommand ? { wrapCommand: deps.wrapCommand } : {}),
  };

  if (resume) yield log.emit({ type: 'checkpoint', turn: resume.turn, reason: 'resumed' });
  else yield log.emit({ type: 'task_started', prompt: task.prompt, model: model.id, limits: { ...limits } });
  const session = deps.extraTools ? await deps.extraTools.open({ root, env: deps.toolEnv, signal, clock: deps.clock, ...(deps.wrapCommand ? { wrapCommand: deps.wrapCommand } : {}) }) : undefined;
  if (session) sessions.push(session);
  for (const notice of session?.notices ?? []) yield log.emit(notice);
  const tools = withSessionTools(deps.tools ?? createToolRegistry(), session);
  const toolSpecs = tools.specs();
  const system = buildSystemPrompt({ toolNames: toolSpecs.map((t) => t.name), limits, instructions: await readRepoInstructions(root) });

  let messages: Message[] = [{ role: 'user', content: [{ type: 'text', text: task.prompt }] }, ...(cont?.resume?.messages ?? [])];
  const usage: Usage = { ...(resume?.usage ?? ZERO_USAGE) };
  let turns = resume?.turn ?? 0;
  let spent = resume?.costUsd ?? 0;
  let turnsHere = 0;
  const pace: TurnPace = { longestTurnMs: 0, longestSaveMs: 0 };
  let savedTurn = resume?.turn ?? 0;
  let lastPatch = cont?.resume?.workspacePatch ?? '';
  // The workspace as of the last checkpoint: the next one re-reads only the files changed since.
  let lastSnapshot: PreviousSnapshot | undefined;
  const baselineDigest = cont ? snapshotDigest(baseline) : '';
  let status: TaskStatus = 'succeeded';
  let stopReason = 'end_turn';
  let error: ErrorInfo | undefined;
  let lastRequest: ModelRequest | undefined;
  let finalAssistant: Message | undefined;
  const failovers: { from: string; to: string }[] = [...(resume?.failovers ?? [])];
  let forceTrim = false;
  const saveCheckpoint = async (added: Message[]) => {
    const saveStarted = deps.clock();
    await log.flush();
    await cont!.checkpointer.save(
      {
        turn: turns,
        usage: { ...usage },
        costUsd: spent,
        elapsedMs: elapsedMs(),
        nextSeq: log.seq,
        failovers: [...failovers],
        baselineDigest,
        invocations: (resume?.invocations ?? 0) + 1,
        savedAt: new Date(deps.clock()).toISOString(),
      },
      added,
      lastPatch,
    );
    savedTurn = turns;
    pace.longestSaveMs = Math.max(pace.longestSaveMs, deps.clock() - saveStarted);
  };
  const paused = async (turn: number, reason: PausedRun['reason']): Promise<PausedRun> => {
    await log.flush();
    return { status: 'paused', taskId: task.taskId, turn, reason, turnsDone: savedTurn - (resume?.turn ?? 0) };
  };

  const stopFor = (s: TaskStatus, reason: string, err?: ErrorInfo) => {
    status = s;
    stopReason = reason;
    error = err;
  };
  const stopAt = (limit: LimitStop) => stopFor('limit_reached', limit.stopReason, limit.error);

  try {
    // A run that dies before its first turn ends still leaves a checkpoint to go on from.
    if (cont && !resume) await saveCheckpoint([]);
    for (;;) {
      if (signal.aborted) throw signal.reason;
      const overTime = timeLimitReached(limits, elapsedMs());
      if (overTime) {
        stopAt(overTime);
        break;
      }
      if (turnsHere > 0 && turns < limits.maxTurns && cont?.shouldPause?.({ ...pace })) {
        const refused = cont.pauseRefusal?.(turns - (resume?.turn ?? 0));
        if (refused) {
          stopFor(refused.status, refused.stopReason, refused.error);
          break;
        }
        yield log.emit({ type: 'checkpoint', turn: turns, reason: 'continuation' });
        return await paused(turns, 'continuation');
      }
      if (turns >= limits.maxTurns) {
        stopAt(turnLimitStop(limits));
        break;
      }
      const cancelled = await deps.cancelled?.();
      if (cancelled !== undefined) {
        stopFor('failed', 'cancelled', { code: 'cancelled', message: cancelled });
        break;
      }
      const fit = fitContext(system, messages, toolSpecs, Math.floor(active().contextWindow * CONTEXT_BUDGET), forceTrim);
      if (forceTrim && fit.steps.length === 0) {
        stopFor('failed', 'context_window_exceeded', { code: 'context_window_exceeded', message: 'the transcript does not fit the model\'s context window and cannot be trimmed further' });
        break;
      }
      forceTrim = false;
      for (const step of fit.steps) yield log.emit({ type: 'context_trimmed', turn: turns + 1, ...step });
      messages = fit.messages;

      turns++;
      turnsHere++;
      const turnStarted = deps.clock();
      yield log.emit({ type: 'turn_started', turn: turns });
      await log.flush();
      const request: ModelRequest = { model: active().id, system, messages: [...messages], tools: toolSpecs, reasoningEffort: deps.reasoningEffort, signal };
      lastRequest = request;
      finalAssistant = undefined;
      const totals: TurnTotals = { usage, spent, failovers };
      const asm = yield* streamModelTurn(provider, model, request, log, turns, totals);
      spent = totals.spent;
      const cost = spent;
      yield log.emit({ type: 'usage', turn: turns, usage: { ...usage }, totalTokens: usage.inputTokens + usage.outputTokens, costUsd: cost });

      const assistant = asm.message();
      if (asm.stopReason === 'context_window_exceeded') {
        // The answer is cut: drop it and try again with a smaller transcript.
        forceTrim = true;
        await log.flush();
        continue;
      }
      finalAssistant = assistant;
      stopReason = asm.rawStopReason ?? 'end_turn';
      const calls = toolCallsOf(assistant.content);
      if (assistant.content.length === 0) assistant.content.push({ type: 'text', text: NO_ANSWER });
      messages = [...messages, assistant];
      if (calls.length === 0) {
        await log.flush();
        break;
      }
      // A turn whose answer reached a limit ends the run there: none of its tool calls run.
      const limit = limitReached(limits, { costUsd: cost, usage, elapsedMs: elapsedMs() });
      if (limit) {
        stopAt(limit);
        await log.flush();
        break;
      }
      for (const call of calls) yield log.emit({ type: 'tool_call', turn: turns, id: call.id, name: call.name, input: call.input });
      await log.flush();

      const mutated = calls.some((c) => !tools.isReadOnly(c.name));
      const results = yield* runToolCalls(calls, tools, toolCtx, log, turns, deps.clock);
      messages = [...messages, results];
      pace.longestTurnMs = Math.max(pace.longestTurnMs, deps.clock() - turnStarted);

      if (cont) {
        if (mutated) {
          const takenAt = deps.clock();
          const current = await takeSnapshot(deps.workspace, lastSnapshot ? { previous: lastSnapshot } : {});
          lastSnapshot = { snapshot: current, takenAt };
          lastPatch = diffSnapshots(baseline, current).patch;
        }
        await saveCheckpoint([assistant, results]);
      }
    }
  } catch (err) {
    // A store fault is the host's, not the task's: it throws, so the worker retries the message,
    // which resumes from the last checkpoint.
    if (err instanceof StoreError) throw err;
    const reason = deps.signal.reason as { code?: string } | undefined;
    const atDeadline = cont?.pauseOnAbortCode !== undefined && deps.signal.aborted && reason?.code === cont.pauseOnAbortCode;
    const refused = atDeadline ? cont.pauseRefusal?.(savedTurn - (resume?.turn ?? 0)) : undefined;
    if (refused) {
      // It may not go on in another invocation: the task ends here, the turn in flight with it.
      stopFor(refused.status, refused.stopReason, refused.error);
    } else if (atDeadline) {
      // The turn in flight is lost; the next invocation redoes it from the last checkpoint.
      yield log.emit({ type: 'checkpoint', turn: savedTurn, reason: 'deadline' });
      return await paused(savedTurn, 'deadline');
    } else if (timeLimit.aborted && !deps.signal.aborted) {
      stopAt(timeLimitReached(limits, Math.max(elapsedMs(), limits.timeoutSeconds * 1000))!);
    } else if (deps.signal.aborted) {
      const reason = deps.signal.reason as { code?: string; message?: string } | undefined;
      stopFor('failed', 'cancelled', { code: reason?.code ?? 'cancelled', message: reason?.message ?? 'the run was cancelled' });
    } else {
      stopFor('failed', 'error', failureInfo(err));
    }
  }

  const final = await writeRunArtifacts(
    {
      taskId: task.taskId,
      status,
      stopReason,
      turns,
      model: active().id,
      ...(active().baseModel ? { baseModel: active().baseModel } : {}),
      usage: { ...usage },
      costUsd: spent,
      ...(error ? { error } : {}),
      failovers,
    },
    {
      store,
      provider,
      workspace: deps.workspace,
      baseline,
      // A resumed run that ends before asking the model again still leaves the whole conversation.
      transcriptOf: lastRequest ?? (resume ? { model: active().id, system, messages, tools: toolSpecs } : undefined),
      finalAssistant,
      redactor: deps.redactor,
    },
  );
  yield log.emit({ type: 'result', ...final });
  await log.flush();
  return final;
}
