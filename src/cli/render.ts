import type { Writable } from 'node:stream';
import type { AgentEvent } from '../task/events.ts';
import { formatResultSummary, formatTokens, plural } from '../client/summary.ts';

export interface Renderer {
  event(e: AgentEvent): void;
  close(): void;
}

/** The error stream, with what a terminal tells about itself (`process.stderr` has all of it). */
export type ErrStream = Writable & { columns?: number; on?: (event: 'resize', listener: () => void) => unknown; off?: (event: 'resize', listener: () => void) => unknown };

export interface RendererOptions {
  /** One JSON object a line on `out`, nothing else. */
  json: boolean;
  /** `err` is a terminal: keep a live status line. */
  tty: boolean;
  /** ANSI colours on `err` (see colorEnabled). */
  color?: boolean;
  out: Writable;
  err: ErrStream;
  /** For the spinner; tests pass a no-op. */
  setInterval?: typeof setInterval;
  clearInterval?: typeof clearInterval;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** Columns assumed when a terminal does not say. */
const DEFAULT_COLUMNS = 80;

/** Whether to colour `stream`: a terminal, `NO_COLOR` unset or empty (no-color.org), and not TERM=dumb. */
export function colorEnabled(stream: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  return !!stream.isTTY && !env.NO_COLOR && env.TERM !== 'dumb';
}

/** SGR wrappers that do nothing when colour is off. */
function palette(on: boolean) {
  const sgr = (code: string) => (s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { red: sgr('31'), green: sgr('32'), yellow: sgr('33'), dim: sgr('2'), bold: sgr('1') };
}

/**
 * `s` cut to fit one terminal row of `columns` (one column spare, so that no terminal wraps it),
 * counting code points: the status line holds only single-width characters.
 */
export function fitWidth(s: string, columns: number): string {
  const chars = Array.from(s);
  const room = Math.max(1, columns - 1);
  return chars.length <= room ? s : `${chars.slice(0, Math.max(0, room - 1)).join('')}…`;
}

/**
 * Shows a run's events: JSON lines for machines (`--json`), else readable lines on `err`
 * and, on a terminal, a status line with turn, tokens, cost, the tool running and a spinner,
 * fitted to the terminal's width (again whenever it is resized).
 */
export function createRenderer(opts: RendererOptions): Renderer {
  if (opts.json) {
    return {
      event: (e) => void opts.out.write(`${JSON.stringify(e)}\n`),
      close: () => undefined,
    };
  }
  const state = { turn: 0, tokens: 0, cost: 0, activity: 'starting', frame: 0, startedAt: undefined as string | undefined };
  const err = opts.err;
  const c = palette(!!opts.color);
  let statusShown = false;
  const clearStatus = () => {
    if (opts.tty && statusShown) err.write('\r\x1b[2K');
    statusShown = false;
  };
  const drawStatus = () => {
    if (!opts.tty) return;
    const s = `${SPINNER[state.frame % SPINNER.length]} turn ${state.turn} · ${formatTokens(state.tokens)} tokens · $${state.cost.toFixed(4)} · ${state.activity}`;
    err.write(`\r\x1b[2K${c.dim(fitWidth(s, err.columns || DEFAULT_COLUMNS))}`);
    statusShown = true;
  };
  const line = (s: string) => {
    clearStatus();
    err.write(`${s}\n`);
    drawStatus();
  };
  const timer = opts.tty ? (opts.setInterval ?? setInterval)(() => { state.frame++; drawStatus(); }, 120) : undefined;
  timer?.unref?.();
  // After a resize the old status line may no longer fit: draw it again at the new width.
  const onResize = () => drawStatus();
  if (opts.tty) err.on?.('resize', onResize);

  return {
    event(e) {
      switch (e.type) {
        case 'task_started':
          state.startedAt = e.time;
          line(`task ${e.taskId} · model ${e.model}`);
          break;
        case 'turn_started':
          state.turn = e.turn;
          state.activity = 'thinking';
          if (!opts.tty) line(`turn ${e.turn}`);
          else drawStatus();
          break;
        case 'assistant_text':
          line(indent(e.text));
          break;
        case 'reasoning':
          if (!e.redacted && e.text.trim()) line(c.dim(indent(`(thinking) ${firstLine(e.text, 160)}`)));
          break;
        case 'tool_call':
          state.activity = `running ${e.name}`;
          line(`→ ${e.name} ${summariseInput(e.input)}`);
          break;
        case 'tool_result':
          state.activity = 'thinking';
          line(`${e.status === 'success' ? c.green('✓') : c.red('✗')} ${e.name} (${e.durationMs} ms)${e.status === 'error' ? `: ${firstLine(e.output, 160)}` : ''}`);
          break;
        case 'usage':
          state.tokens = e.totalTokens;
          state.cost = e.costUsd;
          if (!opts.tty) line(`usage: ${formatTokens(e.totalTokens)} tokens, $${e.costUsd.toFixed(4)}`);
          else drawStatus();
          break;
        case 'retry':
          line(c.yellow(`retrying in ${e.waitMs} ms (attempt ${e.attempt}): ${e.error.code} ${e.error.message}`));
          break;
        case 'failover':
          line(c.yellow(`failing over from ${e.from} to ${e.to}: ${e.error.code}`));
          break;
        case 'context_trimmed':
          line(`context trimmed (${e.strategy}): ~${e.before} → ~${e.after} tokens`);
          break;
        case 'checkpoint':
          line(`checkpoint after turn ${e.turn} (${e.reason})`);
          break;
        case 'mcp_server':
          line(e.status === 'ready' ? `MCP server ${e.server}: ${plural(e.tools.length, 'tool')} (${e.durationMs} ms)` : `warning: ${e.error?.message ?? `MCP server ${e.server} did not start`}`);
          break;
        case 'setup_started':
          state.activity = 'setting up';
          line(`setup: ${e.command}`);
          break;
        case 'setup_finished':
          line(`${e.status === 'succeeded' ? '✓' : '✗'} setup (${e.durationMs} ms)${e.status === 'failed' ? `: exit code ${e.exitCode ?? 'timeout'}` : ''}`);
          break;
        case 'setup_skipped':
          line(`setup: ${e.path} not run (${e.reason})`);
          break;
        case 'result': {
          state.activity = e.status;
          clearStatus();
          const durationMs = state.startedAt ? Date.parse(e.time) - Date.parse(state.startedAt) : undefined;
          const summary = formatResultSummary(e, { durationMs: Number.isFinite(durationMs) ? durationMs : undefined });
          const paint = e.status === 'succeeded' ? c.green : e.status === 'limit_reached' ? c.yellow : c.red;
          err.write(`${paint(c.bold(e.status))}${summary.slice(e.status.length)}\n`);
          break;
        }
      }
    },
    close() {
      if (timer) (opts.clearInterval ?? clearInterval)(timer);
      if (opts.tty) err.off?.('resize', onResize);
      clearStatus();
    },
  };
}

function firstLine(s: string, max: number): string {
  const l = (s.split('\n').find((x) => x.trim()) ?? '').trim();
  return l.length > max ? `${l.slice(0, max)}…` : l;
}

function indent(s: string): string {
  return s.trim().split('\n').map((l) => `  ${l}`).join('\n');
}

function summariseInput(input: unknown): string {
  if (!input || typeof input !== 'object') return '';
  const o = input as Record<string, unknown>;
  const key = ['command', 'path', 'pattern'].find((k) => typeof o[k] === 'string');
  if (key) return firstLine(String(o[key]), 120);
  if (typeof o.patch === 'string') return `(${o.patch.split('\n').length} lines)`;
  return '';
}
