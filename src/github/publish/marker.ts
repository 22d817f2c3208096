import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** Remembers that a task's outcome has been published, so a second run changes nothing. */
export interface PublishedMarker {
  /** The recorded outcome, or undefined when the task has not been published. */
  get(taskId: string): Promise<unknown>;
  /** Records the outcome (the first record wins). */
  record(taskId: string, outcome: unknown): Promise<void>;
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
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
    try {
      await this.options.client.send(
        new PutObjectCommand({ Bucket: this.options.bucket, Key: this.key(taskId), Body: JSON.stringify(outcome), ContentType: 'application/json', IfNoneMatch: '*' }),
      );
    } catch (err) {
      const status = statusOf(err);
      if (status !== 412 && status !== 409) throw err;
    }
  }
}
