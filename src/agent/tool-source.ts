/**
 * Tools that live as long as one run (MCP servers): started when the run starts, beside the
 * built-in tools, and stopped when it ends whatever the outcome.
 */
import type { ToolSpec } from '../providers/types.ts';
import type { CommandWrapper } from '../sandbox/types.ts';
import type { EventBody } from '../task/events.ts';
import type { ToolExecutor } from './tool-runner.ts';

/** What a source needs to start its tools. */
export interface ToolSourceContext {
  /** Absolute, real path of the workspace: the working folder of anything started. */
  root: string;
  /** The scrubbed environment of tool processes. */
  env: Record<string, string>;
  /** The run's signal: aborted on cancellation, deadline or time limit. */
  signal: AbortSignal;
  /** The run's clock (milliseconds since the epoch). */
  clock: () => number;
  /** Wraps every process the source starts, as the tools' commands are (`agent-runner run`'s sandbox). */
  wrapCommand?: CommandWrapper;
}

/** Tools opened for one run. */
export interface ToolSession {
  tools: ToolExecutor & { specs(): ToolSpec[] };
  /** Events to emit once, right after the run starts (what started, what could not). */
  notices: EventBody[];
  /** Stops everything the session started; never rejects. */
  close(): Promise<void>;
}

export interface ToolSource {
  /** Opens the tools; a part that cannot start is a notice, never a rejection. */
  open(ctx: ToolSourceContext): Promise<ToolSession>;
}

/**
 * `base` with the session's tools after it: calls to a session tool go to the session, any other
 * to `base`. Without a session, `base` itself.
 */
export function withSessionTools(base: ToolExecutor & { specs(): ToolSpec[] }, session: ToolSession | undefined): ToolExecutor & { specs(): ToolSpec[] } {
  if (!session) return base;
  const extra = session.tools;
  const extraSpecs = extra.specs();
  const names = new Set(extraSpecs.map((s) => s.name));
  const specs = [...base.specs(), ...extraSpecs];
  return {
    specs: () => specs,
    isReadOnly: (name) => (names.has(name) ? extra.isReadOnly(name) : base.isReadOnly(name)),
    execute: (call, ctx) => (names.has(call.name) ? extra.execute(call, ctx) : base.execute(call, ctx)),
  };
}
