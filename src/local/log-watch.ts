import { Writable } from 'node:stream';

/** A structured log line (Powertools' JSON) of the function, as far as a summary needs it. */
interface LogLine {
  level?: string;
  message?: string;
  error?: unknown;
}

/**
 * Forwards a function's output (its logs) and remembers what a one-line summary needs: the
 * messages of its error and warning lines, with their `error` field. Lines that are not JSON are
 * forwarded only.
 */
export class FunctionLogWatch extends Writable {
  /** `message: error` of each ERROR and WARN line, in order. */
  readonly problems: string[] = [];
  private partial = '';

  constructor(private readonly forward: Writable) {
    super();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.forward.write(chunk);
    const text = this.partial + chunk.toString('utf8');
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.take(line);
    cb();
  }

  private take(line: string): void {
    const start = line.indexOf('{');
    if (start < 0) return;
    let parsed: LogLine;
    try {
      parsed = JSON.parse(line.slice(start)) as LogLine;
    } catch {
      return;
    }
    if (typeof parsed.message !== 'string') return;
    const level = String(parsed.level ?? '').toUpperCase();
    if (level === 'ERROR' || level === 'WARN') this.problems.push(parsed.error === undefined ? parsed.message : `${parsed.message}: ${errorText(parsed.error)}`);
  }
}

function errorText(error: unknown): string {
  if (typeof error === 'string') return error;
  const e = error as { message?: unknown; name?: unknown; cause?: unknown };
  const message = typeof e?.message === 'string' ? e.message : JSON.stringify(error);
  const cause = typeof e?.cause === 'string' && e.cause !== '' && !message.includes(e.cause) ? ` (${e.cause})` : '';
  return `${message}${cause}`;
}
