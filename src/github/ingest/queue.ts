import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { GitHubTaskMessage } from '../types.ts';

/** Where ingest puts the tasks it starts. */
export interface TaskQueue {
  send(task: GitHubTaskMessage): Promise<void>;
}

/** The task queue on SQS (a standard queue; the worker skips tasks that already have a result). */
export class SqsTaskQueue implements TaskQueue {
  constructor(private readonly options: { client: SQSClient; queueUrl: string }) {}

  async send(task: GitHubTaskMessage): Promise<void> {
    await this.options.client.send(new SendMessageCommand({ QueueUrl: this.options.queueUrl, MessageBody: JSON.stringify(task) }));
  }
}
