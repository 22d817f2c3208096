import type { ArtifactStore } from '../store/types.ts';
import type { Task } from '../task/types.ts';
import type { ErrorInfo, Message, ModelInfo, ModelProvider, ModelRequest, ReasoningEffort, Usage } from '../providers/types.ts';
import { costUsd } from '../providers/index.ts';
import { createToolRegistry, truncateOutput } from './tools/index.ts';
import { diffSnapshots, takeSnapshot, type Snapshot } from './diff/index.ts';
import { MessageAssembler } from './assembler.ts';
import { EventLog } from './event-log.ts';
import { fitContext } from './context.ts';
import { buildSystemPrompt, readRepoInstructions } from './prompt.ts';
import { planToolGroups, toolCallsOf, type ToolExecutor } from './tool-runner.ts';
import type { AgentEvent, TaskResult, TaskStatus } from './events.ts';
import type { ToolContext } from './tools/types.ts';
import fs from 'node:fs/promises';

export interface AgentLimits {
  maxTurns: number;
  maxCostUsd: number;
  timeoutSeconds: number;
  /** Total input + output tokens over the run. */
  maxTokens?: number;
}

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
  /** Cancellation from outside (Ctrl-C, the Lambda deadline). */
  signal: AbortSignal;
  limits: AgentLimits;
  reasoningEffort?: ReasoningEffort;
  shellTimeoutMs?: number;
  tools?: ToolExecutor & { specs(): ModelRequest['tools'] };
  /** The workspace as it was when the task started (taken now when absent). */
  baseline?: Snapshot;
}

export const TOOL_OUTPUT_MAX_BYTES = 32 * 1024;
export const EVENT_OUTPUT_MAX_BYTES = 4 * 1024;
const CONTEXT_BUDGET = 0.8;

const ZERO_USAGE: Usage = { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 };

/**
 * Runs one task: an async generator of the task's events (contract section 6), returning the
 * result. It writes `task.json` first, events as they happen (a segment per flush), then
 * `transcript.json`, `diff.patch` and `result.json`. Model and tool faults end the run with a
 * result, never with a throw; only store (host) faults throw.
 */
export async function* runAgent(task: Task, deps: AgentDeps): AsyncGenerator<AgentEvent, TaskResult> {
  const { provider, model, store, limits } = deps;
  const log = new EventLog(task.taskId, store, deps.clock);
  const accepted: Task = { ...task, model: task.model ?? model.id, limits: { ...limits } };
  await store.put(task.taskId, 'task.json', JSON.stringify(accepted, null, 2));

  const timeLimit = AbortSignal.timeout(Math.max(1, limits.timeoutSeconds * 1000));
  const signal = AbortSignal.any([deps.signal, timeLimit]);
  const tools = deps.tools ?? createToolRegistry();
  const toolSpecs = tools.specs();
  const baseline = deps.baseline ?? (await takeSnapshot(deps.workspace));
  const root = await fs.realpath(deps.workspace);
  const toolCtx: ToolContext = {
    root,
    signal,
    env: deps.toolEnv,
    shellTimeoutMs: deps.shellTimeoutMs ?? 120_000,
    maxShellTimeoutMs: Math.max(deps.shellTimeoutMs ?? 120_000, 600_000),
    maxOutputBytes: TOOL_OUTPUT_MAX_BYTES,
  };

  yield log.emit({ type: 'task_started', prompt: task.prompt, model: model.id, limits: { ...limits } });
  const system = buildSystemPrompt({ toolNames: toolSpecs.map((t) => t.name), limits, instructions: await readRepoInstructions(root) });

  let messages: Message[] = [{ role: 'user', content: [{ type: 'text', text: task.prompt }] }];
  const usage: Usage = { ...ZERO_USAGE };
  let turns = 0;
  let spent = 0;
  let status: TaskStatus = 'succeeded';
  let stopReason = 'end_turn';
  let error: ErrorInfo | undefined;
  let lastRequest: ModelRequest | undefined;
  let finalAssistant: Message | undefined;
  const failovers: { from: string; to: string }[] = [];
  let forceTrim = false;

  const stopFor = (s: TaskStatus, reason: string, err?: ErrorInfo) => {
    status = s;
    stopReason = reason;
    error = err;
  };

  try {
    for (;;) {
      if (signal.aborted) throw signal.reason;
      if (turns >= limits.maxTurns) {
        stopFor('limit_reached', 'max_turns', { code: 'limit_turns', message: `reached the limit of ${limits.maxTurns} turns` });
        break;
      }
      const fit = fitContext(system, messages, toolSpecs, Math.floor((provider.activeModel?.() ?? model).contextWindow * CONTEXT_BUDGET), forceTrim);
      if (forceTrim && fit.steps.length === 0) {
        stopFor('failed', 'context_window_exceeded', { code: 'context_window_exceeded', message: 'the transcript does not fit the model\'s context window and cannot be trimmed further' });
        break;
      }
      forceTrim = false;
      for (const step of fit.steps) yield log.emit({ type: 'context_trimmed', turn: turns + 1, ...step });
      messages = fit.messages;

      turns++;
      yield log.emit({ type: 'turn_started', turn: turns });
      await log.flush();
      const request: ModelRequest = { model: (provider.activeModel?.() ?? model).id, system, messages: [...messages], tools: toolSpecs, reasoningEffort: deps.reasoningEffort, signal };
      lastRequest = request;
      finalAssistant = undefined;
      const asm = new MessageAssembler();
      for await (const ev of provider.stream(request)) {
        if (ev.type === 'retry' || ev.type === 'failover') {
          asm.reset();
          if (ev.type === 'failover') failovers.push({ from: ev.from, to: ev.to });
          yield log.emit(ev.type === 'retry' ? { type: 'retry', attempt: ev.attempt, waitMs: ev.waitMs, error: ev.error } : { type: 'failover', from: ev.from, to: ev.to, error: ev.error });
          await log.flush();
          continue;
        }
        if (ev.type === 'usage') {
          addUsage(usage, ev.usage);
          // After a failover the turn is priced at the model that answered it.
          spent += costUsd(ev.usage, provider.activeModel?.() ?? model);
          continue;
        }
        const done = asm.add(ev);
        if (done?.type === 'text' && done.text.trim()) yield log.emit({ type: 'assistant_text', turn: turns, text: done.text });
        if (done?.type === 'reasoning') yield log.emit({ type: 'reasoning', turn: turns, text: done.text, redacted: false });
        if (done?.type === 'redacted_reasoning') yield log.emit({ type: 'reasoning', turn: turns, text: '', redacted: true });
      }
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
      if (assistant.content.length === 0) assistant.content.push({ type: 'text', text: '(no answer)' });
      messages = [...messages, assistant];
      if (calls.length === 0) {
        await log.flush();
        break;
      }
      for (const call of calls) yield log.emit({ type: 'tool_call', turn: turns, id: call.id, name: call.name, input: call.input });
      await log.flush();

      const results: Message = { role: 'user', content: [] };
      for (const group of planToolGroups(calls, (n) => tools.isReadOnly(n))) {
        const started = deps.clock();
        const outcomes = await Promise.all(group.map((call) => tools.execute(call, toolCtx)));
        const durationMs = deps.clock() - started;
        for (const [i, call] of group.entries()) {
          const r = outcomes[i];
          results.content.push({ type: 'tool_result', toolUseId: call.id, status: r.status, content: r.output });
          const cut = truncateOutput(r.output, EVENT_OUTPUT_MAX_BYTES);
          yield log.emit({ type: 'tool_result', turn: turns, id: call.id, name: call.name, status: r.status, output: cut, durationMs, truncated: cut !== r.output });
        }
      }
      messages = [...messages, results];

      if (cost >= limits.maxCostUsd) {
        stopFor('limit_reached', 'max_cost', { code: 'limit_cost', message: `reached the cost limit of USD ${limits.maxCostUsd} (spent ${cost.toFixed(4)})` });
        break;
      }
      if (limits.maxTokens !== undefined && usage.inputTokens + usage.outputTokens >= limits.maxTokens) {
        stopFor('limit_reached', 'max_tokens', { code: 'limit_tokens', message: `reached the token limit of ${limits.maxTokens}` });
        break;
      }
    }
  } catch (err) {
    if (timeLimit.aborted && !deps.signal.aborted) {
      stopFor('limit_reached', 'timeout', { code: 'limit_time', message: `reached the time limit of ${limits.timeoutSeconds} s` });
    } else if (deps.signal.aborted) {
      const reason = deps.signal.reason as { code?: string; message?: string } | undefined;
      stopFor('failed', 'cancelled', { code: reason?.code ?? 'cancelled', message: reason?.message ?? 'the run was cancelled' });
    } else {
      const e = err as { code?: string; name?: string; message?: string };
      stopFor('failed', 'error', { code: e?.code ?? e?.name ?? 'Error', message: e?.message ?? String(err) });
    }
  }

  if (lastRequest) {
    await store.put(task.taskId, 'transcript.json', JSON.stringify(provider.transcript(lastRequest, finalAssistant ? [finalAssistant] : []), null, 2));
  }
  const diff = diffSnapshots(baseline, await takeSnapshot(deps.workspace));
  await store.put(task.taskId, 'diff.patch', diff.patch);
  const result: TaskResult = {
    taskId: task.taskId,
    status,
    stopReason,
    turns,
    model: (provider.activeModel?.() ?? model).id,
    usage: { ...usage },
    costUsd: round6(spent),
    diff: diff.stats,
    ...(error ? { error } : {}),
    ...(failovers.length ? { failovers } : {}),
  };
  await store.put(task.taskId, 'result.json', JSON.stringify(result, null, 2));
  yield log.emit({ type: 'result', ...result });
  await log.flush();
  return result;
}

function addUsage(total: Usage, u: Usage): void {
  total.inputTokens += u.inputTokens;
  total.outputTokens += u.outputTokens;
  total.cacheReadInputTokens += u.cacheReadInputTokens;
  total.cacheWriteInputTokens += u.cacheWriteInputTokens;
}

function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
