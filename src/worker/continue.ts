import { randomBytes } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { ContinuationInfo, Task } from '../task/types.ts';

/**
 * `WorkerDeps.continueTask` on SQS: sends the task itself (taskId included, so it names the same
 * task) in its continuation form (`continuation: {hop}`) to the task queue. On a FIFO queue the
 * task id is the message group, so continuations of one task stay in order, and each
 * continuation has its own deduplication id. `client` may be a function making it: the SQS client
 * is then loaded at the first continuation, not at cold start.
 */
export function sqsContinuation(client: SQSClient | (() => Promise<SQSClient>), queueUrl: string): (task: Task, continuation: ContinuationInfo) => Promise<void> {
  const fifo = queueUrl.endsWith('.fifo');
  let ready: Promise<SQSClient> | undefined;
  return async (task, continuation) => {
    const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
    const sqs = await (ready ??= typeof client === 'function' ? client() : Promise.resolve(client));
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({ ...task, continuation }),
        ...(fifo ? { MessageGroupId: task.taskId, MessageDeduplicationId: `${task.taskId}-${randomBytes(8).toString('hex')}` } : {}),
      }),
    );
  };
}
