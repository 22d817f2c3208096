import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { conditionalPut } from '../../store/s3-put.ts';

/**
 * Remembers webhook deliveries durably, across execution environments: their delivery ids, and
 * the digests of their signed bodies (`sha256-<hex>`, see bodyKeyOf).
 */
export interface DeliveryLog {
  /** True the first time `id` is claimed, false when it was claimed before. */
  claim(id: string): Promise<boolean>;
  /** Forgets a claim whose handling failed, so that a redelivery is handled. */
  release(id: string): Promise<void>;
}

export interface S3DeliveryLogOptions {
  client: S3Client;
  bucket: string;
  /** Default `webhook/deliveries/`. */
  prefix?: string;
  /** Milliseconds since the epoch, recorded in the marker. */
  clock: () => number;
}

/**
 * A DeliveryLog on S3: one object per delivery, created with `If-None-Match: *` so that only the
 * first writer succeeds (412 for later ones; 409 when two race, which the other one wins).
 */
export class S3DeliveryLog implements DeliveryLog {
  private readonly prefix: string;
  constructor(private readonly options: S3DeliveryLogOptions) {
    this.prefix = options.prefix ?? 'webhook/deliveries/';
  }

  async claim(id: string): Promise<boolean> {
    const etag = await conditionalPut(this.options.client, {
      bucket: this.options.bucket,
      key: this.prefix + id,
      body: JSON.stringify({ deliveryId: id, receivedAt: new Date(this.options.clock()).toISOString() }),
      contentType: 'application/json',
      condition: { IfNoneMatch: '*' },
    });
    return etag !== undefined;
  }

  async release(id: string): Promise<void> {
    await this.options.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.prefix + id }));
  }
}
