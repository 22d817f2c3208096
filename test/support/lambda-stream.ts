import type { Context } from 'aws-lambda';
import { createLambdaContext, invokeHandler, LocalResponseStream, type InvokeResult } from '../../src/local/index.ts';
import type { HttpResponsePrelude } from '../../src/progress/index.ts';

/** A streaming invocation watched while it runs, as a function-URL client would see it. */
export interface OpenStream {
  /** Resolves with the prelude once the handler's first write sends it (undefined: none). */
  prelude: Promise<HttpResponsePrelude | undefined>;
  /** The body so far. */
  text(): string;
  /** Resolves once the body so far satisfies `test` (rejects after `timeoutMs`). */
  waitFor(test: (body: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves when the handler has returned and the stream has finished. */
  done: Promise<InvokeResult & { elapsedMs: number }>;
  /** Drops the connection, as a client going away would. */
  disconnect(): void;
}

/**
 * Invokes a handler wrapped with `awslambda.streamifyResponse` through the local shim of the
 * runtime's response stream (prelude on first write, 8 NUL bytes, then the body).
 */
export function openStream(handler: unknown, event: unknown, opts: { timeoutMs?: number; context?: Context } = {}): OpenStream {
  const stream = new LocalResponseStream();
  let body = '';
  const waiters = new Set<() => void>();
  stream.on('body', (chunk: Buffer) => {
    body += chunk.toString('utf8');
    for (const w of waiters) w();
  });
  const prelude = new Promise<HttpResponsePrelude | undefined>((resolve) => stream.once('prelude', resolve));
  const started = Date.now();
  const context = opts.context ?? createLambdaContext({ functionName: 'Progress', timeoutMs: opts.timeoutMs ?? 900_000, clock: Date.now });
  const done = invokeHandler(handler, event, context, stream).then((r) => {
    for (const w of waiters) w();
    return { ...r, elapsedMs: Date.now() - started };
  });
  let finished = false;
  void done.finally(() => (finished = true)).catch(() => undefined);
  return {
    prelude,
    done,
    text: () => body,
    disconnect: () => stream.destroy(),
    waitFor(test, timeoutMs = 10_000) {
      return new Promise<string>((resolve, reject) => {
        const check = () => {
          if (test(body)) {
            cleanup();
            resolve(body);
          } else if (finished) {
            cleanup();
            reject(new Error(`the stream ended without the expected content; body:\n${body}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out after ${timeoutMs} ms; body so far:\n${body}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}

/** Server-sent events of a body: `{id, event, data}` for each dispatched event, comments apart. */
export function parseSse(body: string): { events: { id?: string; event?: string; data: any }[]; comments: string[]; retry?: number } {
  const events: { id?: string; event?: string; data: any }[] = [];
  const comments: string[] = [];
  let retry: number | undefined;
  for (const block of body.split('\n\n')) {
    if (block.trim() === '') continue;
    const fields: Record<string, string> = {};
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) comments.push(line.slice(1).trim());
      else {
        const i = line.indexOf(':');
        fields[line.slice(0, i)] = line.slice(i + 1).replace(/^ /, '');
      }
    }
    if (fields.retry !== undefined) retry = Number(fields.retry);
    if (fields.data !== undefined) events.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data) });
  }
  return { events, comments, ...(retry !== undefined ? { retry } : {}) };
}
