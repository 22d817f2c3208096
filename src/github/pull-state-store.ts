import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { isNotFound } from '../store/s3-errors.ts';
import { conditionalPut } from '../store/s3-put.ts';
import { PullStateConflictError } from './errors.ts';
import { EMPTY_PULL_STATE, parsePullState, type PullRef, type PullState } from './pull-state.ts';

/** A change to a pull request's state: the new state (undefined: write nothing) and what to hand back. */
export type PullStateChange<T> = (current: PullState) => { next?: PullState; result: T };

/** The per-pull-request records, shared by the webhook (which starts fixes) and the publisher (which ends them). */
export interface PullStateStore {
  /** Applies `change` atomically: it may run more than once, on fresher state, when another writer came first. */
  update<T>(pull: PullRef, change: PullStateChange<T>): Promise<T>;
}

export interface S3PullStateStoreOptions {
  client: S3Client;
  bucket: string;
  /** Default `webhook/ci-fix/`. */
  prefix?: string;
  /** Compare-and-swap rounds before giving up (default 6). */
  attempts?: number;
}

/**
 * One JSON object per pull request, `<prefix><owner>/<repo>/<number>.json`, changed by
 * compare-and-swap: read it with its ETag, write the new state with `If-Match` (or `If-None-Match: *`
 * when there was none), and start over from a fresh read when S3 refuses the condition.
 */
export class S3PullStateStore implements PullStateStore {
  private readonly prefix: string;
  constructor(private readonly options: S3PullStateStoreOptions) {
    this.prefix = options.prefix ?? 'webhook/ci-fix/';
  }

  /** The object key of a pull request's record (owner and repository lower-cased, as GitHub compares them). */
  key(pull: PullRef): string {
    return `${this.prefix}${pull.owner.toLowerCase()}/${pull.repo.toLowerCase()}/${pull.number}.json`;
  }

  async update<T>(pull: PullRef, change: PullStateChange<T>): Promise<T> {
    const key = this.key(pull);
    const rounds = this.options.attempts ?? 6;
    for (let round = 0; round < rounds; round++) {
      const current = await this.read(key);
      const { next, result } = change(current?.state ?? EMPTY_PULL_STATE);
      if (next === undefined) return result;
      const etag = await conditionalPut(this.options.client, {
        bucket: this.options.bucket,
        key,
        body: JSON.stringify(next),
        contentType: 'application/json',
        condition: current ? { IfMatch: current.etag } : { IfNoneMatch: '*' },
      });
      if (etag !== undefined) return result;
    }
    throw new PullStateConflictError(key, rounds);
  }

  private async read(key: string): Promise<{ state: PullState; etag: string } | undefined> {
    try {
      const res = await this.options.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key }));
      const text = (await res.Body?.transformToString('utf8')) ?? '';
      // Without an ETag no condition can be stated: a missing one cannot match, so the write is refused and retried.
      return { state: parsePullState(text), etag: res.ETag ?? '"none"' };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}
