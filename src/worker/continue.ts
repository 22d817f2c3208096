import { randomBytes } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Task } from '../task/types.ts';

/**
 * `WorkerDeps.continueTask` on SQS: sends the task itself (taskId included, so it names the same
 * task) to the task queue. On a FIFO queue the task id is the message group, so continuations of
 * one task stay in order, and each continuation has its own deduplication id.
 */
export function sqsContinuation(client: SQSClient, queueUrl: string): (task: Task) => Promise<void> {
  const fifo = queueUrl.endsWith('.fifo');
  return async (task) => {
    await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(task),
        ...(fifo ? { MessageGroupId: task.taskId, MessageDeduplicationId: `${task.taskId}-${randomBytes(8).toString('hex')}` } : {}),
      }),
    );
  };
}
