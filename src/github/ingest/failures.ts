/**
 * What failed, for a fix's prompt: the failing jobs of a workflow run, check runs of a check suite
 * or of a commit, each with the end of its log (Actions) or its output and annotations (other
 * Apps), redacted and cut to a budget. Reading never throws: what cannot be read becomes a note,
 * so that a slow or failing API still leaves a task to run.
 */
import type { Redactor } from '../../security/index.ts';
import { gh, type GitHubClient, type RepoRef } from '../client.ts';
import { FAILING_CONCLUSIONS, type FailedCheck } from './checks.ts';
import { logTail, type JobLogReader } from './logs.ts';

/** One failing job or check run, as the prompt shows it. */
export interface FailureDetail {
  name: string;
  conclusion: string;
  url: string;
  /** The steps that failed (workflow jobs). */
  failedSteps: string[];
  /** The end of the job's log (Actions). */
  log?: string;
  /** The check run's output title, summary and text (other Apps). */
  output?: string;
  /** The check run's annotations, one a line (other Apps). */
  annotations?: string[];
  /** Why the log or output is missing. */
  note?: string;
}

export interface FailureReport {
  /** The failures shown in detail (at most MAX_DETAILED). */
  failures: FailureDetail[];
  /** The names of further failures, not shown. */
  others: string[];
  /** Why the list of failures could not be read, if it could not. */
  note?: string;
}

/** Where the failures are looked for: the check a delivery reported, or every check of a commit. */
export type FailureSource = FailedCheck | { event: 'commit'; headSha: string };

export interface GatherOptions {
  logs: JobLogReader;
  redactor: Redactor;
  /** Characters of logs and outputs in all (shared among the detailed failures). */
  budget: number;
  installationId?: number;
  /** Ends every read still running (GitHub's 10 s for the whole delivery). */
  signal?: AbortSignal;
}

/** Failures shown with their log or output; more only cost budget for each. */
export const MAX_DETAILED = 3;
const MAX_ANNOTATIONS = 20;
const MAX_ANNOTATION_CHARS = 300;

interface Item {
  name: string;
  conclusion: string;
  url: string;
  failedSteps: string[];
  /** An Actions job (its check run has the same id). */
  jobId?: number;
  /** Another App's check run. */
  checkRunId?: number;
  output?: { title?: string | null; summary?: string | null; text?: string | null };
}

interface CheckRunJson {
  id: number;
  name: string;
  conclusion: string | null;
  html_url?: string | null;
  app?: { slug?: string } | null;
  output?: { title?: string | null; summary?: string | null; text?: string | null };
}

interface JobJson {
  id: number;
  name: string;
  conclusion: string | null;
  html_url?: string | null;
  steps?: { name: string; conclusion: string | null }[];
}

const failing = (conclusion: string | null | undefined) => FAILING_CONCLUSIONS.includes(conclusion ?? '');

function fromCheckRun(run: CheckRunJson): Item {
  const actions = run.app?.slug === 'github-actions';
  return {
    name: run.name,
    conclusion: run.conclusion ?? '',
    url: run.html_url ?? '',
    failedSteps: [],
    ...(actions ? { jobId: run.id } : { checkRunId: run.id, output: run.output }),
  };
}

async function listFailing(client: GitHubClient, repo: RepoRef, source: FailureSource, signal?: AbortSignal): Promise<Item[]> {
  const root = gh`/repos/${repo.owner}/${repo.repo}`;
  const query = { filter: 'latest', per_page: 100 };
  switch (source.event) {
    case 'check_run':
      return [fromCheckRun({ id: source.id, name: source.name, conclusion: source.conclusion, html_url: source.url, app: { slug: source.app }, output: source.output })];
    case 'workflow_run': {
      const { data } = await client.get<{ jobs?: JobJson[] }>(`${root}${gh`/actions/runs/${source.id}/jobs`}`, { query, signal });
      return (data?.jobs ?? [])
        .filter((j) => failing(j.conclusion))
        .map((j) => ({ name: j.name, conclusion: j.conclusion ?? '', url: j.html_url ?? '', failedSteps: (j.steps ?? []).filter((s) => failing(s.conclusion)).map((s) => s.name), jobId: j.id }));
    }
    case 'check_suite':
    case 'commit': {
      const path = source.event === 'check_suite' ? gh`/check-suites/${source.id}/check-runs` : gh`/commits/${source.headSha}/check-runs`;
      const { data } = await client.get<{ check_runs?: CheckRunJson[] }>(root + path, { query, signal });
      return (data?.check_runs ?? []).filter((r) => failing(r.conclusion)).map(fromCheckRun);
    }
  }
}

async function detail(client: GitHubClient, repo: RepoRef, item: Item, budget: number, opts: GatherOptions): Promise<FailureDetail> {
  const out: FailureDetail = { name: item.name, conclusion: item.conclusion, url: item.url, failedSteps: item.failedSteps };
  try {
    if (item.jobId !== undefined) {
      const got = await opts.logs(repo, item.jobId, { installationId: opts.installationId, signal: opts.signal });
      // Redacted whole, before cutting: a secret is never seen only in part.
      if ('log' in got) out.log = logTail(opts.redactor.text(got.log), budget);
      else out.note = got.missing;
      return out;
    }
    const text = [item.output?.title, item.output?.summary, item.output?.text].filter((x): x is string => Boolean(x?.trim())).join('\n\n');
    if (text) out.output = clip(opts.redactor.text(text), Math.floor(budget / 2));
    if (item.checkRunId !== undefined) {
      const { data } = await client.get<{ path: string; start_line: number; annotation_level: string; title?: string | null; message: string }[]>(
        gh`/repos/${repo.owner}/${repo.repo}/check-runs/${item.checkRunId}/annotations`,
        { query: { per_page: MAX_ANNOTATIONS }, signal: opts.signal },
      );
      const lines = (Array.isArray(data) ? data : []).map((a) => clip(`${a.path}:${a.start_line}: ${a.annotation_level}: ${a.title ? `${a.title}: ` : ''}${a.message}`.replace(/\s+/g, ' '), MAX_ANNOTATION_CHARS));
      if (lines.length > 0) out.annotations = lines.map((l) => opts.redactor.text(l));
    }
  } catch (err) {
    out.note = `could not be read: ${reason(err, opts.signal)}`;
  }
  return out;
}

/**
 * The failures of `source`: listed (one API call, none for a check run, whose delivery says it
 * all), the first MAX_DETAILED read in parallel with `budget` characters shared among them.
 */
export async function gatherFailures(client: GitHubClient, repo: RepoRef, source: FailureSource, opts: GatherOptions): Promise<FailureReport> {
  let items: Item[];
  try {
    items = await listFailing(client, repo, source, opts.signal);
  } catch (err) {
    return { failures: [], others: [], note: `the failing jobs could not be listed: ${reason(err, opts.signal)}` };
  }
  const shown = items.slice(0, MAX_DETAILED);
  const each = Math.floor(opts.budget / Math.max(1, shown.length));
  const failures = await Promise.all(shown.map((item) => detail(client, repo, item, each, opts)));
  return { failures, others: items.slice(MAX_DETAILED).map((i) => i.name) };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)} [... ${text.length - max} characters cut]`;
}

function reason(err: unknown, signal?: AbortSignal): string {
  if (signal?.aborted) return 'out of time';
  return err instanceof Error ? err.message : String(err);
}
