import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AgentEvent } from '../../../../src/task/events.ts';

/** What one connection does. */
export interface ConnectionPlan {
  /** Answer this status (no stream) instead. */
  status?: number;
  body?: string;
  /** Destroy the socket after this many events. */
  cutAfter?: number;
  /** Leave out these seqs (a misbehaving server). */
  omit?: number[];
  /** After the events, keep the connection open and silent. */
  stall?: boolean;
  /** Start from seq 1 whatever Last-Event-ID says (duplicates). */
  ignoreLastEventId?: boolean;
  /** Send at most this many events, then end the response normally. */
  endAfter?: number;
}

export interface SseServer {
  url: string;
  /** Per connection: the path, and the headers that matter. */
  requests: { path: string; lastEventId?: string; authorization?: string; date?: string }[];
  close(): Promise<void>;
}

/**
 * A progress-stream stand-in serving `events` of one task as the contract's SSE (id, event,
 * data; a heartbeat comment first), resuming after `Last-Event-ID`. `plan(i)` decides what the
 * i-th connection (0-based) does.
 */
export async function startSseServer(taskId: string, events: AgentEvent[], plan: (i: number) => ConnectionPlan = () => ({})): Promise<SseServer> {
  const requests: SseServer['requests'] = [];
  const open = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const i = requests.length;
    requests.push({
      path: req.url ?? '',
      ...(req.headers['last-event-id'] !== undefined ? { lastEventId: String(req.headers['last-event-id']) } : {}),
      ...(req.headers.authorization !== undefined ? { authorization: String(req.headers.authorization) } : {}),
      ...(req.headers['x-amz-date'] !== undefined ? { date: String(req.headers['x-amz-date']) } : {}),
    });
    const p = plan(i);
    if (req.url !== `/tasks/${taskId}/events`) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"unknown task"}');
      return;
    }
    if (p.status) {
      res.writeHead(p.status, { 'content-type': 'text/plain' }).end(p.body ?? '');
      return;
    }
    const after = p.ignoreLastEventId ? 0 : Number(req.headers['last-event-id'] ?? 0);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(': connected\n\n');
    open.add(res);
    res.on('close', () => open.delete(res));
    let sent = 0;
    for (const e of events) {
      if (e.seq <= after || p.omit?.includes(e.seq)) continue;
      if (p.cutAfter !== undefined && sent >= p.cutAfter) break;
      if (p.endAfter !== undefined && sent >= p.endAfter) break;
      res.write(`id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
      sent++;
    }
    if (p.cutAfter !== undefined && sent >= p.cutAfter) {
      // Flush what was written, then drop the connection without ending the response.
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    if (!p.stall) res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of open) r.socket?.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A task's events: task_started, n turns (turn_started + assistant_text), then the result. */
export function sampleEvents(taskId: string, turns: number, status: 'succeeded' | 'limit_reached' = 'succeeded'): AgentEvent[] {
  const out: AgentEvent[] = [];
  const add = (body: Record<string, unknown>) => out.push({ seq: out.length + 1, time: `2025-01-01T00:00:${String(out.length).padStart(2, '0')}.000Z`, taskId, ...body } as AgentEvent);
  add({ type: 'task_started', prompt: 'p', model: 'm', limits: {} });
  for (let t = 1; t <= turns; t++) {
    add({ type: 'turn_started', turn: t });
    add({ type: 'assistant_text', turn: t, text: `turn ${t}` });
  }
  add({ type: 'result', ...sampleResult(taskId, turns, status) });
  return out;
}

export function sampleResult(taskId: string, turns: number, status: 'succeeded' | 'limit_reached' = 'succeeded') {
  return {
    taskId,
    status,
    stopReason: status === 'succeeded' ? 'end_turn' : 'max_turns',
    turns,
    model: 'm',
    usage: { inputTokens: 10 * turns, outputTokens: 2 * turns, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 },
    costUsd: 0.01 * turns,
    diff: { files: 1, additions: 2, deletions: 1 },
  };
}
