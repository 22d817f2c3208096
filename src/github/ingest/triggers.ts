/** Which deliveries start a task (contract section 11): pure functions of the event name and payload. */

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
  | (TriggerBase & {
      kind: 'check_run';
      pull: { number: number; headRef: string };
      check: { id: number; name: string; headSha: string; conclusion: string; url: string; title: string; summary: string; text: string };
    });

export type Classification = { trigger: Trigger } | { ignored: string };

export interface TriggerOptions {
  /** The label that starts a task (`TRIGGER_LABEL`, default `agent`). */
  label: string;
  /** Whether a failed check run on a pull request starts a task (`TRIGGER_CHECK_RUNS`). */
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

  if (event === 'check_run') {
    if (!options.checkRuns) return { ignored: 'check run triggers are off' };
    const run = obj(p.check_run);
    if (action !== 'completed' || str(run?.conclusion) !== 'failure') return { ignored: `check_run/${action} (${str(run?.conclusion) ?? 'no conclusion'})` };
    const pr = (Array.isArray(run?.pull_requests) ? run.pull_requests : []).map(obj).find((x) => x !== undefined);
    const number = int(pr?.number);
    const headRef = str(obj(pr?.head)?.ref);
    if (!run || number === undefined || !headRef) return { ignored: 'failed check run not on a pull request of this repository' };
    if (headRef.startsWith('agent/')) return { ignored: 'failed check run on an agent branch (no fix loops)' };
    const output = obj(run.output);
    const check = {
      id: int(run.id) ?? 0,
      name: str(run.name) ?? '',
      headSha: str(run.head_sha) ?? '',
      conclusion: 'failure',
      url: str(run.html_url) ?? '',
      title: str(output?.title) ?? '',
      summary: str(output?.summary) ?? '',
      text: str(output?.text) ?? '',
    };
    return { trigger: { kind: 'check_run', repo, pull: { number, headRef }, check, ...base } };
  }

  return { ignored: `event ${event}` };
}
