import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { TaskMessage } from '../task/index.ts';
import { ClientConfigError, ClientError } from './errors.ts';
import { firstLine } from './aws.ts';

/**
 * Sends the task message to the queue; returns the SQS message id. A FIFO queue gets the task
 * id as group and deduplication id. A missing queue or a refusal is a ClientConfigError.
 */
export async function sendTask(sqs: SQSClient, queueUrl: string, message: TaskMessage & { taskId: string }): Promise<string> {
  const fifo = queueUrl.endsWith('.fifo');
  try {
    const res = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(message),
        ...(fifo ? { MessageGroupId: message.taskId, MessageDeduplicationId: message.taskId } : {}),
      }),
    );
    return res.MessageId ?? '';
  } catch (err) {
    const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const msg = firstLine(e?.message ?? String(err));
    if (e?.name === 'QueueDoesNotExist' || /NonExistentQueue/.test(e?.name ?? '') || /does not exist/i.test(msg)) {
      throw new ClientConfigError(`the task queue ${queueUrl} does not exist: check --queue-url or --stack`, { cause: err });
    }
    if (e?.name === 'AccessDenied' || e?.name === 'AccessDeniedException' || e?.$metadata?.httpStatusCode === 403) {
      throw new ClientConfigError(`not allowed to send to ${queueUrl} (${msg}): the caller needs sqs:SendMessage on the task queue`, { cause: err });
    }
    throw new ClientError(`cannot send the task to ${queueUrl}: ${msg}`, { cause: err });
  }
}
