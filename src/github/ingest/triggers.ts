/** Which deliveries start a task (contract section 11): pure functions of the event name and payload. */
import { classifyCheck, isCheckEvent, type CheckFailedTrigger } from './checks.ts';

export interface RepoInfo {
  owner: string;
  repo: string;
  defaultBranch: string;
}

export interface IssueInfo {
  number: number;
  title: string;
  body: string;
  /** Comment count as of the delivery (sizes the thread excerpt). */
  comments: number;
  isPullRequest: boolean;
}

interface TriggerBase {
  repo: RepoInfo;
  /** Present when the delivery comes from a GitHub App installation. */
  installationId?: number;
}

export type Trigger =
  | (TriggerBase & { kind: 'issue_labeled'; issue: IssueInfo; label: string; actor: string })
  | (TriggerBase & { kind: 'comment'; issue: IssueInfo; comment: { id: number; body: string; author: string } })
  | CheckFailedTrigger;

/** A trigger from an issue or one of its comments (the contract's own triggers). */
export type IssueTrigger = Exclude<Trigger, CheckFailedTrigger>;

export type Classification = { trigger: Trigger } | { ignored: string };

export interface TriggerOptions {
  /** The label that starts a task (`TRIGGER_LABEL`, default `agent`). */
  label: string;
  /** Whether failed CI on a pull request (check suites, check runs, workflow runs) may start a fix (`TRIGGER_CHECK_RUNS`, default off). */
  checkRuns: boolean;
}

/** The command a comment must start with. */
export const COMMAND = '/agent';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined);

function repoOf(payload: Obj): RepoInfo | undefined {
  const repository = obj(payload.repository);
  const owner = str(obj(repository?.owner)?.login);
  const repo = str(repository?.name);
  if (!owner || !repo) return undefined;
  return { owner, repo, defaultBranch: str(repository?.default_branch) || 'main' };
}

function issueOf(v: unknown): IssueInfo | undefined {
  const issue = obj(v);
  const number = int(issue?.number);
  if (!issue || number === undefined) return undefined;
  return {
    number,
    title: str(issue.title) ?? '',
    body: str(issue.body) ?? '',
    comments: int(issue.comments) ?? 0,
    isPullRequest: obj(issue.pull_request) !== undefined,
  };
}

/** Whether a comment body is an `/agent` command (the word itself, then a space, a line break or the end). */
export function isCommand(body: string): boolean {
  const text = body.trimStart();
  return text.startsWith(COMMAND) && (text.length === COMMAND.length || /\s/.test(text[COMMAND.length]));
}

/**
 * Classifies a verified delivery: the trigger it carries, or why it is ignored. Bots are ignored so
 * that the runner's own comments can never start a task.
 */
export function classifyDelivery(event: string, payload: unknown, options: TriggerOptions): Classification {
  const p = obj(payload);
  if (!p) return { ignored: 'payload is not an object' };
  const action = str(p.action);
  const repo = repoOf(p);
  const installationId = int(obj(p.installation)?.id);
  const base = installationId === undefined ? {} : { installationId };
  if (event === 'ping') return { ignored: 'ping' };
  if (!repo) return { ignored: `${event} without a repository` };

  if (event === 'issues') {
    if (action !== 'labeled') return { ignored: `issues/${action}` };
    const label = str(obj(p.label)?.name);
    if (label?.toLowerCase() !== options.label.toLowerCase()) return { ignored: `label ${JSON.stringify(label)} is not ${JSON.stringify(options.label)}` };
    const issue = issueOf(p.issue);
    if (!issue) return { ignored: 'issues/labeled without an issue' };
    return { trigger: { kind: 'issue_labeled', repo, issue, label, actor: str(obj(p.sender)?.login) ?? '', ...base } };
  }

  if (event === 'issue_comment') {
    if (action !== 'created') return { ignored: `issue_comment/${action}` };
    const issue = issueOf(p.issue);
    const comment = obj(p.comment);
    const user = obj(comment?.user);
    const id = int(comment?.id);
    const body = str(comment?.body) ?? '';
    const author = str(user?.login);
    if (!issue || id === undefined || !author) return { ignored: 'issue_comment/created without issue or comment' };
    if (!isCommand(body)) return { ignored: 'comment is not an /agent command' };
    if (str(user?.type) === 'Bot') return { ignored: 'comment from a bot' };
    return { trigger: { kind: 'comment', repo, issue, comment: { id, body, author }, ...base } };
  }

  if (isCheckEvent(event)) {
    if (!options.checkRuns) return { ignored: 'CI failure triggers are off' };
    return classifyCheck(event, p, repo, installationId);
  }

  return { ignored: `event ${event}` };
}
