import { describe, expect, it } from 'vitest';
import { createViewLinker, signViewToken, verifyViewToken, viewUrl, ViewKeyError, ViewLinkError } from '../../../src/view/index.ts';

const KEY = 'k'.repeat(32) + '-view-key';
const NOW = Date.UTC(2025, 0, 2, 3, 4, 5);
const IN_AN_HOUR = NOW / 1000 + 3600;

describe('view tokens', () => {
  it('verifies a token for its task until it expires, and for no other task or key', () => {
    const token = signViewToken(KEY, 'task-1', IN_AN_HOUR);
    expect(token).toMatch(/^v1\.\d+\.[A-Za-z0-9_-]{43}$/);
    expect([
      verifyViewToken(KEY, 'task-1', token, NOW),
      verifyViewToken(KEY, 'task-1', token, IN_AN_HOUR * 1000 - 1),
      verifyViewToken(KEY, 'task-1', token, IN_AN_HOUR * 1000),
      verifyViewToken(KEY, 'task-2', token, NOW),
      verifyViewToken(`${KEY}x`, 'task-1', token, NOW),
    ]).toEqual([true, true, false, false, false]);
  });

  it('refuses a token whose expiry or signature was changed, or that is malformed or missing', () => {
    const token = signViewToken(KEY, 'task-1', IN_AN_HOUR);
    const [v, exp, sig] = token.split('.');
    const flipped = sig.slice(0, -2) + (sig.at(-2) === 'A' ? 'B' : 'A') + sig.at(-1);
    const cases = [
      `${v}.${Number(exp) + 3600}.${sig}`,
      `${v}.${exp}.${flipped}`,
      `v2.${exp}.${sig}`,
      `${v}.${exp}.${sig}=`,
      `${v}.${exp}.${sig.slice(1)}`,
      `${token} `,
      '',
      undefined,
      'v1.1.' + 'A'.repeat(43),
    ];
    expect(cases.map((t) => verifyViewToken(KEY, 'task-1', t, NOW))).toEqual(cases.map(() => false));
  });

  it('refuses to sign with a short key, for a malformed task id or expiry', () => {
    expect(() => signViewToken('short', 'task-1', IN_AN_HOUR)).toThrow(ViewKeyError);
    expect(() => signViewToken(KEY, 'a/b', IN_AN_HOUR)).toThrow(ViewLinkError);
    expect(() => signViewToken(KEY, 'task-1', 1.5)).toThrow(ViewLinkError);
  });
});

describe('view links', () => {
  it('puts the task and token under the base, keeping its path', () => {
    expect(viewUrl('https://abc.lambda-url.us-east-1.on.aws/', 'task-1', 'v1.2.x')).toBe('https://abc.lambda-url.us-east-1.on.aws/tasks/task-1/view?token=v1.2.x');
    expect(viewUrl('http://127.0.0.1:9002/watch', 't', 'a b')).toBe('http://127.0.0.1:9002/watch/tasks/t/view?token=a%20b');
    expect(() => viewUrl('file:///x', 't', 'x')).toThrow(ViewLinkError);
    expect(() => viewUrl('not a url', 't', 'x')).toThrow(ViewLinkError);
  });

  it('signs links that expire after the lifetime (7 days unless told)', async () => {
    const week = createViewLinker({ baseUrl: 'https://v.example/', key: async () => KEY, clock: () => NOW });
    const hour = createViewLinker({ baseUrl: 'https://v.example/', key: async () => KEY, clock: () => NOW, ttlSeconds: 3600 });
    const tokenOf = (url: string) => new URL(url).searchParams.get('token') ?? undefined;
    const a = tokenOf(await week('task-1'));
    const b = tokenOf(await hour('task-1'));
    expect(a).toBe(signViewToken(KEY, 'task-1', NOW / 1000 + 7 * 24 * 3600));
    expect([verifyViewToken(KEY, 'task-1', b, NOW + 3599_000), verifyViewToken(KEY, 'task-1', b, NOW + 3600_000)]).toEqual([true, false]);
    expect(() => createViewLinker({ baseUrl: 'https://v.example/', key: async () => KEY, clock: () => NOW, ttlSeconds: 0 })).toThrow(ViewLinkError);
  });
});
