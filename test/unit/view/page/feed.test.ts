import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../../src/task/events.ts';
import { sseEvent } from '../../../../src/progress/index.ts';
import { followFeed, type FeedStatus } from '../../../../src/view/page/feed.ts';

const ev = (seq: number, type = 'turn_started'): AgentEvent => ({ seq, time: '2025-01-01T00:00:00.000Z', taskId: 't', type, turn: seq }) as unknown as AgentEvent;

type Answer = (res: http.ServerResponse, url: URL) => void;
let server: http.Server | undefined;

/** A server answering its n-th request with answers[n] (the last one repeats), recording URLs. */
async function serve(answers: Answer[]): Promise<{ base: string; urls: string[] }> {
  const urls: string[] = [];
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    urls.push(`${url.pathname}${url.search}`);
    answers[Math.min(urls.length - 1, answers.length - 1)](res, url);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, urls };
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  server = undefined;
});

const sse = (res: http.ServerResponse) => res.writeHead(200, { 'content-type': 'text/event-stream' });

async function follow(base: string) {
  const seen: number[] = [];
  const statuses: FeedStatus['state'][] = [];
  const sleeps: number[] = [];
  const outcome = await followFeed({
    url: (after) => `${base}/tasks/t/events?token=x${after ? `&after=${after}` : ''}`,
    fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    onEvent: (e) => seen.push(e.seq),
    onStatus: (s) => statuses.push(s.state),
  });
  return { outcome, seen, statuses, sleeps };
}

describe('followFeed', () => {
  it('waits for a task that has not started, resumes a cut stream after the last event, and stops at the result', async () => {
    const { base, urls } = await serve([
      (res) => res.writeHead(404).end('{}'),
      (res) => {
        sse(res);
        res.write(`retry: 250\n\n${sseEvent(ev(1))}: heartbeat\n\n${sseEvent(ev(2))}`);
        // Cut in the middle of the third event: it must come again, once.
        res.write(sseEvent(ev(3)).slice(0, 20), () => res.socket?.destroy());
      },
      (res) => {
        sse(res);
        // Overlap: the server sends event 2 again; the feed hands it over only once.
        res.end(`${sseEvent(ev(2))}${sseEvent(ev(3))}`);
      },
      (res) => {
        sse(res);
        res.end(`${sseEvent(ev(4, 'result'))}${sseEvent(ev(5))}`);
      },
    ]);
    const { outcome, seen, statuses, sleeps } = await follow(base);
    expect({ outcome, seen, urls }).toEqual({
      outcome: 'ended',
      seen: [1, 2, 3, 4],
      urls: ['/tasks/t/events?token=x', '/tasks/t/events?token=x', '/tasks/t/events?token=x&after=2', '/tasks/t/events?token=x&after=3'],
    });
    expect(statuses).toEqual(['connecting', 'waiting', 'live', 'reconnecting', 'live', 'live', 'ended']);
    // 404: back off; after a stream with events: the server's retry delay.
    expect(sleeps).toEqual([1000, 250, 250]);
  });

  it('stops at a 403 (an expired link) and backs off while streams bring nothing', async () => {
    const { base, urls } = await serve([(res) => (sse(res), res.end(': heartbeat\n\n')), (res) => (sse(res), res.end()), (res) => res.writeHead(503).end(), (res) => res.writeHead(403).end('Forbidden')]);
    const { outcome, seen, statuses, sleeps } = await follow(base);
    expect({ outcome, seen, calls: urls.length, statuses, sleeps }).toEqual({
      outcome: 'forbidden',
      seen: [],
      calls: 4,
      statuses: ['connecting', 'live', 'live', 'reconnecting', 'forbidden'],
      sleeps: [1000, 2000, 4000],
    });
  });

  it('reconnects after a refused connection', async () => {
    const { base } = await serve([(res) => (sse(res), res.end(sseEvent(ev(1, 'result'))))]);
    let first = true;
    const seen: number[] = [];
    const statuses: string[] = [];
    const outcome = await followFeed({
      url: () => `${base}/e`,
      fetch: (input, init) => {
        if (first) {
          first = false;
          return Promise.reject(new TypeError('fetch failed'));
        }
        return fetch(input, init);
      },
      sleep: async () => undefined,
      onEvent: (e) => seen.push(e.seq),
      onStatus: (s) => statuses.push(s.state),
    });
    expect({ outcome, seen, statuses }).toEqual({ outcome: 'ended', seen: [1], statuses: ['connecting', 'reconnecting', 'live', 'ended'] });
  });
});
