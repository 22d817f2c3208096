import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CuttingProxy {
  url: string;
  /** Per connection: the Last-Event-ID it asked with, and how many events went through. */
  connections: { lastEventId?: string; events: number; cut: boolean }[];
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of an SSE server that forwards whole events and drops the connection
 * (socket destroyed, no clean end) after `cutAfter(i)` events on the i-th streaming (200)
 * connection (undefined: never); other answers (a 404 before the task starts) pass through.
 * Headers go through unchanged, so a SigV4 signature made for the proxy's host still verifies.
 */
export async function startCuttingProxy(target: string, cutAfter: (i: number) => number | undefined): Promise<CuttingProxy> {
  const connections: CuttingProxy['connections'] = [];
  const upstreams = new Set<http.ClientRequest>();
  let streams = 0;
  const server = http.createServer((req, res) => {
    const conn = { ...(req.headers['last-event-id'] !== undefined ? { lastEventId: String(req.headers['last-event-id']) } : {}), events: 0, cut: false };
    connections.push(conn);
    const t = new URL(target);
    const up = http.request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      const limit = upRes.statusCode === 200 ? cutAfter(streams++) : undefined;
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      res.flushHeaders();
      let buffer = '';
      upRes.setEncoding('utf8');
      upRes.on('data', (chunk: string) => {
        if (conn.cut) return;
        buffer += chunk;
        for (let at = buffer.indexOf('\n\n'); at >= 0; at = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, at + 2);
          buffer = buffer.slice(at + 2);
          res.write(block);
          if (/^id:/m.test(block)) conn.events++;
          if (limit !== undefined && conn.events >= limit) {
            conn.cut = true;
            up.destroy();
            setTimeout(() => res.socket?.destroy(), 30);
            return;
          }
        }
      });
      upRes.on('end', () => {
        if (!conn.cut) res.end(buffer);
      });
    });
    upstreams.add(up);
    up.on('close', () => upstreams.delete(up));
    up.on('error', () => res.socket?.destroy());
    res.on('close', () => up.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const u of upstreams) u.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
