/**
 * The watch page's state, built from a task's progress events: what the header shows, the
 * conversation as a list of items, the tools still running, and the result. Pure (no DOM), so
 * that the browser and the tests run the same code.
 */
import type { AgentEvent, TaskResult } from '../../task/events.ts';

export type TaskPhase = 'waiting' | 'running' | TaskResult['status'];

export interface Header {
  phase: TaskPhase;
  model?: string;
  turn: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** Epoch ms of the first `task_started`. */
  startedAt?: number;
  /** Epoch ms of the `result`. */
  endedAt?: number;
  maxTurns?: number;
  maxCostUsd?: number;
}

export interface ToolItem {
  kind: 'tool';
  id: string;
  turn: number;
  name: string;
  input: unknown;
  /** Epoch ms of the call. */
  startedAt: number;
  status?: 'success' | 'error';
  output?: string;
  durationMs?: number;
  truncated?: boolean;
}

export type Item =
  | { kind: 'prompt'; text: string }
  | { kind: 'turn'; turn: number }
  | { kind: 'text'; turn: number; text: string }
  | { kind: 'reasoning'; turn: number; text: string; redacted: boolean }
  | ToolItem
  | { kind: 'notice'; level: 'info' | 'warn' | 'error'; text: string };

export interface WatchState {
  header: Header;
  items: Item[];
  /** Tool calls by id (running ones have no status). */
  tools: Map<string, ToolItem>;
  result?: TaskResult;
  lastSeq: number;
}

/** What an event changed, for incremental rendering. */
export type Change = { op: 'add'; item: Item } | { op: 'update'; item: ToolItem } | { op: 'header' } | { op: 'result'; result: TaskResult };

/** The state before any event. */
/** The name setup steps (the stack's setup command, the repository's script) show under. */
export const SETUP_TOOL = 'setup';

export function emptyState(): WatchState {
  return { header: { phase: 'waiting', turn: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 }, items: [], tools: new Map(), lastSeq: 0 };
}

const ms = (iso: string): number => {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : 0;
};

/**
 * Applies one event to `state` (in place) and says what changed. An event at or below the last
 * seq seen is ignored, so a stream resumed with some overlap shows nothing twice; an unknown
 * event type changes nothing but the seq.
 */
export function applyEvent(state: WatchState, event: AgentEvent): Change[] {
  if (typeof event?.seq !== 'number' || event.seq <= state.lastSeq) return [];
  state.lastSeq = event.seq;
  const h = state.header;
  const add = (item: Item): Change[] => {
    state.items.push(item);
    return [{ op: 'add', item }];
  };
  switch (event.type) {
    case 'task_started': {
      const changes: Change[] = [{ op: 'header' }];
      if (h.phase === 'waiting') h.phase = 'running';
      h.model = event.model;
      if (h.startedAt === undefined) {
        h.startedAt = ms(event.time);
        h.maxTurns = event.limits?.maxTurns;
        h.maxCostUsd = event.limits?.maxCostUsd;
        changes.push(...add({ kind: 'prompt', text: event.prompt ?? '' }));
      } else {
        changes.push(...add({ kind: 'notice', level: 'info', text: 'the task resumed in a new invocation' }));
      }
      return changes;
    }
    case 'turn_started':
      h.turn = event.turn;
      if (h.phase === 'waiting') h.phase = 'running';
      return [{ op: 'header' }, ...add({ kind: 'turn', turn: event.turn })];
    case 'assistant_text':
      return add({ kind: 'text', turn: event.turn, text: event.text });
    case 'reasoning':
      return add({ kind: 'reasoning', turn: event.turn, text: event.text, redacted: event.redacted });
    case 'tool_call': {
      const item: ToolItem = { kind: 'tool', id: event.id, turn: event.turn, name: event.name, input: event.input, startedAt: ms(event.time) };
      state.tools.set(event.id, item);
      return add(item);
    }
    case 'tool_result': {
      let item = state.tools.get(event.id);
      const isNew = item === undefined;
      if (!item) {
        // A result whose call came before a resume point the page did not see.
        item = { kind: 'tool', id: event.id, turn: event.turn, name: event.name, input: undefined, startedAt: ms(event.time) - (event.durationMs ?? 0) };
        state.tools.set(event.id, item);
      }
      Object.assign(item, { status: event.status, output: event.output, durationMs: event.durationMs, truncated: event.truncated });
      return isNew ? add(item) : [{ op: 'update', item }];
    }
    case 'usage':
      h.inputTokens = event.usage.inputTokens;
      h.outputTokens = event.usage.outputTokens;
      h.costUsd = event.costUsd;
      return [{ op: 'header' }];
    case 'retry':
      return add({ kind: 'notice', level: 'warn', text: `retry ${event.attempt} in ${formatDuration(event.waitMs)} after ${event.error.code}: ${event.error.message}` });
    case 'failover':
      return add({ kind: 'notice', level: 'warn', text: `switched from ${event.from} to ${event.to} after ${event.error.code}: ${event.error.message}` });
    case 'context_trimmed':
      return add({ kind: 'notice', level: 'info', text: `context trimmed (${event.strategy.replace(/_/g, ' ')}): ${event.before} → ${event.after} tokens` });
    case 'checkpoint':
      return add({ kind: 'notice', level: 'info', text: `checkpoint after turn ${event.turn} (${event.reason})` });
    case 'setup_started': {
      // Shown as a tool of its own (turn 0): the live line runs for it, its output folds.
      const item: ToolItem = { kind: 'tool', id: `setup:${event.step}`, turn: 0, name: SETUP_TOOL, input: { command: event.command, step: event.step }, startedAt: ms(event.time) };
      state.tools.set(item.id, item);
      return add(item);
    }
    case 'setup_finished': {
      const item = state.tools.get(`setup:${event.step}`);
      const done = { status: event.status === 'succeeded' ? ('success' as const) : ('error' as const), output: event.output, durationMs: event.durationMs, truncated: event.truncated };
      if (item) return (Object.assign(item, done), [{ op: 'update', item }]);
      const fresh: ToolItem = { kind: 'tool', id: `setup:${event.step}`, turn: 0, name: SETUP_TOOL, input: { step: event.step }, startedAt: ms(event.time) - event.durationMs, ...done };
      state.tools.set(fresh.id, fresh);
      return add(fresh);
    }
    case 'setup_skipped':
      return add({ kind: 'notice', level: 'info', text: `setup skipped (${event.path}): ${event.reason}` });
    case 'mcp_server':
      return add(
        event.status === 'ready'
          ? { kind: 'notice', level: 'info', text: `MCP server ${event.server} (${event.transport}) ready in ${formatDuration(event.durationMs)}: ${event.tools.length} tool${event.tools.length === 1 ? '' : 's'}` }
          : { kind: 'notice', level: 'warn', text: `MCP server ${event.server} (${event.transport}) failed, the run goes on without it: ${event.error?.code ?? 'error'}: ${event.error?.message ?? ''}` },
      );
    case 'result': {
      const { seq: _seq, time, type: _type, ...result } = event;
      state.result = result;
      h.phase = result.status;
      h.endedAt = ms(time);
      h.turn = result.turns;
      h.model = result.model || h.model;
      h.inputTokens = result.usage.inputTokens;
      h.outputTokens = result.usage.outputTokens;
      h.costUsd = result.costUsd;
      const changes: Change[] = [{ op: 'header' }, { op: 'result', result }];
      if (result.error) changes.push(...add({ kind: 'notice', level: 'error', text: `${result.error.code}: ${result.error.message}` }));
      return changes;
    }
    default:
      return [];
  }
}

/** What a tool call works on, in one short line: the shell command, or the path or pattern ('' when none). */
export function toolLabel(name: string, input: unknown): string {
  const i = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  const str = (k: string) => (typeof i[k] === 'string' ? (i[k] as string) : undefined);
  const label = name === 'shell' || name === SETUP_TOOL ? str('command') : (str('path') ?? str('pattern') ?? '');
  if (label === undefined) return '';
  const line = label.split('\n')[0];
  const clipped = line.length > 80 ? `${line.slice(0, 79)}…` : line;
  return clipped + (label.includes('\n') ? ' …' : '');
}

/** The live line: `running \`npm test\` for 12 s`, or undefined when no tool is running. */
export function runningLine(state: WatchState, nowMs: number): string | undefined {
  if (state.result) return undefined;
  const running = [...state.tools.values()].filter((t) => t.status === undefined);
  if (running.length === 0) return undefined;
  const first = running[0];
  const more = running.length > 1 ? ` (and ${running.length - 1} more)` : '';
  const label = toolLabel(first.name, first.input);
  const what = first.name === 'shell' ? label : `${first.name}${label ? ` ${label}` : ''}`;
  return `running \`${what}\` for ${formatDuration(Math.max(0, nowMs - first.startedAt))}${more}`;
}

/** `850 ms`, `12 s`, `3 min 4 s`, `1 h 2 min`. */
export function formatDuration(msValue: number): string {
  if (!Number.isFinite(msValue) || msValue < 0) return '0 s';
  if (msValue < 1000) return `${Math.round(msValue)} ms`;
  const s = Math.floor(msValue / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** `950`, `12.3k`, `1.2M`. */
export function formatTokens(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** `$0.0123` (four decimals below a dollar, two above). */
export function formatCost(usd: number): string {
  return `$${usd.toFixed(usd < 1 ? 4 : 2)}`;
}

/** Elapsed time for the header: from the start to the end, or to now while running. */
export function elapsedMs(header: Header, nowMs: number): number | undefined {
  if (header.startedAt === undefined) return undefined;
  return Math.max(0, (header.endedAt ?? nowMs) - header.startedAt);
}
