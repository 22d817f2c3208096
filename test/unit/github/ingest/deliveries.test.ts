import type { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3DeliveryLog } from '../../../../src/github/ingest/deliveries.ts';

/** An S3 client double answering each send with the next scripted outcome, recording the inputs. */
function stubClient(outcomes: (number | 'ok')[]) {
  const sent: { command: string; input: Record<string, unknown> }[] = [];
  const client = {
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      sent.push({ command: command.constructor.name, input: command.input });
      const next = outcomes.shift() ?? 'ok';
      if (next === 'ok') return {};
      throw Object.assign(new Error(`status ${next}`), { $metadata: { httpStatusCode: next } });
    },
  } as unknown as S3Client;
  return { client, sent };
}

describe('S3DeliveryLog', () => {
  it('claims with a conditional create, and treats 412 and 409 as seen before', async () => {
    const { client, sent } = stubClient(['ok', 412, 409]);
    const log = new S3DeliveryLog({ client, bucket: 'b', clock: () => Date.UTC(2025, 0, 1) });
    expect([await log.claim('d1'), await log.claim('d1'), await log.claim('d1')]).toEqual([true, false, false]);
    expect(sent[0]).toEqual({
      command: 'PutObjectCommand',
      input: { Bucket: 'b', Key: 'webhook/deliveries/d1', Body: '{"deliveryId":"d1","receivedAt":"2025-01-01T00:00:00.000Z"}', ContentLength: 59, ContentType: 'application/json', IfNoneMatch: '*' },
    });
  });

  it('passes other faults on, and releases by deleting the marker', async () => {
    const { client, sent } = stubClient([503, 'ok']);
    const log = new S3DeliveryLog({ client, bucket: 'b', clock: () => 0 });
    await expect(log.claim('d2')).rejects.toThrow('status 503');
    await log.release('d2');
    expect(sent[1]).toEqual({ command: 'DeleteObjectCommand', input: { Bucket: 'b', Key: 'webhook/deliveries/d2' } });
  });
});
