import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { statusOf } from '../../store/s3-errors.ts';
import { conditionalPut } from '../../store/s3-put.ts';

/** Remembers that a task's outcome has been published, so a second run changes nothing. */
export interface PublishedMarker {
  /** The recorded outcome, or undefined when the task has not been published. */
  get(taskId: string): Promise<unknown>;
  /** Records the outcome (the first record wins). */
  record(taskId: string, outcome: unknown): Promise<void>;
}

/** The marker as `tasks/<taskId>/published.json` beside the task's artifacts, written with `If-None-Match: *`. */
export class S3PublishedMarker implements PublishedMarker {
  private readonly prefix: string;
  constructor(private readonly options: { client: S3Client; bucket: string; prefix?: string }) {
    this.prefix = options.prefix ?? 'tasks/';
  }

  private key(taskId: string): string {
    return `${this.prefix}${taskId}/published.json`;
  }

  async get(taskId: string): Promise<unknown> {
    let text: string;
    try {
      const res = await this.options.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.key(taskId) }));
      text = (await res.Body?.transformToString('utf8')) ?? '';
    } catch (err) {
      if (statusOf(err) === 404 || (err as { name?: string })?.name === 'NoSuchKey') return undefined;
      throw err;
    }
    // Its existence is what counts: an unreadable record still means "published".
    try {
      return JSON.parse(text);
    } catch {
      return {};
    }
  }

  async record(taskId: string, outcome: unknown): Promise<void> {
    // Written once: a second publisher run finds the marker and leaves the first one's record.
    await conditionalPut(this.options.client, { bucket: this.options.bucket, key: this.key(taskId), body: JSON.stringify(outcome), contentType: 'application/json', condition: { IfNoneMatch: '*' } });
  }
}
