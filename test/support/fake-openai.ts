/**
 * A fake of the OpenAI-style HTTP APIs: a real server on 127.0.0.1 (ephemeral port) answering
 * `POST …/responses` (the Responses API) and `POST …/chat/completions` (Chat Completions, as
 * Ollama and LM Studio serve it) with streamed Server-Sent Events, from one script of turns (one
 * turn per model request, whichever the route). A turn is written once, neutrally, and rendered
 * in the wire format of the route: reasoning items with encrypted content, tool calls streamed
 * in fragments with their ids, text, usage. Faults: an HTTP error (429 with retry-after, 5xx), a
 * cut connection, a pause, headers held back (`stall`), an in-stream error; connections reset or
 * refused (`faults`). Every request is recorded.
 *
 *   const fake = await startFakeOpenAI({ script: [[reasoning('Look first.'), toolCall('call_1', 'list_files', {})], [text('Done.')]] });
 *   // base URL: `${fake.url}/v1`; then fake.modelRequests[i].body ...
 *   await fake.close();
 */
import http from 'node:http';
import type net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConnectionFaults, pauseUnlessClosed } from './connection-faults.ts';

export type Json = Record<string, any>;
export type Wire = 'responses' | 'chat';

export type Part =
  | { $: 'text'; text: string; chunks: number }
  | { $: 'reasoning'; summary: string[]; encrypted: string; id: string; chunks: number; field: 'reasoning' | 'reasoning_content' }
  | { $: 'tool'; callId: string; name: string; args: string; chunks: number; itemId: string }
  | { $: 'usage'; input: number; output: number; cached: number }
  | { $: 'finish'; reason: string }
  | { $: 'cut' }
  | { $: 'delay'; ms: number }
  | { $: 'stall'; ms: number }
  | { $: 'streamError'; code: string; message: string; failed: boolean };

export interface HttpErrorTurn {
  $http: { status: number; body: unknown; headers: Record<string, string> };
}
export type TurnFn = (req: RecordedRequest) => Turn | Promise<Turn>;
export type Turn = Part[] | HttpErrorTurn | TurnFn;

export interface RecordedRequest {
  seq: number;
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Json | undefined;
  wire: Wire | null;
  /** Index among model requests. */
  index: number | null;
  response: { kind: 'stream' | 'httpError'; status: number; completed: boolean; cut: boolean } | null;
}

export interface FakeOpenAIOptions {
  script?: Turn[];
  /** Text of the turn given once the script has run out. */
  finalText?: string;
  /** Answer 401 unless `Authorization: Bearer <requireKey>`. */
  requireKey?: string;
  /** Model name echoed in chunks. */
  model?: string;
}

// ---- turn builders ----

/** Assistant text streamed in `chunks` deltas. */
export function text(s: string, opts: { chunks?: number } = {}): Part {
  return { $: 'text', text: s, chunks: opts.chunks ?? 3 };
}

/**
 * A reasoning item: summary parts streamed in `chunks` deltas each, with `encrypted` content
 * (Responses) — or, on the chat route, the joined summary under `field` (`reasoning` as Ollama
 * sends it, or `reasoning_content`).
 */
export function reasoning(summary: string | string[], opts: { encrypted?: string; id?: string; chunks?: number; field?: 'reasoning' | 'reasoning_content' } = {}): Part {
  const parts = Array.isArray(summary) ? summary : [summary];
  return { $: 'reasoning', summary: parts, encrypted: opts.encrypted ?? `enc:${Buffer.from(parts.join('|')).toString('base64')}`, id: opts.id ?? 'rs_fake', chunks: opts.chunks ?? 3, field: opts.field ?? 'reasoning' };
}

/** A function call with its call id; the arguments (JSON of `input`, or `rawArgs`) streamed in `chunks` fragments. */
export function toolCall(callId: string, name: string, input: unknown = {}, opts: { chunks?: number; rawArgs?: string; itemId?: string } = {}): Part {
  return { $: 'tool', callId, name, args: opts.rawArgs ?? JSON.stringify(input), chunks: opts.chunks ?? 3, itemId: opts.itemId ?? `fc_${callId}` };
}

/** Usage of the turn (`cached` of the `input` tokens came from the prompt cache). */
export function usage(input: number, output: number, cached = 0): Part {
  return { $: 'usage', input, output, cached };
}

/** The finish reason (chat) or incomplete reason (`max_output_tokens`, Responses) instead of the natural one. */
export function finish(reason: string): Part {
  return { $: 'finish', reason };
}

/** Drop the connection here. */
export function cut(): Part {
  return { $: 'cut' };
}

/** Pause the stream. */
export function delay(ms: number): Part {
  return { $: 'delay', ms };
}

/** Hold the response headers this long (or until the client gives up): a stalled first byte. */
export function stall(ms: number): Part {
  return { $: 'stall', ms };
}

/** An error inside the stream (`error` event, or `response.failed` with `failed`; a chat `{error}` chunk); ends the stream. */
export function streamError(code: string, message: string, opts: { failed?: boolean } = {}): Part {
  return { $: 'streamError', code, message, failed: !!opts.failed };
}

/** The request fails with HTTP `status` and an OpenAI-style error body; `retryAfter` in seconds. */
export function httpError(status: number, opts: { code?: string; type?: string; message?: string; retryAfter?: number; headers?: Record<string, string>; body?: unknown } = {}): HttpErrorTurn {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.retryAfter !== undefined) headers['retry-after'] = String(opts.retryAfter);
  const body = opts.body ?? { error: { message: opts.message ?? `fake error ${status}`, type: opts.type ?? (status === 429 ? 'requests' : 'server_error'), code: opts.code ?? (status === 429 ? 'rate_limit_exceeded' : null), param: null } };
  return { $http: { status, body, headers } };
}

// ---- the server ----

export class FakeOpenAI {
  readonly requests: RecordedRequest[] = [];
  ranOut = false;
  private script: Turn[];
  private cursor = 0;
  private port = 0;
  private readonly sockets = new Set<net.Socket>();
  private readonly server = http.createServer({ keepAliveTimeout: 5000, requestTimeout: 0, headersTimeout: 0 }, (q, s) => void this.handle(q, s));
  /** Connection faults: `faults.resetNext(n)`, `faults.refuse()` then `faults.accept()`. */
  readonly faults = new ConnectionFaults(this.server, this.sockets);

  constructor(private readonly options: FakeOpenAIOptions = {}) {
    this.script = [...(options.script ?? [])];
    this.server.on('connection', (s) => {
      if (this.faults.intercept(s)) return;
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Requests to a model route, in order. */
  get modelRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.wire !== null);
  }

  /** Replace the script (played from its start). */
  setScript(script: Turn[]): void {
    this.script = [...script];
    this.cursor = 0;
    this.ranOut = false;
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
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    req.on('error', () => {});
    res.on('error', () => {});
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const wire: Wire | null = req.method !== 'POST' ? null : path.endsWith('/responses') ? 'responses' : path.endsWith('/chat/completions') ? 'chat' : null;
    const record: RecordedRequest = { seq: this.requests.length, method: req.method ?? '', path, headers: { ...req.headers }, body: undefined, wire, index: null, response: null };
    this.requests.push(record);
    if (!wire) return this.json(res, 404, { error: { message: `fake-openai: no route for ${req.method} ${path}`, type: 'invalid_request_error' } });
    try {
      record.body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json;
    } catch {
      return this.json(res, 400, { error: { message: 'fake-openai: body is not JSON', type: 'invalid_request_error' } });
    }
    if (this.options.requireKey !== undefined && req.headers.authorization !== `Bearer ${this.options.requireKey}`) {
      return this.json(res, 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } });
    }
    record.index = this.modelRequests.length - 1;
    let turn = this.nextTurn();
    while (typeof turn === 'function') turn = await turn(record);
    if (!Array.isArray(turn)) {
      record.response = { kind: 'httpError', status: turn.$http.status, completed: true, cut: false };
      return this.json(res, turn.$http.status, turn.$http.body, turn.$http.headers);
    }
    record.response = { kind: 'stream', status: 200, completed: false, cut: false };
    const held = turn.find((p) => p.$ === 'stall');
    if (held && (await pauseUnlessClosed(held.ms, res))) return;
    const frames = wire === 'responses' ? renderResponses(turn, record.index, this.options.model ?? String(record.body?.model ?? 'fake')) : renderChat(turn, record.index, this.options.model ?? String(record.body?.model ?? 'fake'));
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-request-id': `req_${record.seq}` });
    let n = 0;
    for (const f of frames) {
      if (res.destroyed) return;
      if (f.kind === 'delay') {
        if (await pauseUnlessClosed(f.ms, res)) return;
        continue;
      }
      if (f.kind === 'cut') {
        record.response.cut = true;
        await sleep(20);
        res.socket?.destroy();
        return;
      }
      // Every third frame goes out in two writes, to exercise the client's buffering.
      if (n++ % 3 === 1 && f.text.length > 8) {
        const at = Math.floor(f.text.length / 2);
        res.write(f.text.slice(0, at));
        await new Promise((r) => setImmediate(r));
        res.write(f.text.slice(at));
      } else {
        res.write(f.text);
      }
      await new Promise((r) => setImmediate(r));
    }
    res.end();
    record.response.completed = true;
  }

  private nextTurn(): Turn {
    if (this.cursor < this.script.length) return this.script[this.cursor++];
    this.ranOut = true;
    return [text(this.options.finalText ?? 'All done.')];
  }

  private json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const buf = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(buf.length), ...headers });
    res.end(buf);
  }
}

/** Starts a fake on 127.0.0.1 with an ephemeral port. */
export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  return new FakeOpenAI(options).start();
}

// ---- rendering ----

type Frame = { kind: 'data'; text: string } | { kind: 'cut' } | { kind: 'delay'; ms: number };

/** Splits `s` into at most `n` pieces (at least one). */
export function pieces(s: string, n: number): string[] {
  const cps = Array.from(s);
  if (cps.length === 0 || n <= 1) return [s];
  const k = Math.min(n, cps.length);
  const out: string[] = [];
  for (let i = 0, start = 0; i < k; i++) {
    const end = i === k - 1 ? cps.length : Math.round(((i + 1) * cps.length) / k);
    out.push(cps.slice(start, end).join(''));
    start = end;
  }
  return out;
}

function usageOf(turn: Part[], index: number): { input: number; output: number; cached: number } {
  const u = turn.find((p) => p.$ === 'usage') as Extract<Part, { $: 'usage' }> | undefined;
  return u ?? { input: 100 + 10 * index, output: 20 + index, cached: 0 };
}

/** The Responses API stream of a turn, as `event:`/`data:` frames. */
export function renderResponses(turn: Part[], index: number, model: string): Frame[] {
  const frames: Frame[] = [];
  let seq = 0;
  const id = `resp_${index}`;
  const emit = (type: string, payload: Json) => frames.push({ kind: 'data', text: `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...payload })}\n\n` });
  const base = { id, object: 'response', model, created_at: 1_700_000_000 + index };
  emit('response.created', { response: { ...base, status: 'in_progress', output: [] } });
  emit('response.in_progress', { response: { ...base, status: 'in_progress', output: [] } });
  const output: Json[] = [];
  for (const p of turn) {
    const oi = output.length;
    if (p.$ === 'text') {
      const itemId = `msg_${index}_${oi}`;
      emit('response.output_item.added', { output_index: oi, item: { id: itemId, type: 'message', status: 'in_progress', role: 'assistant', content: [] } });
      emit('response.content_part.added', { item_id: itemId, output_index: oi, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
      for (const d of pieces(p.text, p.chunks)) emit('response.output_text.delta', { item_id: itemId, output_index: oi, content_index: 0, delta: d, logprobs: [] });
      emit('response.output_text.done', { item_id: itemId, output_index: oi, content_index: 0, text: p.text, logprobs: [] });
      const part = { type: 'output_text', text: p.text, annotations: [], logprobs: [] };
      emit('response.content_part.done', { item_id: itemId, output_index: oi, content_index: 0, part });
      const item = { id: itemId, type: 'message', status: 'completed', role: 'assistant', content: [part] };
      emit('response.output_item.done', { output_index: oi, item });
      output.push(item);
    } else if (p.$ === 'reasoning') {
      emit('response.output_item.added', { output_index: oi, item: { id: p.id, type: 'reasoning', summary: [] } });
      p.summary.forEach((s, si) => {
        emit('response.reasoning_summary_part.added', { item_id: p.id, output_index: oi, summary_index: si, part: { type: 'summary_text', text: '' } });
        for (const d of pieces(s, p.chunks)) emit('response.reasoning_summary_text.delta', { item_id: p.id, output_index: oi, summary_index: si, delta: d });
        emit('response.reasoning_summary_text.done', { item_id: p.id, output_index: oi, summary_index: si, text: s });
        emit('response.reasoning_summary_part.done', { item_id: p.id, output_index: oi, summary_index: si, part: { type: 'summary_text', text: s } });
      });
      const item = { id: p.id, type: 'reasoning', summary: p.summary.map((s) => ({ type: 'summary_text', text: s })), encrypted_content: p.encrypted };
      emit('response.output_item.done', { output_index: oi, item });
      output.push(item);
    } else if (p.$ === 'tool') {
      emit('response.output_item.added', { output_index: oi, item: { id: p.itemId, type: 'function_call', status: 'in_progress', arguments: '', call_id: p.callId, name: p.name } });
      for (const d of pieces(p.args, p.chunks)) emit('response.function_call_arguments.delta', { item_id: p.itemId, output_index: oi, delta: d });
      emit('response.function_call_arguments.done', { item_id: p.itemId, output_index: oi, arguments: p.args });
      const item = { id: p.itemId, type: 'function_call', status: 'completed', arguments: p.args, call_id: p.callId, name: p.name };
      emit('response.output_item.done', { output_index: oi, item });
      output.push(item);
    } else if (p.$ === 'cut' || p.$ === 'delay') {
      frames.push(p.$ === 'cut' ? { kind: 'cut' } : { kind: 'delay', ms: p.ms });
    } else if (p.$ === 'streamError') {
      if (p.failed) emit('response.failed', { response: { ...base, status: 'failed', output, error: { code: p.code, message: p.message } } });
      else emit('error', { code: p.code, message: p.message, param: null });
      return frames;
    }
  }
  const u = usageOf(turn, index);
  const usageJson = { input_tokens: u.input, input_tokens_details: { cached_tokens: u.cached }, output_tokens: u.output, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: u.input + u.output };
  const fin = turn.find((p) => p.$ === 'finish') as Extract<Part, { $: 'finish' }> | undefined;
  if (fin) emit('response.incomplete', { response: { ...base, status: 'incomplete', incomplete_details: { reason: fin.reason }, output, usage: usageJson } });
  else emit('response.completed', { response: { ...base, status: 'completed', output, usage: usageJson } });
  return frames;
}

/** The Chat Completions stream of a turn, as `data:` frames ending with `[DONE]`. */
export function renderChat(turn: Part[], index: number, model: string): Frame[] {
  const frames: Frame[] = [];
  const chunk = (choices: Json[], extra: Json = {}) => frames.push({ kind: 'data', text: `data: ${JSON.stringify({ id: `chatcmpl-${index}`, object: 'chat.completion.chunk', created: 1_700_000_000 + index, model, system_fingerprint: 'fp_fake', choices, ...extra })}\n\n` });
  const delta = (d: Json) => chunk([{ index: 0, delta: d, finish_reason: null }]);
  delta({ role: 'assistant', content: '' });
  let toolIndex = 0;
  for (const p of turn) {
    if (p.$ === 'text') for (const d of pieces(p.text, p.chunks)) delta({ content: d });
    else if (p.$ === 'reasoning') for (const d of pieces(p.summary.join('\n\n'), p.chunks)) delta({ [p.field]: d });
    else if (p.$ === 'tool') {
      const k = toolIndex++;
      delta({ tool_calls: [{ index: k, id: p.callId, type: 'function', function: { name: p.name, arguments: '' } }] });
      for (const d of pieces(p.args, p.chunks)) delta({ tool_calls: [{ index: k, function: { arguments: d } }] });
    } else if (p.$ === 'cut' || p.$ === 'delay') {
      frames.push(p.$ === 'cut' ? { kind: 'cut' } : { kind: 'delay', ms: p.ms });
    } else if (p.$ === 'streamError') {
      frames.push({ kind: 'data', text: `data: ${JSON.stringify({ error: { message: p.message, type: p.code, code: p.code } })}\n\n` });
      return frames;
    }
  }
  const fin = turn.find((p) => p.$ === 'finish') as Extract<Part, { $: 'finish' }> | undefined;
  chunk([{ index: 0, delta: {}, finish_reason: fin?.reason ?? (toolIndex > 0 ? 'tool_calls' : 'stop') }]);
  const u = usageOf(turn, index);
  chunk([], { usage: { prompt_tokens: u.input, completion_tokens: u.output, total_tokens: u.input + u.output, prompt_tokens_details: { cached_tokens: u.cached } } });
  frames.push({ kind: 'data', text: 'data: [DONE]\n\n' });
  return frames;
}
