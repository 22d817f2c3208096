/**
 * The project's fake Amazon Bedrock Runtime: a real server on 127.0.0.1 (ephemeral port) that
 * speaks HTTP/1.1 and HTTP/2 cleartext on one port (the h2 preface is sniffed), answering
 * `POST /model/{id}/converse-stream` with `application/vnd.amazon.eventstream` frames and
 * `POST /model/{id}/converse` with JSON, from a script of turns (one turn per model request).
 * It imitates real streams: `"p"` padding in every payload, contentBlockStart only for toolUse,
 * messageStop before metadata, frames split across writes.
 *
 *   const fake = await startFakeBedrock({ script: [[text('hi'), toolUse('t1', 'list_files', {})], [text('done')]] });
 *   // client endpoint = fake.url ... then fake.modelRequests, fake.usageTotals(), fake.ranOut
 *   await fake.close();
 */
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultUsage, EXCEPTION_STATUS, stop, text, type Json, type Turn, type TurnFn, type WireItem } from './fake-bedrock-parts.ts';
import { assembleTurn, expandTurn, type AssembledTurn } from './fake-bedrock-turns.ts';
import { encodeEventFrame, encodeExceptionFrame } from './fake-bedrock-frames.ts';
import { replaySocket } from './fake-bedrock-net.ts';
import { ConnectionFaults, pauseUnlessClosed } from './connection-faults.ts';

export {
  cut,
  delay,
  event,
  exception,
  fromChunksText,
  goaway,
  httpError,
  metadata,
  raw,
  rawBytes,
  reasoning,
  redacted,
  redactedReasoning,
  stall,
  stop,
  text,
  toolUse,
} from './fake-bedrock-parts.ts';
export type { Json, Part, Turn, TurnContext, TurnFn } from './fake-bedrock-parts.ts';
export { assembleTurn, expandTurn } from './fake-bedrock-turns.ts';
export { decodeFrames, encodeEventFrame, encodeExceptionFrame } from './fake-bedrock-frames.ts';
export { countCachePoints, findToolResult, toolResultText, toolResultsIn } from './fake-bedrock-inspect.ts';

export type Protocol = 'http/1.1' | 'h2c';

export interface RecordedRequest {
  seq: number;
  protocol: Protocol;
  method: string;
  path: string;
  headers: Record<string, unknown>;
  /** Parsed JSON body (undefined when not JSON). */
  body: Json | undefined;
  operation: 'converse' | 'converse-stream' | null;
  modelId: string | null;
  /** Index among model requests. */
  index: number | null;
  ranOut?: boolean;
  response: RecordedResponse | null;
}

/** What the fake answered: the assembled turn, and what actually went out. */
export interface RecordedResponse extends Partial<Omit<AssembledTurn, 'usage'>> {
  kind: 'stream' | 'json' | 'httpError';
  status?: number;
  errorType?: string;
  /** Usage as actually sent (null until the metadata event was written). */
  usage?: Json | null;
  completed?: boolean;
  cut?: boolean;
}

export interface FakeBedrockOptions {
  script?: Turn[] | TurnFn;
  /** Text of the turn given once the script has run out. */
  finalText?: string;
  /** Add the `"p"` padding field to event payloads (default true). */
  padding?: boolean;
  /** Write every other frame in two pieces (default true). */
  splitFrames?: boolean;
}

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const PAD = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const ROUTE = /^\/model\/([^/]+)\/(converse-stream|converse)$/;

type AnyRequest = http.IncomingMessage | http2.Http2ServerRequest;
type AnyResponse = (http.ServerResponse | http2.Http2ServerResponse) & {
  writeHead(status: number, headers: Record<string, string>): unknown;
  write(chunk: Uint8Array): boolean;
  end(chunk?: Uint8Array): unknown;
};

export class FakeBedrock {
  readonly requests: RecordedRequest[] = [];
  readonly protocols: Record<Protocol, number> = { 'http/1.1': 0, h2c: 0 };
  /** Errors thrown by script functions. */
  readonly errors: unknown[] = [];
  ranOut = false;
  private script: Turn[] | TurnFn;
  private cursor = 0;
  private port = 0;
  private padCounter = 0;
  private readonly sockets = new Set<net.Socket>();
  private readonly sessions = new Set<http2.Http2Session>();
  private readonly h1 = http.createServer({ keepAliveTimeout: 5000, requestTimeout: 0, headersTimeout: 0 }, (q, s) => void this.handle(q, s as AnyResponse, 'http/1.1'));
  private readonly h2 = http2.createServer({}, (q, s) => void this.handle(q, s as AnyResponse, 'h2c'));
  private readonly server = net.createServer({ noDelay: true }, (socket) => this.sniff(socket));
  /** Connection faults: `faults.resetNext(n)`, `faults.refuse()` then `faults.accept()`. */
  readonly faults = new ConnectionFaults(this.server, this.sockets);

  constructor(private readonly options: FakeBedrockOptions = {}) {
    this.script = typeof options.script === 'function' ? options.script : [...(options.script ?? [])];
    this.h2.on('session', (s) => {
      this.sessions.add(s);
      s.on('close', () => this.sessions.delete(s));
      s.on('error', () => {});
    });
    this.h1.on('clientError', (_e, sock) => sock.destroy());
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Requests to /converse-stream or /converse, in order. */
  get modelRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.operation !== null);
  }

  /** Turns not yet played. */
  get remaining(): number {
    return typeof this.script === 'function' ? Infinity : Math.max(0, this.script.length - this.cursor);
  }

  /** Append turns to the script. */
  push(...turns: Turn[]): void {
    if (typeof this.script === 'function') throw new Error('fake-bedrock: the script is a function');
    this.script.push(...turns);
  }

  /** Replace the script (played from its start). */
  setScript(script: Turn[] | TurnFn): void {
    this.script = typeof script === 'function' ? script : [...script];
    this.cursor = 0;
    this.ranOut = false;
  }

  /** Sums of the usage the fake reported in metadata events / Converse answers. */
  usageTotals(): { inputTokens: number; outputTokens: number; cacheReadInputTokens: number; cacheWriteInputTokens: number; totalTokens: number } {
    const t = { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, totalTokens: 0 };
    for (const r of this.requests) {
      const u = r.response?.usage;
      if (u) for (const k of Object.keys(t) as (keyof typeof t)[]) t[k] += Number(u[k] ?? 0);
    }
    return t;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.sessions) s.destroy();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.h1.close();
    this.h2.close();
  }

  // Reads until the first bytes tell HTTP/2 (prior knowledge preface) from HTTP/1.1, then hands
  // the connection, those bytes replayed, to the matching server.
  private sniff(socket: net.Socket): void {
    if (this.faults.intercept(socket)) return;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const n = Math.min(head.length, H2_PREFACE.length);
      const isH2 = head.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
      if (isH2 && head.length < H2_PREFACE.length) return;
      socket.off('data', onData);
      socket.pause();
      (isH2 ? this.h2 : this.h1).emit('connection', replaySocket(socket, head));
    };
    socket.on('data', onData);
  }

  private pad(payload: Json): Json {
    if (this.options.padding === false || !payload || typeof payload !== 'object' || Array.isArray(payload)) return payload;
    this.padCounter = (this.padCounter + 7) % PAD.length;
    return { ...payload, p: PAD.slice(0, 1 + this.padCounter) };
  }

  private async nextTurn(body: Json, index: number, record: RecordedRequest): Promise<Exclude<Turn, TurnFn>> {
    let turn: Turn;
    if (typeof this.script === 'function') turn = this.script;
    else if (this.cursor < this.script.length) turn = this.script[this.cursor++];
    else {
      this.ranOut = true;
      record.ranOut = true;
      return [text(this.options.finalText ?? 'All done.'), stop('end_turn')];
    }
    const ctx = { index, modelId: record.modelId ?? '', operation: record.operation ?? 'converse-stream', headers: record.headers };
    while (typeof turn === 'function') turn = await turn(body, index, ctx);
    return turn;
  }

  private async handle(req: AnyRequest, res: AnyResponse, protocol: Protocol): Promise<void> {
    this.protocols[protocol]++;
    req.on('error', () => {});
    res.on('error', () => {});
    const chunks: Buffer[] = [];
    try {
      for await (const c of req) chunks.push(c as Buffer);
    } catch {
      return;
    }
    const url = new URL(req.url ?? '/', 'http://fake');
    const record: RecordedRequest = {
      seq: this.requests.length,
      protocol,
      method: req.method ?? '',
      path: url.pathname,
      headers: { ...req.headers },
      body: undefined,
      operation: null,
      modelId: null,
      index: null,
      response: null,
    };
    this.requests.push(record);
    const m = ROUTE.exec(url.pathname);
    if (req.method !== 'POST' || !m) {
      record.response = { kind: 'httpError', status: 404 };
      return this.sendError(res, 404, 'UnknownOperationException', `fake-bedrock: no route for ${req.method} ${url.pathname}`);
    }
    record.operation = m[2] as 'converse' | 'converse-stream';
    record.modelId = decodeURIComponent(m[1]);
    try {
      record.body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json) : {};
    } catch (e) {
      record.response = { kind: 'httpError', status: 400 };
      return this.sendError(res, 400, 'SerializationException', `fake-bedrock: request body is not JSON: ${(e as Error).message}`);
    }
    const index = this.modelRequests.length - 1;
    record.index = index;
    let items: WireItem[];
    try {
      items = expandTurn(await this.nextTurn(record.body, index, record), index);
    } catch (e) {
      this.errors.push(e);
      record.response = { kind: 'httpError', status: 500 };
      return this.sendError(res, 500, 'InternalServerException', `fake-bedrock script error: ${(e as Error).message}`);
    }
    if (items[0]?.kind === 'stall' && (await pauseUnlessClosed(items[0].ms, res as unknown as http.ServerResponse))) {
      record.response = { kind: 'stream', usage: null, completed: false };
      return;
    }
    const first = items.find((it) => it.kind !== 'stall');
    const assembled = assembleTurn(items);
    const response: RecordedResponse = { ...assembled, kind: first?.kind === 'httpError' ? 'httpError' : record.operation === 'converse' ? 'json' : 'stream', usage: null, completed: false };
    record.response = response;
    try {
      if (first?.kind === 'httpError') {
        response.status = first.status;
        response.errorType = first.type;
        this.sendError(res, first.status, first.type, first.message, first.headers, first.body);
        response.completed = true;
      } else if (record.operation === 'converse') {
        await this.sendConverse(res, record, items, assembled);
      } else {
        await this.sendStream(res, record, items, protocol);
      }
    } catch {
      // the client went away mid-answer
    }
  }

  private sendError(res: AnyResponse, status: number, type: string | undefined, message: string, extra: Record<string, string> = {}, bodyOverride?: unknown): void {
    const payload = bodyOverride !== undefined ? (typeof bodyOverride === 'string' ? bodyOverride : JSON.stringify(bodyOverride)) : JSON.stringify({ message });
    const body = Buffer.from(payload);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(body.length), 'x-amzn-requestid': randomUUID() };
    for (const [k, v] of Object.entries(extra)) headers[k.toLowerCase()] = v;
    if (type) headers['x-amzn-errortype'] = `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`;
    res.writeHead(status, headers);
    res.end(body);
  }

  private async sendStream(res: AnyResponse, record: RecordedRequest, items: WireItem[], protocol: Protocol): Promise<void> {
    const response = record.response!;
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': randomUUID() });
    let n = 0;
    for (const it of items) {
      if (res.destroyed || (res as http2.Http2ServerResponse).stream?.destroyed) break;
      if (it.kind === 'delay') {
        if (await pauseUnlessClosed(it.ms, res as unknown as http.ServerResponse)) return;
        continue;
      }
      if (it.kind === 'cut' || it.kind === 'goaway') {
        response.cut = true;
        await sleep(20);
        const stream = protocol === 'h2c' ? (res as http2.Http2ServerResponse).stream : undefined;
        if (stream && it.kind === 'goaway') {
          stream.session?.goaway(http2.constants.NGHTTP2_INTERNAL_ERROR);
          stream.session?.destroy();
        } else if (stream) stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
        else (res as http.ServerResponse).socket?.destroy();
        return;
      }
      const frame =
        it.kind === 'event' ? encodeEventFrame(it.eventType, this.pad(it.payload)) : it.kind === 'exception' ? encodeExceptionFrame(it.exceptionType, it.payload) : it.kind === 'bytes' ? it.bytes : undefined;
      if (!frame) continue;
      if (this.options.splitFrames !== false && n % 2 === 1 && frame.length > 24) {
        const at = 9 + (frame.length % 11);
        res.write(frame.subarray(0, at));
        await new Promise((r) => setImmediate(r));
        res.write(frame.subarray(at));
      } else {
        res.write(frame);
      }
      n++;
      if (it.kind === 'event' && it.eventType === 'metadata') response.usage = (it.payload?.usage as Json) ?? null;
      await new Promise((r) => setImmediate(r));
      if (it.kind === 'exception') break;
    }
    res.end();
    response.completed = true;
  }

  private async sendConverse(res: AnyResponse, record: RecordedRequest, items: WireItem[], assembled: AssembledTurn): Promise<void> {
    const response = record.response!;
    for (const it of items) if (it.kind === 'delay' && (await pauseUnlessClosed(it.ms, res as unknown as http.ServerResponse))) return;
    const fault = assembled.fault;
    if (fault?.type === 'cut') {
      response.cut = true;
      const h2res = res as http2.Http2ServerResponse;
      if (h2res.stream) h2res.stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
      else (res as http.ServerResponse).socket?.destroy();
      return;
    }
    if (fault?.type === 'exception') {
      const t = fault.exceptionType;
      response.status = EXCEPTION_STATUS[t.toLowerCase()] ?? 500;
      this.sendError(res, response.status, t.charAt(0).toUpperCase() + t.slice(1), String(fault.payload?.message ?? t));
      return;
    }
    const usage = assembled.usage ?? defaultUsage(record.index ?? 0);
    const body = { output: { message: assembled.message }, stopReason: assembled.stopReason ?? 'end_turn', usage, metrics: assembled.metrics ?? { latencyMs: 42 } };
    response.usage = usage;
    const buf = Buffer.from(JSON.stringify(body));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(buf.length), 'x-amzn-requestid': randomUUID() });
    res.end(buf);
    response.completed = true;
  }
}

/** Starts a fake on 127.0.0.1 with an ephemeral port. */
export async function startFakeBedrock(options: FakeBedrockOptions = {}): Promise<FakeBedrock> {
  return new FakeBedrock(options).start();
}
