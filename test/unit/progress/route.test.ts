import { describe, expect, it } from 'vitest';
import { routeRequest, sseComment, sseEvent, sseRetry } from '../../../src/progress/index.ts';
import type { AgentEvent } from '../../../src/task/events.ts';

const get = (rawPath: string, extra: { headers?: Record<string, string>; rawQueryString?: string; queryStringParameters?: Record<string, string>; method?: string } = {}) => ({
  rawPath,
  rawQueryString: extra.rawQueryString ?? '',
  headers: extra.headers ?? {},
  queryStringParameters: extra.queryStringParameters,
  requestContext: { http: { method: extra.method ?? 'GET', path: rawPath } },
});

describe('routeRequest', () => {
  it('serves GET /tasks/<id>/events from the start', () => {
    expect([routeRequest(get('/tasks/abc_1-2/events')), routeRequest(get('/tasks/abc/events/'))]).toEqual([
      { kind: 'events', taskId: 'abc_1-2', after: 0 },
      { kind: 'events', taskId: 'abc', after: 0 },
    ]);
  });

  it('resumes after Last-Event-ID (any case), before ?after=', () => {
    expect([
      routeRequest(get('/tasks/t/events', { headers: { 'Last-Event-ID': '7' }, rawQueryString: 'after=2' })),
      routeRequest(get('/tasks/t/events', { rawQueryString: 'x=1&after=4' })),
      routeRequest(get('/tasks/t/events', { queryStringParameters: { after: '1,9' } })),
      routeRequest(get('/tasks/t/events', { headers: { 'last-event-id': ' ' }, rawQueryString: 'after=3' })),
    ]).toEqual([
      { kind: 'events', taskId: 't', after: 7 },
      { kind: 'events', taskId: 't', after: 4 },
      { kind: 'events', taskId: 't', after: 9 },
      { kind: 'events', taskId: 't', after: 3 },
    ]);
  });

  it('answers 400 for a malformed id or seq, 404 for other paths, 405 for other methods', () => {
    expect(
      [
        get('/tasks/a.b/events'),
        get('/tasks/%E0%A4%A/events'),
        get('/tasks/t/events', { headers: { 'last-event-id': '1e3' } }),
        get('/tasks/t/events', { rawQueryString: 'after=99999999999' }),
        get('/'),
        get('/tasks/t'),
        get('/tasks/t/events/extra'),
        get('/tasks/t/events', { method: 'DELETE' }),
      ].map((r) => {
        const route = routeRequest(r);
        return route.kind === 'error' ? route.statusCode : route.kind;
      }),
    ).toEqual([400, 400, 400, 400, 404, 404, 404, 405]);
  });
});

describe('server-sent event lines', () => {
  it('formats an event as id, event and one data line', () => {
    const e = { seq: 12, time: '2026-01-01T00:00:00.000Z', taskId: 't', type: 'assistant_text', turn: 1, text: 'two\nlines' } as AgentEvent;
    expect(sseEvent(e)).toBe(`id: 12\nevent: assistant_text\ndata: ${JSON.stringify(e)}\n\n`);
    expect(sseEvent(e).split('\n').length).toBe(5);
  });

  it('formats comments on one line and the retry field', () => {
    expect([sseComment('heart\nbeat'), sseRetry(1500.7)]).toEqual([': heart beat\n\n', 'retry: 1500\n\n']);
  });
});
