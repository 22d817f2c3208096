/**
 * A counting HTTP proxy in front of the S3 emulator: every request is forwarded unchanged and
 * recorded (method, path, bytes of headers and body), with the text of event segments kept so
 * requests can be attributed to turns by the events they carry.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  method: string;
  path: string;
  bodyBytes: number;
  /** Request line and headers as sent. */
  headerBytes: number;
  /** The body of an event segment PUT (`.../events/<seq>.ndjson`), for attribution. */
  segment?: string;
}

export interface CountingProxy {
  url: string;
  readonly requests: ProxiedRequest[];
  close(): Promise<void>;
}

const SEGMENT = /\/events\/\d{8,}\.ndjson$/;

/** Starts the proxy on an ephemeral loopback port, forwarding to `target` (`http://host:port`). */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const to = new URL(target);
  const requests: ProxiedRequest[] = [];
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const pathOnly = (req.url ?? '/').split('?')[0];
      const headerBytes = Buffer.byteLength(`${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`) + req.rawHeaders.reduce((n, h) => n + Buffer.byteLength(h) + 2, 0) + 2;
      const record: ProxiedRequest = { method: req.method ?? '', path: decodeURIComponent(pathOnly), bodyBytes: body.length, headerBytes };
      if (req.method === 'PUT' && SEGMENT.test(pathOnly)) record.segment = body.toString('utf8');
      requests.push(record);
      const upstream = http.request(
        { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers, agent },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', (err) => {
        if (!res.headersSent) res.writeHead(502);
        res.end(String(err));
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Requests per turn: a request belongs to the turn of the last `turn_started` event sent before
 * or with it (0 before the first turn).
 */
export function requestsByTurn(requests: ProxiedRequest[]): Map<number, ProxiedRequest[]> {
  const out = new Map<number, ProxiedRequest[]>();
  let turn = 0;
  for (const r of requests) {
    if (r.segment) {
      for (const line of r.segment.split('\n')) {
        if (!line.includes('"turn_started"')) continue;
        const e = JSON.parse(line) as { type?: string; turn?: number };
        if (e.type === 'turn_started' && typeof e.turn === 'number') turn = e.turn;
      }
    }
    const list = out.get(turn) ?? [];
    list.push(r);
    out.set(turn, list);
  }
  return out;
}
