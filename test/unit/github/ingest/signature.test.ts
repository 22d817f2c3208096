import { describe, expect, it } from 'vitest';
import { deliveryTaskId, signBody, verifySignature } from '../../../../src/github/ingest/signature.ts';

const SECRET = "It's a Secret to Everybody";
const BODY = Buffer.from('Hello, World!');

describe('webhook signature', () => {
  it('matches the example in GitHub documentation', () => {
    expect(signBody(SECRET, BODY)).toBe('sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
  });

  it('accepts the right signature, in either hex case', () => {
    const sig = signBody(SECRET, BODY);
    expect([verifySignature(SECRET, BODY, sig), verifySignature(SECRET, BODY, sig.toUpperCase().replace('SHA256=', 'sha256='))]).toEqual([true, true]);
  });

  it('refuses a missing, malformed, truncated or wrong signature, a tampered body and an empty secret', () => {
    const sig = signBody(SECRET, BODY);
    expect([
      verifySignature(SECRET, BODY, undefined),
      verifySignature(SECRET, BODY, ''),
      verifySignature(SECRET, BODY, sig.slice(7)),
      verifySignature(SECRET, BODY, sig.replace('sha256=', 'sha1=')),
      verifySignature(SECRET, BODY, sig.slice(0, -2)),
      verifySignature(SECRET, BODY, `${sig}00`),
      verifySignature(SECRET, BODY, `sha256=${'z'.repeat(64)}`),
      verifySignature('another secret', BODY, sig),
      verifySignature(SECRET, Buffer.from('Hello, World?'), sig),
      verifySignature('', BODY, signBody('', BODY)),
    ]).toEqual([false, false, false, false, false, false, false, false, false, false]);
  });
});

describe('deliveryTaskId', () => {
  it('gives a delivery 128 bits derived under the secret: the same for a redelivery, another for another delivery or secret', () => {
    const a = deliveryTaskId('secret-1', '72d3162e-cc78-11e3-81ab-4c9367dc0958');
    expect([
      /^gh-[0-9a-f]{32}$/.test(a),
      a === deliveryTaskId('secret-1', '72d3162e-cc78-11e3-81ab-4c9367dc0958'),
      a === deliveryTaskId('secret-1', '72d3162e-cc78-11e3-81ab-4c9367dc0959'),
      a === deliveryTaskId('secret-2', '72d3162e-cc78-11e3-81ab-4c9367dc0958'),
      a.includes('72d3162e'),
    ]).toEqual([true, true, false, false, false]);
  });
});
