import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface LocalStackOptions {
  bucket: string;
  queueName: string;
  /** Seconds a received message stays invisible (the template: 6 x the worker timeout). */
  visibilityTimeout: number;
  /** Receives before a message moves to the dead-letter queue. */
  maxReceiveCount: number;
}

export interface LocalStack {
  bucket: string;
  queueUrl: string;
  queueArn: string;
  dlqUrl: string;
  dlqArn: string;
}

/**
 * Creates what template.yaml creates, on an emulator: the artifact bucket, the task queue and its
 * dead-letter queue with the redrive policy. Idempotent.
 */
export async function createLocalStack(s3: S3Client, sqs: SQSClient, opts: LocalStackOptions): Promise<LocalStack> {
  try {
    await s3.send(new CreateBucketCommand({ Bucket: opts.bucket }));
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw err;
  }
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${opts.queueName}-dlq` }));
  const dlqUrl = dlq.QueueUrl!;
  const dlqArn = await queueArn(sqs, dlqUrl);
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: opts.queueName,
      Attributes: {
        VisibilityTimeout: String(opts.visibilityTimeout),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: String(opts.maxReceiveCount) }),
      },
    }),
  );
  const queueUrl = queue.QueueUrl!;
  return { bucket: opts.bucket, queueUrl, queueArn: await queueArn(sqs, queueUrl), dlqUrl, dlqArn };
}

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const res = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return res.Attributes?.QueueArn ?? '';
}
