/**
 * The fake GitHub's CI: workflow runs with jobs (GitHub Actions, each job also a check run with the
 * same id, as on GitHub), check runs of other Apps with output and annotations, and job logs
 * behind `GET .../actions/jobs/{id}/logs`, which answers a redirect to a signed URL on a second
 * local server (another origin, as GitHub's log storage is), recording whether credentials came along.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeJob {
  name: string;
  conclusion: string;
  steps?: { name: string; conclusion: string }[];
  /** The job's log as GitHub serves it (absent: the log is gone, 404). */
  log?: string;
}

export interface FakeAnnotation {
  path: string;
  start_line: number;
  annotation_level: string;
  title?: string;
  message: string;
}

interface CheckRun {
  /** `owner/name`, lower-cased. */
  repo: string;
  id: number;
  name: string;
  headSha: string;
  conclusion: string;
  app: string;
  suiteId: number;
  runId?: number;
  output?: { title?: string; summary?: string; text?: string };
  annotations: FakeAnnotation[];
  steps: { name: string; conclusion: string }[];
  log?: string;
}

/** One request to the log storage server. */
export interface LogDownload {
  path: string;
  authorization: string | undefined;
}

export interface RouteAnswer {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export class FakeChecks {
  /** Every request the log storage server got. */
  readonly downloads: LogDownload[] = [];
  private readonly runs = new Map<number, CheckRun>();
  private readonly workflows = new Map<number, { repo: string; name: string; headSha: string; suiteId: number }>();
  private readonly signed = new Map<string, number>();
  private nextId = 4000;
  private server!: Server;
  private downloadsUrl = '';

  static async start(): Promise<FakeChecks> {
    const checks = new FakeChecks();
    checks.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      checks.downloads.push({ path: url.pathname, authorization: req.headers.authorization });
      const jobId = checks.signed.get(url.searchParams.get('sig') ?? '');
      const log = jobId === undefined || url.pathname !== `/logs/${jobId}` ? undefined : checks.runs.get(jobId)?.log;
      if (log === undefined) {
        res.writeHead(403, { 'content-type': 'application/xml' }).end('<Error><Code>AuthenticationFailed</Code></Error>');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end(log);
    });
    await new Promise<void>((resolve) => checks.server.listen(0, '127.0.0.1', resolve));
    checks.downloadsUrl = `http://127.0.0.1:${(checks.server.address() as AddressInfo).port}`;
    return checks;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A completed workflow run of `repo` (`owner/name`) on `headSha`, its jobs in one check suite; the ids. */
  addWorkflowRun(repo: string, run: { name: string; headSha: string; jobs: FakeJob[] }): { runId: number; suiteId: number; jobIds: number[] } {
    const runId = this.nextId++;
    const suiteId = this.nextId++;
    this.workflows.set(runId, { repo: repo.toLowerCase(), name: run.name, headSha: run.headSha, suiteId });
    const jobIds = run.jobs.map((job) => {
      const id = this.nextId++;
      this.runs.set(id, { id, name: job.name, headSha: run.headSha, conclusion: job.conclusion, app: 'github-actions', suiteId, runId, annotations: [], steps: job.steps ?? [], log: job.log, repo: repo.toLowerCase() });
      return id;
    });
    return { runId, suiteId, jobIds };
  }

  /** A completed check run of another App (a linter, say) on `headSha`; its id and suite. */
  addCheckRun(repo: string, run: { name: string; headSha: string; conclusion: string; app?: string; output?: CheckRun['output']; annotations?: FakeAnnotation[] }): { id: number; suiteId: number } {
    const id = this.nextId++;
    const suiteId = this.nextId++;
    this.runs.set(id, { id, name: run.name, headSha: run.headSha, conclusion: run.conclusion, app: run.app ?? 'octocoders-linter', suiteId, output: run.output, annotations: run.annotations ?? [], steps: [], repo: repo.toLowerCase() });
    return { id, suiteId };
  }

  /** Answers the CI routes of a repository (`rest` is the path after `/repos/{owner}/{repo}/`), or undefined. */
  route(method: string, repo: string, rest: string[]): RouteAnswer | undefined {
    if (method !== 'GET') return undefined;
    const key = repo.toLowerCase();
    const mine = [...this.runs.values()].filter((r) => r.repo === key);
    const [a, b, c, d] = rest;
    if (a === 'actions' && b === 'runs' && d === 'jobs' && rest.length === 4) {
      const run = this.workflows.get(Number(c));
      if (!run || run.repo !== key) return { status: 404, body: { message: 'Not Found' } };
      const jobs = mine.filter((r) => r.runId === Number(c)).map((r) => this.jobJson(repo, r));
      return { body: { total_count: jobs.length, jobs } };
    }
    if (a === 'actions' && b === 'jobs' && d === 'logs' && rest.length === 4) {
      const job = mine.find((r) => r.id === Number(c) && r.runId !== undefined);
      if (!job || job.log === undefined) return { status: 404, body: { message: 'Not Found' } };
      const sig = randomBytes(8).toString('hex');
      this.signed.set(sig, job.id);
      return { status: 302, headers: { location: `${this.downloadsUrl}/logs/${job.id}?sig=${sig}` } };
    }
    if ((a === 'check-suites' || a === 'commits') && c === 'check-runs' && rest.length === 3) {
      const runs = mine.filter((r) => (a === 'commits' ? r.headSha === b : r.suiteId === Number(b))).map((r) => this.checkRunJson(repo, r));
      return { body: { total_count: runs.length, check_runs: runs } };
    }
    if (a === 'check-runs' && c === 'annotations' && rest.length === 3) {
      const run = mine.find((r) => r.id === Number(b));
      return run ? { body: run.annotations } : { status: 404, body: { message: 'Not Found' } };
    }
    return undefined;
  }

  private checkRunJson(repo: string, r: CheckRun): unknown {
    return {
      id: r.id,
      name: r.name,
      head_sha: r.headSha,
      status: 'completed',
      conclusion: r.conclusion,
      html_url: `https://github.example/${repo}/runs/${r.id}`,
      app: { slug: r.app },
      check_suite: { id: r.suiteId },
      output: { title: r.output?.title ?? null, summary: r.output?.summary ?? null, text: r.output?.text ?? null, annotations_count: r.annotations.length },
    };
  }

  private jobJson(repo: string, r: CheckRun): unknown {
    return {
      id: r.id,
      run_id: r.runId,
      name: r.name,
      head_sha: r.headSha,
      status: 'completed',
      conclusion: r.conclusion,
      html_url: `https://github.example/${repo}/actions/runs/${r.runId}/job/${r.id}`,
      steps: r.steps.map((s, i) => ({ name: s.name, status: 'completed', conclusion: s.conclusion, number: i + 1 })),
    };
  }
}
