/**
 * Failed CI as a trigger: `check_suite`, `check_run` and `workflow_run` deliveries that completed
 * with a failing conclusion on a pull request of the same repository. Pure; whether the pull
 * request may be fixed (the runner's own commit, or the label) is decided later, with the API.
 */
import type { RepoInfo } from './triggers.ts';

/** The conclusions that count as CI failing (not `cancelled`, `neutral`, `skipped`, `stale`, `action_required`). */
export const FAILING_CONCLUSIONS: readonly string[] = ['failure', 'timed_out', 'startup_failure'];

/** The event a failure was reported by. */
export type CheckEvent = 'check_suite' | 'check_run' | 'workflow_run';

export interface FailedCheck {
  event: CheckEvent;
  /** The check suite, check run or workflow run id. */
  id: number;
  /** The workflow's, check run's or checking App's name. */
  name: string;
  headSha: string;
  conclusion: string;
  /** Where people see it (may be empty). */
  url: string;
  /** The App that ran it (`github-actions` for Actions), when the payload says. */
  app: string;
  /** A check run's own output, when the payload carries it. */
  output?: { title: string; summary: string; text: string };
}

export interface CheckFailedTrigger {
  kind: 'check_failed';
  repo: RepoInfo;
  installationId?: number;
  /** The pull request as the payload names it; its state and labels are read from the API. */
  pull: { number: number; headRef: string };
  check: FailedCheck;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined);

/** Whether `event` is one this module classifies. */
export function isCheckEvent(event: string): event is CheckEvent {
  return event === 'check_suite' || event === 'check_run' || event === 'workflow_run';
}

/**
 * The failed check a `check_suite`, `check_run` or `workflow_run` delivery reports, or why it is
 * ignored: not `completed`, not failing, or on no pull request of this repository (the payload's
 * `pull_requests`, which GitHub leaves empty for forks).
 */
export function classifyCheck(event: CheckEvent, payload: Obj, repo: RepoInfo, installationId?: number): { trigger: CheckFailedTrigger } | { ignored: string } {
  const action = str(payload.action);
  const subject = obj(payload[event]);
  const conclusion = str(subject?.conclusion);
  if (action !== 'completed' || !subject) return { ignored: `${event}/${action}` };
  if (!FAILING_CONCLUSIONS.includes(conclusion)) return { ignored: `${event}/completed (${conclusion || 'no conclusion'})` };
  const pull = (Array.isArray(subject.pull_requests) ? subject.pull_requests : []).map(obj).find((p) => int(p?.number) !== undefined && str(obj(p?.head)?.ref));
  if (!pull) return { ignored: `failed ${event} not on a pull request of this repository` };
  const app = obj(subject.app);
  const output = obj(subject.output);
  const check: FailedCheck = {
    event,
    id: int(subject.id) ?? 0,
    name: str(subject.name) || str(obj(payload.workflow)?.name) || str(app?.name) || event,
    headSha: str(subject.head_sha),
    conclusion,
    url: str(subject.html_url),
    app: event === 'workflow_run' ? 'github-actions' : str(app?.slug),
  };
  if (event === 'check_run') check.output = { title: str(output?.title), summary: str(output?.summary), text: str(output?.text) };
  return {
    trigger: {
      kind: 'check_failed',
      repo,
      ...(installationId === undefined ? {} : { installationId }),
      pull: { number: int(pull.number)!, headRef: str(obj(pull.head)?.ref) },
      check,
    },
  };
}
