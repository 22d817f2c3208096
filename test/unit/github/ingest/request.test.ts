import { describe, expect, it } from 'vitest';
import { fromFunctionUrlEvent, parsePayload } from '../../../../src/github/ingest/request.ts';

describe('fromFunctionUrlEvent', () => {
  it('keeps the raw body, decoding base64 when the event says so, and lower-cases header names', () => {
    const body = '{"zen":"Keep it logically awesome."}';
    const plain = fromFunctionUrlEvent({ headers: { 'X-GitHub-Event': 'ping' }, body, requestContext: { http: { method: 'post' } } });
    const encoded = fromFunctionUrlEvent({ headers: {}, body: Buffer.from(body).toString('base64'), isBase64Encoded: true });
    expect(plain).toEqual({ method: 'POST', headers: { 'x-github-event': 'ping' }, body: Buffer.from(body) });
    expect(encoded.body.equals(Buffer.from(body))).toBe(true);
  });
});

describe('parsePayload', () => {
  it('reads JSON bodies and form-encoded payload fields, and gives undefined for anything else', () => {
    const json = { action: 'created' };
    const form = `payload=${encodeURIComponent(JSON.stringify(json))}`;
    expect([
      parsePayload({ method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(json)) }),
      parsePayload({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from(form) }),
      parsePayload({ method: 'POST', headers: {}, body: Buffer.from('not json') }),
      parsePayload({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from('other=1') }),
    ]).toEqual([json, json, undefined, undefined]);
  });
});
