import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { isNotFound, s3Failure } from '../store/s3-errors.ts';
import { conditionalPut } from '../store/s3-put.ts';
import { parseLedger, type Ledger } from './ledger.ts';

/** A ledger as read, with the version tag a conditional write compares against (S3's ETag). */
export interface VersionedLedger {
  ledger: Ledger;
  etag: string;
}

/**
 * Where the monthly ledgers live. Writes are conditional: `create` only when the month has no
 * ledger yet, `replace` only when it is still at `etag`; both resolve the new tag, or undefined
 * when another writer got there first. Other failures throw (StoreError for S3).
 */
export interface LedgerStore {
  read(month: string): Promise<VersionedLedger | undefined>;
  create(ledger: Ledger): Promise<string | undefined>;
  replace(ledger: Ledger, etag: string): Promise<string | undefined>;
}

/** Ledgers as `<prefix><YYYY-MM>.json` in a bucket (default prefix `budget/`), with S3's conditional writes. */
export class S3LedgerStore implements LedgerStore {
  private readonly prefix: string;
  constructor(private readonly options: { client: S3Client; bucket: string; prefix?: string }) {
    this.prefix = options.prefix ?? 'budget/';
  }

  /** The object key of a month's ledger. */
  key(month: string): string {
    return `${this.prefix}${month}.json`;
  }

  async read(month: string): Promise<VersionedLedger | undefined> {
    const key = this.key(month);
    let text: string;
    let etag: string | undefined;
    try {
      const res = await this.options.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key }));
      text = (await res.Body?.transformToString('utf-8')) ?? '';
      etag = res.ETag;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw s3Failure(`read s3://${this.options.bucket}/${key}`, err);
    }
    return { ledger: parseLedger(text, month), etag: etag ?? '' };
  }

  create(ledger: Ledger): Promise<string | undefined> {
    return this.write(ledger, { IfNoneMatch: '*' });
  }

  replace(ledger: Ledger, etag: string): Promise<string | undefined> {
    return this.write(ledger, { IfMatch: etag });
  }

  private async write(ledger: Ledger, condition: { IfNoneMatch: '*' } | { IfMatch: string }): Promise<string | undefined> {
    const key = this.key(ledger.month);
    try {
      return await conditionalPut(this.options.client, { bucket: this.options.bucket, key, body: JSON.stringify(ledger), contentType: 'application/json', condition });
    } catch (err) {
      throw s3Failure(`write s3://${this.options.bucket}/${key}`, err);
    }
  }
}
