import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitHubClient } from '../../../../src/github/client.ts';
import { gatherFailures, type GatherOptions } from '../../../../src/github/ingest/failures.ts';
import { jobLogReader } from '../../../../src/github/ingest/logs.ts';
import { createRedactor } from '../../../../src/security/index.ts';
import { FakeGitHub } from '../../../support/fake-github.ts';

const O = 'octo';
const R = 'demo';
const TOKEN = 'ghs_ingest';
const SHA = 'c0ffee';
const LEAKED = `ghp_${'a1B2'.repeat(9)}`;
const repo = { owner: O, repo: R };

let github: FakeGitHub;
let client: GitHubClient;
let opts: GatherOptions;

beforeEach(async () => {
  github = await FakeGitHub.start({ tokens: [TOKEN] });
  github.addRepo(O, R);
  client = new GitHubClient({ apiUrl: github.url, token: async () => TOKEN });
  opts = { logs: jobLogReader({ apiUrl: github.url, token: async () => TOKEN }), redactor: createRedactor(), budget: 2_000 };
});

afterEach(async () => {
  await github.stop();
});

describe('gatherFailures', () => {
  it("reads a workflow run's failing jobs with their failed steps and redacted log ends", async () => {
    const { runId, jobIds } = github.checks.addWorkflowRun(`${O}/${R}`, {
      name: 'CI',
      headSha: SHA,
      jobs: [
        { name: 'lint', conclusion: 'success', log: 'ok' },
        { name: 'test', conclusion: 'failure', steps: [{ name: 'Checkout', conclusion: 'success' }, { name: 'Run npm test', conclusion: 'failure' }], log: `token ${LEAKED}\nFAIL sum\n##[error]exit 1\n` },
        { name: 'build', conclusion: 'timed_out', log: 'compiling\n' },
      ],
    });
    const report = await gatherFailures(client, repo, { event: 'workflow_run', id: runId, name: 'CI', headSha: SHA, conclusion: 'failure', url: '', app: 'github-actions' }, opts);
    expect(report).toEqual({
      failures: [
        { name: 'test', conclusion: 'failure', url: `https://github.example/${O}/${R}/actions/runs/${runId}/job/${jobIds[1]}`, failedSteps: ['Run npm test'], log: 'token [REDACTED:github_token]\nFAIL sum\n##[error]exit 1' },
        { name: 'build', conclusion: 'timed_out', url: `https://github.example/${O}/${R}/actions/runs/${runId}/job/${jobIds[2]}`, failedSteps: [], log: 'compiling' },
      ],
      others: [],
    });
    expect(github.checks.downloads.every((d) => d.authorization === undefined)).toBe(true);
  });

  it("reads another App's check runs of a suite by output and annotations", async () => {
    const { id, suiteId } = github.checks.addCheckRun(`${O}/${R}`, {
      name: 'linter',
      headSha: SHA,
      conclusion: 'failure',
      output: { title: '2 problems', summary: `found with ${LEAKED}` },
      annotations: [{ path: 'src/a.ts', start_line: 3, annotation_level: 'failure', title: 'no-unused-vars', message: "'x' is\nunused" }],
    });
    const report = await gatherFailures(client, repo, { event: 'check_suite', id: suiteId, name: 'linter', headSha: SHA, conclusion: 'failure', url: '', app: 'octocoders-linter' }, opts);
    expect(report).toEqual({
      failures: [
        {
          name: 'linter',
          conclusion: 'failure',
          url: `https://github.example/${O}/${R}/runs/${id}`,
          failedSteps: [],
          output: '2 problems\n\nfound with [REDACTED:github_token]',
          annotations: ["src/a.ts:3: failure: no-unused-vars: 'x' is unused"],
        },
      ],
      others: [],
    });
  });

  it("shows a commit's first three failures, shares the budget among them and names the rest", async () => {
    github.checks.addWorkflowRun(`${O}/${R}`, {
      name: 'CI',
      headSha: SHA,
      jobs: ['a', 'b', 'c', 'd'].map((name) => ({ name, conclusion: 'failure', log: Array.from({ length: 200 }, (_, i) => `${name} ${i}`).join('\n') })),
    });
    const report = await gatherFailures(client, repo, { event: 'commit', headSha: SHA }, { ...opts, budget: 300 });
    expect([report.failures.map((f) => f.name), report.others]).toEqual([['a', 'b', 'c'], ['d']]);
    expect(report.failures.every((f) => f.log!.length <= 100 + '[... 200 earlier lines left out]\n'.length && f.log!.endsWith(`${f.name} 199`))).toBe(true);
  });

  it('turns what cannot be read into notes instead of failing', async () => {
    const { runId, jobIds } = github.checks.addWorkflowRun(`${O}/${R}`, { name: 'CI', headSha: SHA, jobs: [{ name: 'test', conclusion: 'failure', log: 'x' }] });
    const source = { event: 'workflow_run' as const, id: runId, name: 'CI', headSha: SHA, conclusion: 'failure', url: '', app: 'github-actions' };
    github.fail('GET', /\/jobs$/, 500);
    const unlisted = await gatherFailures(client, repo, source, opts);
    github.fail('GET', new RegExp(`/jobs/${jobIds[0]}/logs$`), 500);
    const unread = await gatherFailures(client, repo, source, opts);
    const late = await gatherFailures(client, repo, source, { ...opts, signal: AbortSignal.abort() });
    expect([unlisted, unread.failures[0].note, late]).toEqual([
      { failures: [], others: [], note: expect.stringMatching(/^the failing jobs could not be listed: GitHub GET .* answered 500/) },
      'the log download answered 500',
      { failures: [], others: [], note: 'the failing jobs could not be listed: out of time' },
    ]);
  });
});
