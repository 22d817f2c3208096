import { describe, expect, it } from 'vitest';
import { signBody, verifySignature } from '../../../../src/github/ingest/signature.ts';

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
