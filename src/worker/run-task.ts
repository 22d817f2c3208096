import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { SQSRecord } from 'aws-lambda';
import { runAgentResumable, type AgentLimits, type Continuation, type PausedRun } from '../agent/index.ts';
import type { ContinuationInfo } from '../task/types.ts';
import { maxContinuationsFor, pauseMarginFor } from './pacing.ts';
import { snapshotDigest, type Checkpointer, type ResumeState } from '../agent/checkpoint.ts';
import { applyGitDiffToDir, takeSnapshot, type Snapshot } from '../agent/diff/index.ts';
import type { TaskResult } from '../task/events.ts';
import { buildToolEnv } from '../agent/tools/index.ts';
import { CancelWatch } from '../cancel/index.ts';
import { materialiseSource, SourceError } from '../sources/index.ts';
import type { Task } from '../task/types.ts';
import type { TaskOutcome } from '../observability/index.ts';
import { HostFaultError } from './errors.ts';
import { finishResumed, seqAfter, terminalResult, writeTerminal } from './terminal.ts';
import { NO_SETUP, workerPreparation } from './setup.ts';
import { WORK_DIR_NAME, type RecordOutcome, type RecordRun, type TaskSettings, type WorkerDeps } from './types.ts';

// A tool's default timeout when the configuration gives none (the loop's own default).
const DEFAULT_SHELL_TIMEOUT_MS = 120_000;

export interface RunTaskInput {
  record: SQSRecord;
  /** The task as received (with credentials, for a continuation message). */
  task: Task;
  /** The task as recorded in artifacts. */
  accepted: Task;
  settings: TaskSettings;
  /** The task's checkpoints, already loaded: `resume` is what it held. */
  checkpointer: Checkpointer;
  /** The checkpoint to go on from, when an earlier invocation saved one. */
  resume?: ResumeState;
  /** What the message said of the task's continuations (its continuation form only). */
  continuation?: ContinuationInfo;
  started: number;
  /** Reports the message's outcome; `continuations`: the task's hop count so far. */
  publish(outcome: TaskOutcome, result: TaskResult | undefined, continuations: number): void;
}

/**
 * Runs one accepted task in a fresh work folder (removed whatever happens): fetches its source,
 * re-applies a checkpoint's workspace change when resuming, and runs the loop with checkpoints.
 * A loop that pauses (the invocation's time is running out) ends with outcome `continued` and
 * the hop the continuation carries, recorded in the checkpoint: the caller queues the task again
 * once it has let go of the lease. The worker bounds the chain itself: past its continuations
 * a task ends `limit_reached` (`limit_continuations`), and two invocations in a row that
 * complete no turn end it `failed` (`turn_too_long`). Task failures end in a result; host faults
 * throw.
 */
export async function runTask(input: RunTaskInput, deps: WorkerDeps, run: RecordRun): Promise<RecordOutcome> {
  const { task, accepted, settings, resume } = input;
  // Not derived from the task: no process can find another task's folder by its name.
  const work = path.join(deps.tmpRoot, WORK_DIR_NAME, randomBytes(16).toString('hex'));
  const workspace = path.join(work, 'workspace');
  const home = path.join(work, 'home');
  const tmpDir = path.join(work, 'tmp');
  // Continuations so far: the checkpoint's count, or more when the message says so (never fewer).
  const hops = Math.max(input.continuation?.hop ?? 0, resume?.head.continuations ?? 0);
  // Nothing an earlier task started may still run when this one begins (it could watch or change
  // this task's files), and nothing this task starts may outlive it.
  await sweepLeftovers(deps, 'before the task');
  const tools = deps.processes?.open();
  const fail = async (stopReason: string, error: { code: string; message: string }): Promise<RecordOutcome> => {
    const result = terminalResult(task.taskId, 'failed', stopReason, settings.model.id, error);
    if (resume) await finishResumed(deps, resume, result);
    else await writeTerminal(deps.store, accepted, result, deps.clock());
    input.publish('failed', result, hops);
    return { taskId: task.taskId, outcome: 'failed', result };
  };
  let cancel: CancelWatch | undefined;
  try {
    await Promise.all([workspace, home, tmpDir].map((d) => fs.mkdir(d, { recursive: true, mode: 0o700 })));
    try {
      const src = await materialiseSource(task.source, workspace, { ...deps.sources, signal: run.signal });
      deps.log.info('source ready', { source: src.description, files: src.files, bytes: src.bytes });
    } catch (err) {
      if (!(err instanceof SourceError)) throw err;
      const attempts = Number(input.record.attributes?.ApproximateReceiveCount ?? '1');
      if (err.retryable && attempts < (deps.maxSourceAttempts ?? 3)) {
        throw new HostFaultError(`source not available yet (attempt ${attempts}): ${err.message}`, { cause: err });
      }
      deps.log.warn('source failed', { code: err.code, error: err.message });
      return await fail('source_error', { code: err.code, message: err.message });
    }
    const baseline = await takeSnapshot(workspace);
    if (resume) {
      const restored = await restoreWorkspace(workspace, baseline, resume, deps);
      if (restored) return await fail('error', restored);
    }
    // A checkpoint is resumed even by a worker that cannot queue continuations (its configuration
    // changed): starting over would repeat turns and events. Such a worker only never pauses.
    const canContinue = deps.continueTask !== undefined;
    const continuation = canContinue || resume ? await continuationFor(input, deps, run, { canContinue, hops }) : undefined;
    const limits: AgentLimits = canContinue
      ? settings.limits
      : { ...settings.limits, timeoutSeconds: Math.max(1, Math.min(settings.limits.timeoutSeconds, Math.floor((resume?.head.elapsedMs ?? 0) / 1000 + run.maxSeconds))) };
    // A cancel request is read once a turn, and polled while tools run (their process group is killed).
    const watch = (cancel = new CancelWatch(deps.store, task.taskId, {
      ...(deps.cancelPollMs !== undefined ? { pollMs: deps.cancelPollMs } : {}),
      onError: (err) => deps.log.warn('could not read the cancel request', { error: String(err) }),
    }));
    const gen = runAgentResumable(canContinue ? accepted : { ...accepted, limits: { ...limits } }, {
      provider: settings.provider ?? deps.provider,
      model: settings.model,
      store: deps.store,
      workspace,
      toolEnv: { ...buildToolEnv(deps.parentEnv, { home, tmpDir }), ...tools?.env },
      clock: deps.clock,
      ...(deps.timers ? { timers: deps.timers } : {}),
      signal: AbortSignal.any([run.signal, watch.signal]),
      cancelled: () => watch.check(),
      limits,
      reasoningEffort: settings.reasoningEffort,
      shellTimeoutMs: settings.shellTimeoutMs,
      baseline,
      ...(continuation ? { continuation } : {}),
      ...(deps.redactor ? { redactor: deps.redactor } : {}),
      ...(settings.extraTools ? { extraTools: settings.extraTools } : {}),
      prepare: workerPreparation(settings.setup ?? NO_SETUP, deps.clock),
    });
    let end: TaskResult | PausedRun;
    for (;;) {
      const next = await gen.next();
      if (next.done) {
        end = next.value;
        break;
      }
      const e = next.value;
      watch.observe(e);
      if (e.type === 'tool_call') deps.log.debug('tool call', { seq: e.seq, turn: e.turn, tool: e.name });
      else if (e.type === 'retry') deps.log.warn('model call retried', { seq: e.seq, attempt: e.attempt, waitMs: e.waitMs, error: e.error });
      else if (e.type === 'mcp_server' && e.status === 'failed') deps.log.warn('MCP server did not start; the task goes on without it', { seq: e.seq, server: e.server, error: e.error });
      else deps.log.debug('event', { seq: e.seq, type: e.type });
    }
    if (end.status === 'paused') {
      const hop = hops + 1;
      await input.checkpointer.markContinued(hop, end.turnsDone === 0);
      deps.log.info('task paused at a checkpoint', { turn: end.turn, reason: end.reason, turnsDone: end.turnsDone, hop });
      return { taskId: task.taskId, outcome: 'continued', continuation: { hop } };
    }
    const result = end;
    deps.log.info('task finished', { status: result.status, stopReason: result.stopReason, turns: result.turns, costUsd: result.costUsd, error: result.error, continuations: hops });
    input.publish(result.status as TaskOutcome, result, hops);
    return { taskId: task.taskId, outcome: result.status as TaskOutcome, result };
  } finally {
    await cancel?.close();
    if (tools) {
      deps.processes!.close(tools.token);
      await sweepLeftovers(deps, 'after the task');
    }
    await fs.rm(work, { recursive: true, force: true });
  }
}

/** Kills what tool commands left running (WorkerDeps.processes), saying what it found. */
async function sweepLeftovers(deps: WorkerDeps, when: string): Promise<void> {
  if (!deps.processes) return;
  const report = await deps.processes.sweep();
  if (report.killed.length > 0) deps.log.warn(`killed processes left running by tool commands, ${when}`, { pids: report.killed });
  if (report.survivors.length > 0) deps.log.error(`processes left by tool commands could not be killed, ${when}`, { pids: report.survivors });
}

/**
 * Checkpoints and resume for the loop; pausing only when the worker can queue continuations, once
 * less is left than the next turn can need, and only while the task has continuations left.
 */
async function continuationFor(input: RunTaskInput, deps: WorkerDeps, run: RecordRun, opts: { canContinue: boolean; hops: number }): Promise<Continuation> {
  const { resume, checkpointer, task, settings } = input;
  const firstSeq = resume ? await seqAfter(deps, task.taskId, resume) : undefined;
  const cont: Continuation = { checkpointer, ...(resume ? { resume, firstSeq } : {}) };
  if (!opts.canContinue) return cont;
  const invocationMs = run.invocationMs ?? run.remainingMs?.() ?? run.maxSeconds * 1000;
  const budget = { invocationMs, hardMarginMs: run.hardMarginMs ?? 0, shellTimeoutMs: settings.shellTimeoutMs ?? DEFAULT_SHELL_TIMEOUT_MS, capMs: run.pauseMarginMs };
  const max = deps.maxContinuations || maxContinuationsFor(settings.limits.timeoutSeconds, invocationMs);
  const stalled = (resume?.head.stalls ?? 0) > 0;
  return {
    ...cont,
    ...(run.remainingMs ? { shouldPause: (pace) => run.remainingMs!() < pauseMarginFor(budget, pace) } : {}),
    pauseOnAbortCode: 'deadline',
    pauseRefusal: (turnsDone) => {
      if (opts.hops >= max) {
        return { status: 'limit_reached', stopReason: 'max_continuations', error: { code: 'limit_continuations', message: `reached the limit of ${max} continuations (invocations of ${Math.round(invocationMs / 1000)} s); raise MaxContinuations or the worker's timeout` } };
      }
      if (turnsDone === 0 && stalled) {
        return {
          status: 'failed',
          stopReason: 'turn_too_long',
          error: { code: 'turn_too_long', message: `two invocations in a row (${Math.round(invocationMs / 1000)} s each) ended before a turn was complete: raise the worker's timeout, or lower tools.shell_timeout_ms` },
        };
      }
      return undefined;
    },
  };
}

/** Re-applies the checkpoint's workspace change; returns the error when it no longer applies. */
async function restoreWorkspace(workspace: string, baseline: Snapshot, resume: ResumeState, deps: WorkerDeps): Promise<{ code: string; message: string } | undefined> {
  if (snapshotDigest(baseline) !== resume.head.baselineDigest) {
    deps.log.warn('the source differs from the one the task started on (a moved branch?); re-applying the change anyway');
  }
  if (resume.workspacePatch === '') return undefined;
  try {
    const { skipped = [] } = await applyGitDiffToDir(workspace, resume.workspacePatch, { skipWithoutData: true });
    // Files past the snapshot's size limit are in the patch without their data: they cannot come back.
    if (skipped.length > 0) deps.log.warn('files too large for the checkpoint were not restored', { skipped });
    return undefined;
  } catch (err) {
    return { code: 'resume_failed', message: `the saved workspace change no longer applies to the source: ${(err as Error).message}` };
  }
}
