import type { SQSRecord } from 'aws-lambda';
import { Checkpointer, type ResumeState } from '../agent/checkpoint.ts';
import { ResumeError } from '../agent/errors.ts';
import type { TaskResult } from '../task/events.ts';
import { redactUrl } from '../sources/index.ts';
import { parseTaskMessage } from '../task/index.ts';
import type { Task } from '../task/types.ts';
import { withLogKeys, type TaskOutcome } from '../observability/index.ts';
import { HostFaultError, TaskSettingsError } from './errors.ts';
import { budgetGate, recordTaskSpend } from './budget.ts';
import { acquireLease, releaseLease } from './lease.ts';
import { runTask } from './run-task.ts';
import { finishResumed, finishStarted, terminalResult, writeTerminal } from './terminal.ts';
import type { RecordOutcome, RecordRun, TaskSettings, WorkerDeps } from './types.ts';

export type { TaskSettings } from './types.ts';

// Tasks this process is running now: a delivery of one of them is not taken for a dead one.
const running = new Set<string>();

/**
 * Handles one SQS message: validates it (an invalid one is recorded `rejected`), skips a task
 * that already has a result or that another invocation holds the lease of, runs it (from its
 * last checkpoint when an earlier invocation paused or died) and removes the workspace whatever
 * happens. Task failures end in a result; only host faults (store, network, a source still
 * unreachable, a queue that refuses the continuation) throw, so that the message is retried.
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
  let task = parsed.task;
  return withLogKeys(deps.log, { taskId: task.taskId }, async () => {
    const existing = await deps.store.get(task.taskId, 'result.json');
    if (existing !== undefined) {
      deps.log.info('task already has a result; acknowledged without running', { messageId: record.messageId });
      // An earlier delivery may have died between its result and the ledger: counting is idempotent.
      await countSpend(deps, task, existing);
      publish(deps, 'duplicate', undefined, started);
      return { taskId: task.taskId, outcome: 'duplicate' };
    }
    let settings: TaskSettings;
    try {
      settings = await deps.settings(task);
    } catch (err) {
      if (!(err instanceof TaskSettingsError)) throw err;
      return reject(deps, task.taskId, publicTask(task), task.model ?? deps.defaultModel, { code: 'invalid_task', message: `${err.field}: ${err.message}` }, started);
    }
    const now = deps.clock();
    const leaseOptions = {
      owner: `${record.messageId}/${deps.newId()}`,
      messageId: record.messageId,
      now,
      until: run.leaseUntil ?? now + Math.ceil(run.maxSeconds * 1000) + 60_000,
    };
    let claim = await acquireLease(deps.store, task.taskId, leaseOptions);
    const receives = Number(record.attributes?.ApproximateReceiveCount ?? '1');
    const lastDelivery = deps.maxReceiveCount !== undefined && receives >= deps.maxReceiveCount;
    let crashed = claim.ok && claim.previous !== undefined;
    if (!claim.ok && claim.holder.messageId === record.messageId && lastDelivery && !running.has(task.taskId)) {
      // SQS hands a message out again only once the earlier delivery stopped hiding it, and the
      // queue's visibility timeout outlasts the function's: that delivery died holding the task
      // (unless it still runs in this very process, where a short visibility timeout can bring
      // the message back). The last delivery takes the lease over to end the task.
      claim = await acquireLease(deps.store, task.taskId, { ...leaseOptions, takeOverFrom: claim.holder.owner });
      crashed = claim.ok;
    }
    if (!claim.ok) {
      if (claim.holder.messageId === record.messageId) {
        // This very message's earlier delivery holds the task: it died (or is still running). If
        // this copy went, nothing would bring the task back; retry once the lease has expired.
        throw new HostFaultError(`task ${task.taskId} is held by an earlier delivery of this message until ${new Date(claim.holder.expiresAt).toISOString()}`);
      }
      // Another message's delivery runs the task, and that message comes back if it dies: this copy can go.
      deps.log.info('another invocation holds the task; this delivery is dropped', { messageId: record.messageId, holder: claim.holder });
      publish(deps, 'duplicate', undefined, started);
      return { taskId: task.taskId, outcome: 'duplicate' };
    }
    let outcome: RecordOutcome;
    try {
      // Checked again under the lease: the holder before us may have just finished.
      const finished = await deps.store.get(task.taskId, 'result.json');
      if (finished !== undefined) {
        await countSpend(deps, task, finished);
        publish(deps, 'duplicate', undefined, started);
        return { taskId: task.taskId, outcome: 'duplicate' };
      }
      const checkpointer = new Checkpointer(deps.store, task.taskId, deps.redactor);
      if (crashed && lastDelivery) {
        // Running it again would most likely die again, and the message would reach the
        // dead-letter queue with no result at all.
        deps.log.error('earlier deliveries died while running the task; ending it', { messageId: record.messageId, receives });
        const taskJson: Task = { ...publicTask(task), model: settings.model.id, limits: { ...settings.limits } };
        const result = await endCrashed(deps, checkpointer, taskJson, receives, deps.maxReceiveCount!);
        // What its checkpoints say it spent was spent.
        await countSpend(deps, task, result);
        publish(deps, 'failed', result, started);
        return { taskId: task.taskId, outcome: 'failed', result };
      }
      let resume: ResumeState | undefined;
      try {
        resume = await checkpointer.load();
      } catch (err) {
        if (!(err instanceof ResumeError)) throw err;
        deps.log.warn('the checkpoint cannot be restored; running the task again from the start', { error: err.message });
      }
      if (resume) {
        deps.log.info('resuming from checkpoint', { turn: resume.head.turn, invocations: resume.head.invocations });
      } else if ((await deps.store.get(task.taskId, 'task.json')) !== undefined) {
        // An earlier delivery started this task and died before its first checkpoint: start over cleanly.
        deps.log.warn('an earlier attempt left no result; running the task again', { messageId: record.messageId });
        await deps.store.clearEvents?.(task.taskId);
      }
      if (deps.budget && !resume) {
        // A continuation carries the lowered limit in its message: the gate is for fresh starts only.
        const gate = await budgetGate(deps.budget, task, settings.limits.maxCostUsd, deps.clock());
        if ('refused' in gate) return await refuse(deps, { ...publicTask(task), model: settings.model.id, limits: { ...settings.limits } }, gate.refused, started);
        if (gate.maxCostUsd !== undefined) {
          deps.log.info('cost limit lowered to what the budget has left', { maxCostUsd: gate.maxCostUsd });
          settings = { ...settings, limits: { ...settings.limits, maxCostUsd: gate.maxCostUsd } };
          task = { ...task, limits: { ...task.limits, maxCostUsd: gate.maxCostUsd } };
        }
      }
      const accepted: Task = { ...publicTask(task), model: settings.model.id, limits: { ...settings.limits } };
      running.add(task.taskId);
      try {
        outcome = await runTask(
          {
            record,
            task,
            accepted,
            settings,
            checkpointer,
            resume,
            ...(parsed.continuation ? { continuation: parsed.continuation } : {}),
            started,
            publish: (o, r, hops) => publish(deps, o, r, started, hops),
          },
          deps,
          run,
        );
      } finally {
        running.delete(task.taskId);
      }
    } finally {
      // Whatever happened, nobody works on the task any more: a retry or continuation may take it at once.
      await releaseLease(deps.store, task.taskId, claim.lease).catch(() => undefined);
    }
    if (outcome.result) await countSpend(deps, task, outcome.result);
    if (outcome.outcome === 'continued' && outcome.continuation) {
      // Only after the lease is let go, or the continuation could find it held and be dropped. If
      // sending fails, this message is retried and resumes from the same checkpoint.
      await deps.continueTask!(task, outcome.continuation);
      deps.log.info('continuation queued', { messageId: record.messageId, hop: outcome.continuation.hop });
      publish(deps, 'continued', undefined, started, outcome.continuation.hop);
    }
    return outcome;
  });
}

/** Counts a finished task's cost in the spend ledger (once per task, whatever the deliveries). */
async function countSpend(deps: WorkerDeps, task: Task, result: TaskResult | string): Promise<void> {
  if (!deps.budget) return;
  let parsed: TaskResult;
  try {
    parsed = typeof result === 'string' ? (JSON.parse(result) as TaskResult) : result;
  } catch {
    // Retrying would not make it readable: the task goes uncounted, and the log says so.
    deps.log.warn('result.json is not JSON; its cost is not counted');
    return;
  }
  const counted = await recordTaskSpend(deps.store, deps.budget, task, parsed, deps.clock);
  if (counted?.added) deps.log.info('spend recorded', { month: counted.ledger.month, costUsd: parsed.costUsd, conflicts: counted.conflicts });
}

/** Ends a task a spent budget keeps from starting: `limit_reached`, before any model call. */
async function refuse(deps: WorkerDeps, taskJson: Task, message: string, started: number): Promise<RecordOutcome> {
  deps.log.warn('task refused: budget spent', { message });
  const result = terminalResult(taskJson.taskId, 'limit_reached', 'budget', taskJson.model ?? deps.defaultModel, { code: 'limit_budget', message });
  await writeTerminal(deps.store, taskJson, result, deps.clock());
  publish(deps, 'limit_reached', result, started);
  return { taskId: taskJson.taskId, outcome: 'limit_reached', result };
}

/**
 * Ends a task whose deliveries kept dying (a tool killed the worker, memory ran out) with a
 * `failed` result naming that: after the events already written, with the turns, usage and cost
 * of its last checkpoint when there is one.
 */
async function endCrashed(deps: WorkerDeps, checkpointer: Checkpointer, taskJson: Task, receives: number, maxReceiveCount: number): Promise<TaskResult> {
  const error = {
    code: 'worker_crashed',
    message:
      `the worker stopped while running this task on its earlier deliveries (a tool may have killed it, or it ran out of memory); ` +
      `it is not run again on delivery ${receives} of ${maxReceiveCount}, the queue's last`,
  };
  const result = terminalResult(taskJson.taskId, 'failed', 'error', taskJson.model!, error);
  const resume = await checkpointer.load().catch(() => undefined);
  return resume ? finishResumed(deps, resume, result) : finishStarted(deps, taskJson, result);
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

function publish(deps: WorkerDeps, outcome: TaskOutcome, result: TaskResult | undefined, started: number, continuations?: number): void {
  deps.metrics.publish({
    outcome,
    turns: result?.turns ?? 0,
    usage: result?.usage ?? { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 },
    costUsd: result?.costUsd ?? 0,
    durationMs: deps.clock() - started,
    ...(continuations !== undefined ? { continuations } : {}),
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
