import type { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3PublishedMarker } from '../../../../src/github/publish/marker.ts';

function stubClient(outcomes: (number | string)[]) {
  const sent: { command: string; input: Record<string, unknown> }[] = [];
  const client = {
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      sent.push({ command: command.constructor.name, input: command.input });
      const next = outcomes.shift();
      if (typeof next === 'number') throw Object.assign(new Error(`status ${next}`), { name: next === 404 ? 'NoSuchKey' : 'S3ServiceException', $metadata: { httpStatusCode: next } });
      return { Body: { transformToString: async () => next ?? '' } };
    },
  } as unknown as S3Client;
  return { client, sent };
}

describe('S3PublishedMarker', () => {
  it('reads tasks/<id>/published.json, undefined when absent', async () => {
    const { client, sent } = stubClient(['{"action":"comment"}', 404]);
    const marker = new S3PublishedMarker({ client, bucket: 'b' });
    expect([await marker.get('t1'), await marker.get('t2')]).toEqual([{ action: 'comment' }, undefined]);
    expect(sent.map((s) => s.input)).toEqual([{ Bucket: 'b', Key: 'tasks/t1/published.json' }, { Bucket: 'b', Key: 'tasks/t2/published.json' }]);
  });

  it('records once with a conditional create, the first record winning', async () => {
    const { client, sent } = stubClient(['', 412]);
    const marker = new S3PublishedMarker({ client, bucket: 'b' });
    await marker.record('t1', { action: 'skipped' });
    await marker.record('t1', { action: 'skipped' });
    expect(sent[0]).toEqual({ command: 'PutObjectCommand', input: { Bucket: 'b', Key: 'tasks/t1/published.json', Body: '{"action":"skipped"}', ContentLength: 20, ContentType: 'application/json', IfNoneMatch: '*' } });
    expect(sent.length).toBe(2);
  });

  it('passes other faults on', async () => {
    const { client } = stubClient([500, 500]);
    const marker = new S3PublishedMarker({ client, bucket: 'b' });
    await expect(marker.get('t1')).rejects.toThrow('status 500');
    await expect(marker.record('t1', {})).rejects.toThrow('status 500');
  });
});
