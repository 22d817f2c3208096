import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalStack, startQueuePoller, type LocalStack } from '../../../src/local/index.ts';
import { silentLog } from '../../../src/observability/index.ts';
import { REGION, startLocalAws, type LocalAws } from '../../support/fauxqs.ts';

let aws: LocalAws;
let stack: LocalStack;

beforeAll(async () => {
  aws = await startLocalAws();
  stack = await createLocalStack(aws.s3, aws.sqs, { bucket: 'poller-bucket', queueName: 'q', visibilityTimeout: 1, maxReceiveCount: 2 });
});
afterAll(async () => aws.stop());

async function depth(url: string): Promise<number> {
  const a = await aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
  return Number(a.Attributes?.ApproximateNumberOfMessages) + Number(a.Attributes?.ApproximateNumberOfMessagesNotVisible);
}

async function until(test: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('startQueuePoller (the event-source mapping)', () => {
  it('creates the bucket, the queue and its dead-letter queue with a redrive policy', async () => {
    const a = await aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl: stack.queueUrl, AttributeNames: ['All'] }));
    expect([a.Attributes?.VisibilityTimeout, JSON.parse(a.Attributes?.RedrivePolicy ?? '{}')]).toEqual([
      '1',
      { deadLetterTargetArn: stack.dlqArn, maxReceiveCount: '2' },
    ]);
    expect(stack.queueArn).toBe(`arn:aws:sqs:${REGION}:000000000000:q`);
  });

  it('invokes with Lambda-shaped batches, deletes successes and leaves batchItemFailures to be redelivered, then to the DLQ', async () => {
    const events: SQSEvent[] = [];
    const poller = startQueuePoller({
      sqs: aws.sqs,
      queueUrl: stack.queueUrl,
      queueArn: stack.queueArn,
      region: REGION,
      batchSize: 10,
      maxConcurrency: 1,
      waitTimeSeconds: 1,
      log: silentLog,
      invoke: async (event) => {
        events.push(event);
        return { batchItemFailures: event.Records.filter((r) => r.body === 'bad').map((r) => ({ itemIdentifier: r.messageId })) };
      },
    });
    try {
      for (const body of ['good-1', 'bad', 'good-2']) await aws.sqs.send(new SendMessageCommand({ QueueUrl: stack.queueUrl, MessageBody: body }));
      await until(async () => (await depth(stack.queueUrl)) === 0, 15_000);
      const dlq = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.dlqUrl, MaxNumberOfMessages: 10 }));
      expect(dlq.Messages?.map((m) => m.Body)).toEqual(['bad']);
      const records = events.flatMap((e) => e.Records);
      expect(records.filter((r) => r.body === 'bad').map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
      expect(records.filter((r) => r.body.startsWith('good')).length).toBe(2);
      expect(records[0]).toEqual({
        messageId: expect.any(String),
        receiptHandle: expect.any(String),
        body: expect.any(String),
        attributes: { ApproximateReceiveCount: '1', SentTimestamp: expect.any(String), SenderId: expect.any(String), ApproximateFirstReceiveTimestamp: expect.any(String) },
        messageAttributes: {},
        md5OfBody: expect.any(String),
        eventSource: 'aws:sqs',
        eventSourceARN: stack.queueArn,
        awsRegion: REGION,
      });
    } finally {
      await poller.stop();
    }
  });

  it('retries the whole batch when the function throws or names an unknown message', async () => {
    // A queue of its own: a long poll cut short by the previous poller's stop() may still take a message.
    const stack = await createLocalStack(aws.s3, aws.sqs, { bucket: 'poller-bucket', queueName: 'q2', visibilityTimeout: 1, maxReceiveCount: 2 });
    let calls = 0;
    const poller = startQueuePoller({
      sqs: aws.sqs,
      queueUrl: stack.queueUrl,
      queueArn: stack.queueArn,
      region: REGION,
      batchSize: 1,
      maxConcurrency: 1,
      waitTimeSeconds: 1,
      log: silentLog,
      invoke: async () => {
        calls++;
        if (calls === 1) throw new Error('crash');
        if (calls === 2) return { batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] };
        return { batchItemFailures: [] };
      },
    });
    try {
      await aws.sqs.send(new SendMessageCommand({ QueueUrl: stack.queueUrl, MessageBody: 'x' }));
      await until(async () => (await depth(stack.queueUrl)) === 0 && calls >= 2, 15_000);
      // Two failed receives reach maxReceiveCount: the message is in the DLQ, never acknowledged.
      expect(calls).toBe(2);
      const dlq = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.dlqUrl, MaxNumberOfMessages: 10 }));
      expect(dlq.Messages?.map((m) => m.Body)).toEqual(['x']);
    } finally {
      await poller.stop();
    }
  });
});
