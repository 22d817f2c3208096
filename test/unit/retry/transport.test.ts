import { describe, expect, it } from 'vitest';
import { transportFault } from '../../../src/retry/index.ts';

const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('transportFault', () => {
  it('finds the network fault of Node, undici and the AWS SDK, in the error or down its causes', () => {
    const fetchFailed = new TypeError('fetch failed', { cause: coded('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9') });
    const undiciSocket = new TypeError('terminated', { cause: coded('UND_ERR_SOCKET', 'other side closed') });
    const dns = coded('EAI_AGAIN', 'getaddrinfo EAI_AGAIN bedrock-runtime.us-east-1.amazonaws.com');
    const pipe = coded('EPIPE', 'write EPIPE');
    const goaway = coded('ERR_HTTP2_GOAWAY_SESSION', 'New streams cannot be created after receiving a GOAWAY');
    const session = coded('ERR_HTTP2_SESSION_ERROR', 'Session closed with error code 2');
    const aggregate = new AggregateError([coded('ENETUNREACH'), coded('ECONNREFUSED')], 'connect failed');
    const canceled = new Error('The pending stream has been canceled (caused by: Error: socket hang up)');
    expect([fetchFailed, undiciSocket, dns, pipe, goaway, session, aggregate, canceled].map(transportFault)).toEqual([
      { code: 'ECONNREFUSED', timeout: false },
      { code: 'UND_ERR_SOCKET', timeout: false },
      { code: 'EAI_AGAIN', timeout: false },
      { code: 'EPIPE', timeout: false },
      { code: 'ERR_HTTP2_GOAWAY_SESSION', timeout: false },
      { code: 'ERR_HTTP2_SESSION_ERROR', timeout: false },
      { code: 'ENETUNREACH', timeout: false },
      { code: 'ECONNRESET', timeout: false },
    ]);
    expect(transportFault(new Error('The pending stream has been canceled (caused by: unknown)'))).toEqual({ code: 'ERR_HTTP2_STREAM_CANCEL', timeout: false });
  });

  it('tells socket timeouts apart', () => {
    const sdk = Object.assign(new Error('Stream timed out because of no activity for 5000 ms'), { name: 'TimeoutError' });
    expect([transportFault(coded('ETIMEDOUT')), transportFault(new TypeError('fetch failed', { cause: coded('UND_ERR_HEADERS_TIMEOUT') })), transportFault(sdk)]).toEqual([
      { code: 'ETIMEDOUT', timeout: true },
      { code: 'UND_ERR_HEADERS_TIMEOUT', timeout: true },
      { code: 'ETIMEDOUT', timeout: true },
    ]);
  });

  it('is undefined for what is not the network: answers, programming errors, aborts, unknown hosts', () => {
    const abort = Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
    expect([transportFault(new TypeError('x is not a function')), transportFault(abort), transportFault(coded('ENOTFOUND')), transportFault({ $metadata: { httpStatusCode: 500 } }), transportFault(undefined)]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
