/**
 * A worker in its own process, for the crash case: the test kills it with SIGKILL mid-turn.
 * Run with `node --import tsx worker-child.ts`; configuration in FAULT_CHILD (JSON, ChildConfig).
 * It receives one message from the task queue (with its own visibility timeout, as a Lambda
 * invocation's message stays invisible), prints `{"received": ...}` on stdout, and runs it with
 * processBatch under a deadline of `remainingMs` (the lease it takes lasts as long).
 */
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { processBatch } from '../../../src/worker/index.ts';
import { createFaultWorker, FAKE_CREDENTIALS, REGION, type FaultWorkerConfig } from './worker-deps.ts';

export interface ChildConfig extends FaultWorkerConfig {
  queueArn: string;
  /** Seconds the received message stays invisible. */
  visibilityTimeoutS: number;
  /** The invocation's time: its deadline (and lease) is this long after the message is received. */
  remainingMs: number;
}

const cfg = JSON.parse(process.env.FAULT_CHILD ?? '{}') as ChildConfig;
const sqs = new SQSClient({ region: REGION, endpoint: cfg.sqsEndpoint, credentials: FAKE_CREDENTIALS });
const res = await sqs.send(
  new ReceiveMessageCommand({ QueueUrl: cfg.queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 5, VisibilityTimeout: cfg.visibilityTimeoutS, MessageSystemAttributeNames: ['All'] }),
);
const m = res.Messages?.[0];
if (!m) {
  console.log(JSON.stringify({ received: null }));
  process.exit(3);
}
const deadline = Date.now() + cfg.remainingMs;
console.log(JSON.stringify({ received: { messageId: m.MessageId, receiveCount: m.Attributes?.ApproximateReceiveCount, deadline } }));
const event: SQSEvent = {
  Records: [
    {
      messageId: m.MessageId!,
      receiptHandle: m.ReceiptHandle!,
      body: m.Body!,
      attributes: {
        ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: m.Attributes?.SentTimestamp ?? '0',
        SenderId: m.Attributes?.SenderId ?? '',
        ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? '0',
      },
      messageAttributes: {},
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: cfg.queueArn,
      awsRegion: REGION,
    },
  ],
};
const worker = createFaultWorker(cfg);
// No margins: the test kills the process before the deadline would pause the loop.
const report = await processBatch(event, worker.deps, { remainingMs: () => deadline - Date.now(), hardMarginMs: 0, softMarginMs: 0, minStartMs: 0, pauseMarginMs: 0 });
if (report.batchItemFailures.length === 0) await sqs.send(new DeleteMessageCommand({ QueueUrl: cfg.queueUrl, ReceiptHandle: m.ReceiptHandle }));
console.log(JSON.stringify({ done: report.outcomes }));
worker.close();
sqs.destroy();
