import fs from 'node:fs/promises';
import path from 'node:path';
import { BatchProcessor, EventType, processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { timeoutSignal } from '../time/index.ts';
import { HostFaultError } from './errors.ts';
import { processRecord } from './record.ts';
import { WORK_DIR_NAME, type RecordOutcome, type WorkerDeps } from './types.ts';

// Batches in flight per work folder: in Lambda one at a time; `agent-runner dev` may run several.
const inFlight = new Map<string, number>();

/**
 * The invocation's clock and the margins kept back from it. The default margins adapt to the time
 * the invocation started with (a 120 s function is not a 900 s one): none takes more than a fixed
 * fraction of it, so every invocation has time for at least one turn. Margins given are taken as
 * they are.
 */
export interface BatchTiming {
  /** Milliseconds left before the function is stopped (Lambda's getRemainingTimeInMillis). */
  remainingMs(): number;
  /** Kept back from the loop's time limit for writing the artifacts (default 40 s, at most a quarter of the invocation). */
  softMarginMs?: number;
  /** Kept back from the hard abort of the loop (default 15 s, at most an eighth of the invocation). */
  hardMarginMs?: number;
  /** A message is not started with less time than this left (default 60 s, at most half the invocation); it is retried later. */
  minStartMs?: number;
  /**
   * With continuations (`WorkerDeps.continueTask`), the most the loop keeps back when it decides
   * to pause between turns (default 150 s); the margin itself comes from the turns seen (see
   * `pauseMarginFor`) and is never more than a quarter of the invocation.
   */
  pauseMarginMs?: number;
}

export interface BatchReport extends SQSBatchResponse {
  outcomes: RecordOutcome[];
}

/**
 * Handles an SQS batch one message after another (Powertools' batch processors). Always
 * resolves: a message whose handling threw (a host fault) or that could not be started in time
 * is listed in `batchItemFailures`; rejected and failed tasks are not. On a FIFO queue every
 * message after a failure is listed too, so that order holds.
 */
export async function processBatch(event: SQSEvent, deps: WorkerDeps, timing: BatchTiming): Promise<BatchReport> {
  const workRoot = path.join(deps.tmpRoot, WORK_DIR_NAME);
  // /tmp outlives invocations: clear what an invocation that died left behind.
  if ((inFlight.get(workRoot) ?? 0) === 0) await fs.rm(workRoot, { recursive: true, force: true });
  inFlight.set(workRoot, (inFlight.get(workRoot) ?? 0) + 1);
  try {
    return await processRecords(event, deps, timing);
  } finally {
    const left = (inFlight.get(workRoot) ?? 1) - 1;
    if (left > 0) inFlight.set(workRoot, left);
    else inFlight.delete(workRoot);
  }
}

async function processRecords(event: SQSEvent, deps: WorkerDeps, timing: BatchTiming): Promise<BatchReport> {
  const records = event.Records ?? [];
  if (records.length === 0) return { batchItemFailures: [], outcomes: [] };
  // The time the invocation started with: what the first message finds left.
  let invocationMs: number | undefined;
  const outcomes: RecordOutcome[] = [];
  const handle = async (record: SQSRecord): Promise<void> => {
    const remaining = timing.remainingMs();
    invocationMs ??= remaining;
    const soft = timing.softMarginMs ?? Math.min(40_000, invocationMs / 4);
    const hard = timing.hardMarginMs ?? Math.min(15_000, invocationMs / 8);
    if (remaining < (timing.minStartMs ?? Math.min(60_000, invocationMs / 2))) {
      deps.log.warn('not enough time left to start the message; it will be retried', { messageId: record.messageId, remainingMs: remaining });
      throw new HostFaultError(`not enough time left to start message ${record.messageId} (${remaining} ms)`);
    }
    const deadline = timeoutSignal(Math.max(0, remaining - hard), deps.timers, { code: 'deadline', message: 'the worker function is about to reach its timeout' });
    try {
      outcomes.push(
        await processRecord(record, deps, {
          signal: deadline.signal,
          maxSeconds: Math.max(1, (remaining - soft) / 1000),
          leaseUntil: deps.clock() + remaining,
          remainingMs: timing.remainingMs,
          invocationMs,
          hardMarginMs: hard,
          ...(timing.pauseMarginMs !== undefined ? { pauseMarginMs: timing.pauseMarginMs } : {}),
        }),
      );
    } catch (err) {
      deps.log.error('message failed; it will be retried', {
        messageId: record.messageId,
        error: { name: (err as Error)?.name, message: (err as Error)?.message, cause: String((err as Error)?.cause ?? '') },
      });
      throw err;
    } finally {
      deadline.clear();
    }
  };
  // Powertools' batch processors: one message after another; on a FIFO queue the messages after a
  // failure are not started and are reported failed with it, so that order holds. A batch whose
  // every message failed is reported like any other, not thrown.
  const fifo = records[0].eventSourceARN?.endsWith('.fifo') ?? false;
  const processor = fifo ? new SqsFifoPartialProcessorAsync() : new BatchProcessor(EventType.SQS);
  const { batchItemFailures } = await processPartialResponse({ Records: records }, handle, processor, { processInParallel: false, throwOnFullBatchFailure: false });
  return { batchItemFailures, outcomes };
}
