import type { Writable } from 'node:stream';
import type { AgentEvent } from '../agent/events.ts';

export interface Renderer {
  event(e: AgentEvent): void;
  close(): void;
}

export interface RendererOptions {
  /** One JSON object a line on `out`, nothing else. */
  json: boolean;
  /** `err` is a terminal: keep a live status line. */
  tty: boolean;
  out: Writable;
  err: Writable;
  /** For the spinner; tests pass a no-op. */
  setInterval?: typeof setInterval;
  clearInterval?: typeof clearInterval;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * Shows a run's events: JSON lines for machines (`--json`), else readable lines on `err`
 * and, on a terminal, a status line with turn, tokens, cost, the tool running and a spinner.
 */
export function createRenderer(opts: RendererOptions): Renderer {
  if (opts.json) {
    return {
      event: (e) => void opts.out.write(`${JSON.stringify(e)}\n`),
      close: () => undefined,
    };
  }
  const state = { turn: 0, tokens: 0, cost: 0, activity: 'starting', frame: 0 };
  const err = opts.err;
  let statusShown = false;
  const clearStatus = () => {
    if (opts.tty && statusShown) err.write('\r\x1b[2K');
    statusShown = false;
  };
  const drawStatus = () => {
    if (!opts.tty) return;
    const s = `${SPINNER[state.frame % SPINNER.length]} turn ${state.turn} · ${formatTokens(state.tokens)} tokens · $${state.cost.toFixed(4)} · ${state.activity}`;
    err.write(`\r\x1b[2K${s.slice(0, 200)}`);
    statusShown = true;
  };
  const line = (s: string) => {
    clearStatus();
    err.write(`${s}\n`);
    drawStatus();
  };
  const timer = opts.tty ? (opts.setInterval ?? setInterval)(() => { state.frame++; drawStatus(); }, 120) : undefined;
  timer?.unref?.();

  return {
    event(e) {
      switch (e.type) {
        case 'task_started':
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
          if (!e.redacted && e.text.trim()) line(indent(`(thinking) ${firstLine(e.text, 160)}`));
          break;
        case 'tool_call':
          state.activity = `running ${e.name}`;
          line(`→ ${e.name} ${summariseInput(e.input)}`);
          break;
        case 'tool_result':
          state.activity = 'thinking';
          line(`${e.status === 'success' ? '✓' : '✗'} ${e.name} (${e.durationMs} ms)${e.status === 'error' ? `: ${firstLine(e.output, 160)}` : ''}`);
          break;
        case 'usage':
          state.tokens = e.totalTokens;
          state.cost = e.costUsd;
          if (!opts.tty) line(`usage: ${formatTokens(e.totalTokens)} tokens, $${e.costUsd.toFixed(4)}`);
          else drawStatus();
          break;
        case 'retry':
          line(`retrying in ${e.waitMs} ms (attempt ${e.attempt}): ${e.error.code} ${e.error.message}`);
          break;
        case 'failover':
          line(`failing over from ${e.from} to ${e.to}: ${e.error.code}`);
          break;
        case 'context_trimmed':
          line(`context trimmed (${e.strategy}): ~${e.before} → ~${e.after} tokens`);
          break;
        case 'checkpoint':
          line(`checkpoint after turn ${e.turn} (${e.reason})`);
          break;
        case 'mcp_server':
          line(e.status === 'ready' ? `MCP server ${e.server}: ${e.tools.length} tools (${e.durationMs} ms)` : `warning: ${e.error?.message ?? `MCP server ${e.server} did not start`}`);
          break;
        case 'result':
          state.activity = e.status;
          clearStatus();
          err.write(`${e.status}${e.error ? `: ${e.error.message}` : ''} · ${e.turns} turns · ${formatTokens(e.usage.inputTokens + e.usage.outputTokens)} tokens · $${e.costUsd.toFixed(4)} · ${e.diff.files} files changed (+${e.diff.additions} -${e.diff.deletions})\n`);
          break;
      }
    },
    close() {
      if (timer) (opts.clearInterval ?? clearInterval)(timer);
      clearStatus();
    },
  };
}

function formatTokens(n: number): string {
  return n >= 10_000 ? `${(n / 1000).toFixed(1)}k` : String(n);
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
