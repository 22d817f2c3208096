import { describe, expect, it } from 'vitest';
import { createSigV4Signer, regionOfFunctionUrl } from '../../../src/client/sign.ts';
import { verifySigV4 } from '../../../src/local/sigv4.ts';

const creds = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-1', sessionToken: 'token-1' };
const secrets = { AKIDTEST: 'secret-1' };

describe('createSigV4Signer', () => {
  it('signs a GET for service lambda so that an independent verifier accepts it', async () => {
    const sign = createSigV4Signer({ region: 'us-west-2', credentials: async () => creds, signingDate: () => new Date('2025-03-04T05:06:07Z') });
    const url = new URL('http://127.0.0.1:8080/tasks/t-1/events?after=3');
    const headers = await sign(url, { Accept: 'text/event-stream', 'Last-Event-ID': '3' });
    expect(Object.keys(headers).sort()).toEqual(['accept', 'authorization', 'last-event-id', 'x-amz-content-sha256', 'x-amz-date', 'x-amz-security-token']);
    expect({ date: headers['x-amz-date'], token: headers['x-amz-security-token'], accept: headers.accept, host: headers.host }).toEqual({
      date: '20250304T050607Z',
      token: 'token-1',
      accept: 'text/event-stream',
      host: undefined,
    });
    expect(headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDTEST\/20250304\/us-west-2\/lambda\/aws4_request, SignedHeaders=accept;host;last-event-id;/);
    const verdict = verifySigV4({ method: 'GET', url: '/tasks/t-1/events?after=3', headers: { ...headers, host: url.host }, secrets, service: 'lambda', region: 'us-west-2' });
    expect(verdict).toBeUndefined();
    // The verifier is not a rubber stamp: another host or secret fails.
    expect(verifySigV4({ method: 'GET', url: '/tasks/t-1/events?after=3', headers: { ...headers, host: 'evil:1' }, secrets, service: 'lambda', region: 'us-west-2' })).toBe('signature does not match');
    expect(verifySigV4({ method: 'GET', url: '/tasks/t-1/events?after=3', headers: { ...headers, host: url.host }, secrets: { AKIDTEST: 'other' }, service: 'lambda', region: 'us-west-2' })).toBe('signature does not match');
  });

  it("takes the region from a function URL's host", async () => {
    const sign = createSigV4Signer({ region: 'us-east-1', credentials: async () => creds });
    const headers = await sign(new URL('https://abcdef.lambda-url.eu-central-1.on.aws/tasks/x/events'), {});
    expect(headers.authorization).toMatch(/\/eu-central-1\/lambda\/aws4_request/);
    expect([regionOfFunctionUrl(new URL('https://a.lambda-url.ap-south-1.on.aws/')), regionOfFunctionUrl(new URL('http://127.0.0.1:1/'))]).toEqual(['ap-south-1', undefined]);
  });

  it('asks for credentials on every request (rotated credentials are used)', async () => {
    let n = 0;
    const sign = createSigV4Signer({ region: 'us-east-1', credentials: async () => ({ accessKeyId: `AKID${++n}`, secretAccessKey: 's' }) });
    const a = await sign(new URL('http://h/x'), {});
    const b = await sign(new URL('http://h/x'), {});
    const akid = (h: Record<string, string>) => /Credential=([^/]+)\//.exec(h.authorization)?.[1];
    expect([akid(a), akid(b)]).toEqual(['AKID1', 'AKID2']);
  });
});
