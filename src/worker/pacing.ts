/**
 * How the worker paces a task across invocations: when to pause between turns so the next turn
 * does not run into the deadline, and how many continuations a task may have.
 */
import type { TurnPace } from '../agent/index.ts';

/** The most kept back at a pause by default: a shell command's default timeout plus saving. */
export const DEFAULT_PAUSE_MARGIN_MS = 150_000;

export interface PauseBudget {
  /** The time the invocation started with. */
  invocationMs: number;
  /** When the deadline aborts the loop, before the invocation's end. */
  hardMarginMs: number;
  /** The longest a shell command may run (a turn's tools are bounded by it). */
  shellTimeoutMs: number;
  /** The most the margin may be (PauseMarginSeconds). */
  capMs?: number;
}

/**
 * What to keep back when deciding to pause before another turn: what the next turn can need (the
 * longest turn seen, bounded by the shell timeout, plus the longest save) on top of the deadline's
 * own margin; never more than `capMs` nor a quarter of the invocation, so that a short task
 * finishes in one invocation whatever the function's timeout.
 */
export function pauseMarginFor(budget: PauseBudget, pace: TurnPace): number {
  const nextTurn = Math.min(pace.longestTurnMs, budget.shellTimeoutMs) + pace.longestSaveMs;
  return Math.min(budget.capMs ?? DEFAULT_PAUSE_MARGIN_MS, budget.invocationMs / 4, budget.hardMarginMs + nextTurn);
}

/**
 * The continuations a task may have when none is configured: twice what its time limit needs at
 * three quarters of an invocation each (pauses never come before that), plus two for crashes.
 * An hour's task on 900 s invocations may have 10; on 120 s invocations, 62.
 */
export function maxContinuationsFor(timeoutSeconds: number, invocationMs: number): number {
  return Math.ceil((2 * timeoutSeconds * 1000) / Math.max(1000, invocationMs)) + 2;
}
