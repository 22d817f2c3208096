import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import type { Log } from '../observability/logger.ts';

export interface QueuePollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  /** Messages per invocation (the event source mapping's BatchSize). */
  batchSize: number;
  /** Invocations at once (ScalingConfig.MaximumConcurrency). */
  maxConcurrency: number;
  /** Runs the function on one batch; a throw fails the whole batch. */
  invoke(event: SQSEvent): Promise<unknown>;
  log: Log;
  /** Long-poll wait per ReceiveMessage, seconds (default 1). */
  waitTimeSeconds?: number;
}

export interface QueuePoller {
  /** Batches handed to the function so far. */
  readonly invocations: number;
  /** Stops polling (after the pending long poll) and waits for running invocations. */
  stop(): Promise<void>;
}

/**
 * Feeds a function from an SQS queue as Lambda's event-source mapping does: long-polls batches,
 * invokes with the SQS event shape, deletes the messages that succeeded, and leaves the others
 * (a thrown error, or those in `batchItemFailures`) to reappear after the visibility timeout;
 * the queue's redrive policy moves them to the dead-letter queue after maxReceiveCount.
 */
export function startQueuePoller(opts: QueuePollerOptions): QueuePoller {
  let stopped = false;
  let invocations = 0;
  const running = new Set<Promise<void>>();

  const handle = async (messages: Message[]): Promise<void> => {
    const records = messages.map((m) => toRecord(m, opts.queueArn, opts.region));
    let failed: Set<string>;
    try {
      failed = failedIds(await opts.invoke({ Records: records }), records);
    } catch (err) {
      opts.log.error('invocation failed; the batch will be retried', { error: (err as Error)?.message });
      failed = new Set(records.map((r) => r.messageId));
    }
    const done = messages.filter((m) => !failed.has(m.MessageId ?? ''));
    if (done.length > 0) {
      await opts.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: opts.queueUrl,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
  };

  const loop = async (): Promise<void> => {
    while (!stopped) {
      if (running.size >= opts.maxConcurrency) {
        await Promise.race(running);
        continue;
      }
      let messages: Message[];
      try {
        const res = await opts.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: opts.queueUrl,
            MaxNumberOfMessages: Math.min(10, opts.batchSize),
            WaitTimeSeconds: opts.waitTimeSeconds ?? 1,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        messages = res.Messages ?? [];
      } catch (err) {
        if (stopped) break;
        opts.log.warn('cannot receive from the queue', { error: (err as Error)?.message });
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      if (messages.length === 0) continue;
      invocations++;
      const p: Promise<void> = handle(messages)
        .catch((err: unknown) => opts.log.error('cannot acknowledge messages', { error: (err as Error)?.message }))
        .finally(() => running.delete(p));
      running.add(p);
    }
  };
  const looping = loop();

  return {
    get invocations() {
      return invocations;
    },
    async stop() {
      // The pending long poll is not cut short: a message it takes is still handed to the
      // function rather than left in flight with nobody working on it.
      stopped = true;
      await looping;
      await Promise.all(running);
    },
  };
}

/** Message ids to keep: those listed in batchItemFailures (all of them if the list is invalid). */
function failedIds(response: unknown, records: SQSRecord[]): Set<string> {
  const failures = (response as SQSBatchResponse | undefined)?.batchItemFailures;
  if (!Array.isArray(failures)) return new Set();
  const ids = new Set(records.map((r) => r.messageId));
  const out = new Set<string>();
  for (const f of failures) {
    // Lambda fails the whole batch when an identifier is missing or unknown.
    if (!f?.itemIdentifier || !ids.has(f.itemIdentifier)) return ids;
    out.add(f.itemIdentifier);
  }
  return out;
}

function toRecord(m: Message, queueArn: string, region: string): SQSRecord {
  const attrs = m.Attributes ?? {};
  return {
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    body: m.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attrs.ApproximateReceiveCount ?? '1',
      SentTimestamp: attrs.SentTimestamp ?? '0',
      SenderId: attrs.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: attrs.ApproximateFirstReceiveTimestamp ?? '0',
    },
    messageAttributes: toMessageAttributes(m.MessageAttributes ?? {}),
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

function toMessageAttributes(attrs: Record<string, MessageAttributeValue>): SQSMessageAttributes {
  const out: SQSMessageAttributes = {};
  for (const [name, a] of Object.entries(attrs)) {
    out[name] = {
      dataType: a.DataType ?? 'String',
      ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : {}),
      ...(a.BinaryValue !== undefined ? { binaryValue: Buffer.from(a.BinaryValue).toString('base64') } : {}),
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return out;
}
