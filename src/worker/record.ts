import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { SQSRecord } from 'aws-lambda';
import { runAgent, type AgentLimits } from '../agent/index.ts';
import type { TaskResult } from '../agent/events.ts';
import { buildToolEnv } from '../agent/tools/index.ts';
import type { ModelInfo, ModelProvider, ReasoningEffort } from '../providers/types.ts';
import type { ArtifactStore } from '../store/types.ts';
import { materialiseSource, redactUrl, SourceError, type SourceDeps } from '../sources/index.ts';
import { parseTaskMessage } from '../task/index.ts';
import type { Task } from '../task/types.ts';
import { withLogKeys, type Log, type TaskMetricsSink, type TaskOutcome } from '../observability/index.ts';
import { HostFaultError, TaskSettingsError } from './errors.ts';
import { terminalResult, writeTerminal } from './terminal.ts';

/** What a task runs with once configuration and its own overrides are merged. */
export interface TaskSettings {
  model: ModelInfo;
  limits: AgentLimits;
  reasoningEffort?: ReasoningEffort;
  shellTimeoutMs?: number;
}

export interface WorkerDeps {
  store: ArtifactStore & { clearEvents?(taskId: string): Promise<void> };
  provider: ModelProvider;
  /** Model and limits for a task; throws TaskSettingsError to reject it. */
  settings(task: Task): TaskSettings;
  /** The default model id, recorded in results of rejected messages that name none. */
  defaultModel: string;
  sources: Omit<SourceDeps, 'signal'>;
  /** The function's environment, filtered by buildToolEnv for tool processes. */
  parentEnv: Record<string, string | undefined>;
  /** Parent of the per-message work folder (`os.tmpdir()` in Lambda). */
  tmpRoot: string;
  clock: () => number;
  newId: () => string;
  log: Log;
  metrics: TaskMetricsSink;
  allowedSourceBuckets?: string[];
  /** Deliveries after which a still-unreachable source fails the task instead of retrying (default 3). */
  maxSourceAttempts?: number;
}

export interface RecordRun {
  /** The deadline: aborts the loop. */
  signal: AbortSignal;
  /** Seconds left for the loop; the task's time limit is lowered to this. */
  maxSeconds: number;
  /** When this invocation will have ended for sure (ms since the epoch): the task's lease. */
  leaseUntil?: number;
}

export interface RecordOutcome {
  taskId: string;
  outcome: TaskOutcome;
  result?: TaskResult;
}

/**
 * The parent of per-message work folders under `tmpRoot`. Each message gets its own folder,
 * removed when the message is done; processBatch wipes the whole parent first (leftovers of an
 * invocation that died) when no other batch of this process is using it.
 */
export const WORK_DIR_NAME = 'agent-runner-work';

/**
 * Handles one SQS message: validates it (an invalid one is recorded `rejected`), skips a task
 * that already has a result, prepares a fresh workspace from the task's source, runs the loop
 * and removes the workspace whatever happens. Task failures end in a result; only host faults
 * (store, network, a source still unreachable) throw, so that the message is retried.
 */
export async function processRecord(record: SQSRecord, deps: WorkerDeps, run: RecordRun): Promise<RecordOutcome> {
  const started = deps.clock();
  const parsed = parseTaskMessage(record.body, {
    messageId: record.messageId,
    newId: deps.newId,
    allowedSourceBuckets: deps.allowedSourceBuckets,
  });
  if (!parsed.ok) {
    return withLogKeys(deps.log, { taskId: parsed.taskId }, () =>
      reject(deps, parsed.taskId, rawTaskJson(record), modelOf(record.body) ?? deps.defaultModel, parsed.error, started),
    );
  }
  const task = parsed.task;
  return withLogKeys(deps.log, { taskId: task.taskId }, async () => {
    if ((await deps.store.get(task.taskId, 'result.json')) !== undefined) {
      deps.log.info('task already has a result; acknowledged without running', { messageId: record.messageId });
      publish(deps, 'duplicate', undefined, started);
      return { taskId: task.taskId, outcome: 'duplicate' };
    }
    let settings: TaskSettings;
    try {
      settings = deps.settings(task);
    } catch (err) {
      if (!(err instanceof TaskSettingsError)) throw err;
      return reject(deps, task.taskId, publicTask(task), task.model ?? deps.defaultModel, { code: 'invalid_task', message: `${err.field}: ${err.message}` }, started);
    }
    await takeLease(task.taskId, record, deps, run);
    if ((await deps.store.get(task.taskId, 'task.json')) !== undefined) {
      // An earlier delivery started this task and died without a result: start over cleanly.
      deps.log.warn('an earlier attempt left no result; running the task again', { messageId: record.messageId });
      await deps.store.clearEvents?.(task.taskId);
    }
    try {
      return await runTask(record, task, settings, deps, run, started);
    } catch (err) {
      // Nobody works on the task any more: let the retry run it at once.
      await deps.store.put(task.taskId, 'lease.json', JSON.stringify({ messageId: record.messageId, expiresAt: 0 })).catch(() => undefined);
      throw err;
    }
  });
}

async function runTask(record: SQSRecord, task: Task, settings: TaskSettings, deps: WorkerDeps, run: RecordRun, started: number): Promise<RecordOutcome> {
  const work = path.join(deps.tmpRoot, WORK_DIR_NAME, `${task.taskId}-${randomBytes(4).toString('hex')}`);
  const workspace = path.join(work, 'workspace');
  const home = path.join(work, 'home');
  const tmpDir = path.join(work, 'tmp');
  const limits: AgentLimits = { ...settings.limits, timeoutSeconds: Math.max(1, Math.min(settings.limits.timeoutSeconds, Math.floor(run.maxSeconds))) };
  const accepted: Task = { ...publicTask(task), model: settings.model.id, limits: { ...limits } };
  try {
    await Promise.all([workspace, home, tmpDir].map((d) => fs.mkdir(d, { recursive: true })));
    try {
      const src = await materialiseSource(task.source, workspace, { ...deps.sources, signal: run.signal });
      deps.log.info('source ready', { source: src.description, files: src.files, bytes: src.bytes });
    } catch (err) {
      if (!(err instanceof SourceError)) throw err;
      const attempts = Number(record.attributes?.ApproximateReceiveCount ?? '1');
      if (err.retryable && attempts < (deps.maxSourceAttempts ?? 3)) {
        throw new HostFaultError(`source not available yet (attempt ${attempts}): ${err.message}`, { cause: err });
      }
      deps.log.warn('source failed', { code: err.code, error: err.message });
      const result = terminalResult(task.taskId, 'failed', 'source_error', settings.model.id, { code: err.code, message: err.message });
      await writeTerminal(deps.store, accepted, result, deps.clock());
      publish(deps, 'failed', result, started);
      return { taskId: task.taskId, outcome: 'failed', result };
    }
    const gen = runAgent(accepted, {
      provider: deps.provider,
      model: settings.model,
      store: deps.store,
      workspace,
      toolEnv: buildToolEnv(deps.parentEnv, { home, tmpDir }),
      clock: deps.clock,
      signal: run.signal,
      limits,
      reasoningEffort: settings.reasoningEffort,
      shellTimeoutMs: settings.shellTimeoutMs,
    });
    let result: TaskResult;
    for (;;) {
      const next = await gen.next();
      if (next.done) {
        result = next.value;
        break;
      }
      const e = next.value;
      if (e.type === 'tool_call') deps.log.debug('tool call', { seq: e.seq, turn: e.turn, tool: e.name });
      else if (e.type === 'retry') deps.log.warn('model call retried', { seq: e.seq, attempt: e.attempt, waitMs: e.waitMs, error: e.error });
      else deps.log.debug('event', { seq: e.seq, type: e.type });
    }
    deps.log.info('task finished', { status: result.status, stopReason: result.stopReason, turns: result.turns, costUsd: result.costUsd, error: result.error });
    publish(deps, result.status as TaskOutcome, result, started);
    return { taskId: task.taskId, outcome: result.status as TaskOutcome, result };
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

/**
 * SQS delivers at least once: a second delivery of a task that another invocation is still running
 * (its lease not yet expired) is retried later, when that run has its result, instead of running
 * the task twice at once. The lease expires when its invocation must have ended.
 */
async function takeLease(taskId: string, record: SQSRecord, deps: WorkerDeps, run: RecordRun): Promise<void> {
  const now = deps.clock();
  const text = await deps.store.get(taskId, 'lease.json');
  if (text !== undefined) {
    let lease: { messageId?: string; expiresAt?: number } = {};
    try {
      lease = JSON.parse(text) as typeof lease;
    } catch {
      // unreadable: treat as expired
    }
    if (typeof lease.expiresAt === 'number' && lease.expiresAt > now) {
      throw new HostFaultError(`task ${taskId} is being run by another invocation until ${new Date(lease.expiresAt).toISOString()}`);
    }
  }
  const expiresAt = run.leaseUntil ?? now + Math.ceil(run.maxSeconds * 1000) + 60_000;
  await deps.store.put(taskId, 'lease.json', JSON.stringify({ messageId: record.messageId, expiresAt }));
}

async function reject(
  deps: WorkerDeps,
  taskId: string,
  taskJson: unknown,
  model: string,
  error: { code: string; message: string },
  started: number,
): Promise<RecordOutcome> {
  // A rejected message never overwrites a task that exists under the same id.
  if ((await deps.store.get(taskId, 'task.json')) !== undefined || (await deps.store.get(taskId, 'result.json')) !== undefined) {
    deps.log.warn('rejected message names an existing task; nothing written', { error });
    publish(deps, 'duplicate', undefined, started);
    return { taskId, outcome: 'duplicate' };
  }
  deps.log.warn('task rejected', { error });
  const result = terminalResult(taskId, 'rejected', 'rejected', model, error);
  await writeTerminal(deps.store, taskJson, result, deps.clock());
  publish(deps, 'rejected', result, started);
  return { taskId, outcome: 'rejected', result };
}

function publish(deps: WorkerDeps, outcome: TaskOutcome, result: TaskResult | undefined, started: number): void {
  deps.metrics.publish({
    outcome,
    turns: result?.turns ?? 0,
    usage: result?.usage ?? { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 },
    costUsd: result?.costUsd ?? 0,
    durationMs: deps.clock() - started,
    ...(result?.model ? { model: result.model } : {}),
  });
}

/** The task as recorded in artifacts: credentials in a git URL are redacted. */
function publicTask(task: Task): Task {
  if (task.source && 'git' in task.source) {
    return { ...task, source: { git: { ...task.source.git, url: redactUrl(task.source.git.url) } } };
  }
  return task;
}

// What task.json holds for a message that was not accepted: the body as sent (parsed when JSON).
const MAX_RAW_BODY = 64 * 1024;
function rawTaskJson(record: SQSRecord): unknown {
  // User-info in any URL of the body (a git source with a token) is not kept.
  const text = record.body.replace(/(\bhttps?:\/\/)[^/\s"@]+@/gi, '$1***@');
  let body: unknown = text.length > MAX_RAW_BODY ? `${text.slice(0, MAX_RAW_BODY)}…` : text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { messageId: record.messageId, body };
}

function modelOf(body: string): string | undefined {
  try {
    const m = (JSON.parse(body) as { model?: unknown })?.model;
    return typeof m === 'string' && m.length <= 2048 ? m : undefined;
  } catch {
    return undefined;
  }
}
