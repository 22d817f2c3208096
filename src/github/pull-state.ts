/**
 * What the runner remembers about one pull request, for fixing failed CI: the automatic attempts
 * made, the head commits a fix was started for, and the tasks working on it now (leases). Pure
 * transitions; the webhook and the publisher apply them to the stored record by compare-and-swap.
 */

/** A pull request of a repository. */
export interface PullRef {
  owner: string;
  repo: string;
  number: number;
}

/** A task working on the pull request, until the publisher releases it or `until` passes. */
export interface PullLease {
  taskId: string;
  /** The pull request's head branch the task works on. */
  branch: string;
  /** Whether the publisher pushes the task's change onto `branch` (a labelled or requested fix), not a new pull request. */
  push: boolean;
  /** `automatic` (a failed check), `requested` (`/agent fix-ci`) or `other` (another task the webhook started on it: an `/agent` comment, the label). */
  kind: 'automatic' | 'requested' | 'other';
  /** Milliseconds since the epoch after which the lease is taken for abandoned (the task died unpublished). */
  until: number;
}

export interface PullState {
  /** Automatic fix attempts started. */
  attempts: number;
  /** Head commits a fix was started for, oldest first (the last SHAS_KEPT). */
  shas: string[];
  leases: PullLease[];
  /** Whether the comment saying the attempt limit is reached has been posted. */
  limitNoticed: boolean;
}

/** The outcome of asking to start a fix. */
export type StartDecision =
  | { kind: 'start'; next: PullState }
  | { kind: 'skip'; reason: string }
  /** The attempt limit is reached and nobody has been told yet: `next` records the notice. */
  | { kind: 'limit'; next: PullState };

export const EMPTY_PULL_STATE: PullState = { attempts: 0, shas: [], leases: [], limitNoticed: false };

const SHAS_KEPT = 50;

/** The leases still in force at `now`. */
export function liveLeases(state: PullState, now: number): PullLease[] {
  return state.leases.filter((l) => l.until > now);
}

function withLease(state: PullState, lease: PullLease, now: number): PullLease[] {
  return [...liveLeases(state, now).filter((l) => l.taskId !== lease.taskId), lease];
}

function withSha(state: PullState, sha: string): string[] {
  return [...state.shas.filter((s) => s !== sha), sha].slice(-SHAS_KEPT);
}

function busy(state: PullState, now: number): string | undefined {
  const running = liveLeases(state, now)[0];
  return running ? `task ${running.taskId} is still working on this pull request` : undefined;
}

/**
 * An automatic fix for a failure on `sha`: refused while a task works on the pull request or when
 * one was started for `sha` before; at `maxAttempts` the first refusal asks for the notice, later
 * ones are silent. Otherwise the attempt is counted, `sha` remembered and the lease taken.
 */
export function startAutomatic(state: PullState, sha: string, lease: PullLease, opts: { now: number; maxAttempts: number }): StartDecision {
  const running = busy(state, opts.now);
  if (running) return { kind: 'skip', reason: running };
  if (state.shas.includes(sha)) return { kind: 'skip', reason: `a fix was started for ${sha} before` };
  if (state.attempts >= opts.maxAttempts) {
    if (state.limitNoticed) return { kind: 'skip', reason: `the limit of ${opts.maxAttempts} automatic attempts was reached` };
    return { kind: 'limit', next: { ...state, leases: liveLeases(state, opts.now), limitNoticed: true } };
  }
  return { kind: 'start', next: { ...state, attempts: state.attempts + 1, shas: withSha(state, sha), leases: withLease(state, lease, opts.now) } };
}

/** A fix someone asked for (`/agent fix-ci`): refused only while a task works on the pull request; not counted. */
export function startRequested(state: PullState, sha: string, lease: PullLease, now: number): StartDecision {
  const running = busy(state, now);
  if (running) return { kind: 'skip', reason: running };
  return { kind: 'start', next: { ...state, shas: withSha(state, sha), leases: withLease(state, lease, now) } };
}

/** Records a task started by an `/agent` comment, so that no automatic fix runs beside it. */
export function noteTask(state: PullState, lease: PullLease, now: number): PullState {
  return { ...state, leases: withLease(state, lease, now) };
}

/** The state without the task's lease, or undefined when it holds none (nothing to write). */
export function releaseTask(state: PullState, taskId: string): PullState | undefined {
  if (!state.leases.some((l) => l.taskId === taskId)) return undefined;
  return { ...state, leases: state.leases.filter((l) => l.taskId !== taskId) };
}

/** Takes back a start whose task could not be queued: its lease, the sha it added (if any) and (when counted) its attempt. */
export function undoStart(state: PullState, taskId: string, sha: string | undefined, counted: boolean): PullState {
  return {
    ...state,
    attempts: counted ? Math.max(0, state.attempts - 1) : state.attempts,
    shas: sha === undefined ? state.shas : state.shas.filter((s) => s !== sha),
    leases: state.leases.filter((l) => l.taskId !== taskId),
  };
}

/** The lease `taskId` holds, if any. */
export function leaseOf(state: PullState, taskId: string): PullLease | undefined {
  return state.leases.find((l) => l.taskId === taskId);
}

/** A stored record read back: unknown or damaged fields fall back to the empty state's. */
export function parsePullState(text: string): PullState {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return EMPTY_PULL_STATE;
  }
  if (typeof raw !== 'object' || raw === null) return EMPTY_PULL_STATE;
  const attempts = Number.isSafeInteger(raw.attempts) && (raw.attempts as number) >= 0 ? (raw.attempts as number) : 0;
  const shas = Array.isArray(raw.shas) ? raw.shas.filter((s): s is string => typeof s === 'string') : [];
  const leases = Array.isArray(raw.leases) ? raw.leases.filter(isLease) : [];
  return { attempts, shas, leases, limitNoticed: raw.limitNoticed === true };
}

function isLease(v: unknown): v is PullLease {
  const l = v as Record<string, unknown>;
  return (
    typeof l === 'object' &&
    l !== null &&
    typeof l.taskId === 'string' &&
    typeof l.branch === 'string' &&
    typeof l.push === 'boolean' &&
    typeof l.until === 'number' &&
    (l.kind === 'automatic' || l.kind === 'requested' || l.kind === 'other')
  );
}
