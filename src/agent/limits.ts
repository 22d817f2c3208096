import type { ErrorInfo, Usage } from '../providers/types.ts';
import { modelErrorInfo, ProviderError } from '../providers/index.ts';

export interface AgentLimits {
  maxTurns: number;
  maxCostUsd: number;
  timeoutSeconds: number;
  /** Total input + output tokens over the run. */
  maxTokens?: number;
}

/** Why the run stops at a limit: the result's `stopReason` and `error`. */
export interface LimitStop {
  stopReason: 'max_turns' | 'max_cost' | 'max_tokens' | 'timeout';
  error: ErrorInfo;
}

/** The run's totals a limit is compared with. */
export interface RunTotals {
  costUsd: number;
  usage: Usage;
  elapsedMs: number;
}

/**
 * The first limit the totals have reached (at the limit or beyond) among cost, tokens and time,
 * saying by how much; undefined while all are below. Asked after each model call, before its
 * tool calls run: a turn that reached a limit runs none of them.
 */
export function limitReached(limits: AgentLimits, t: RunTotals): LimitStop | undefined {
  if (t.costUsd >= limits.maxCostUsd) {
    return {
      stopReason: 'max_cost',
      error: { code: 'limit_cost', message: `reached the cost limit of USD ${limits.maxCostUsd}: spent USD ${usd(t.costUsd)} (USD ${usd(t.costUsd - limits.maxCostUsd)} over)` },
    };
  }
  const tokens = t.usage.inputTokens + t.usage.outputTokens;
  if (limits.maxTokens !== undefined && tokens >= limits.maxTokens) {
    return { stopReason: 'max_tokens', error: { code: 'limit_tokens', message: `reached the token limit of ${limits.maxTokens}: used ${tokens} tokens (${tokens - limits.maxTokens} over)` } };
  }
  return timeLimitReached(limits, t.elapsedMs);
}

/** The time limit, when `elapsedMs` has reached it. */
export function timeLimitReached(limits: AgentLimits, elapsedMs: number): LimitStop | undefined {
  const limitMs = limits.timeoutSeconds * 1000;
  if (elapsedMs < limitMs) return undefined;
  return { stopReason: 'timeout', error: { code: 'limit_time', message: `reached the time limit of ${limits.timeoutSeconds} s: used ${seconds(elapsedMs)} s (${seconds(elapsedMs - limitMs)} s over)` } };
}

/** The turn limit (turns are counted exactly: never over). */
export function turnLimitStop(limits: AgentLimits): LimitStop {
  return { stopReason: 'max_turns', error: { code: 'limit_turns', message: `reached the limit of ${limits.maxTurns} turn${limits.maxTurns === 1 ? '' : 's'}` } };
}

const SNAKE_CODE = /^[a-z][a-z0-9_]*$/;

/**
 * `{code, message}` of what ended a run in failure: a model call under the closed list of
 * model-error codes; the runner's own errors under their snake_case code; anything else (a bug,
 * a host fault without a code of ours) as `internal_error`, never a JavaScript class name.
 */
export function failureInfo(err: unknown): ErrorInfo {
  if (err instanceof ProviderError) return modelErrorInfo(err);
  const e = err as { code?: unknown; message?: unknown } | undefined;
  const message = typeof e?.message === 'string' && e.message !== '' ? e.message : String(err);
  return { code: typeof e?.code === 'string' && SNAKE_CODE.test(e.code) ? e.code : 'internal_error', message };
}

function usd(n: number): string {
  return String(Math.round(n * 1e6) / 1e6);
}

function seconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}
