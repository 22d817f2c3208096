/** Real webhook payloads from @octokit/webhooks-examples, picked by event and action. */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const definitions = require('@octokit/webhooks-examples') as { name: string; examples: Record<string, any>[] }[];

/** A deep copy of the first example of `event` matching `pick`. */
export function example(event: string, pick: (p: Record<string, any>) => boolean = () => true): Record<string, any> {
  const found = definitions.find((d) => d.name === event)?.examples.find(pick);
  if (!found) throw new Error(`no ${event} example matches`);
  return structuredClone(found);
}

/** issues/labeled (label `bug` in the example). */
export const issuesLabeled = () => example('issues', (p) => p.action === 'labeled');
/** issue_comment/created on issue #1 of Codertocat/Hello-World. */
export const issueComment = () => example('issue_comment', (p) => p.action === 'created' && !p.installation);
/** check_run/completed with conclusion failure on pull request #2. */
export const checkRunFailed = () => example('check_run', (p) => p.action === 'completed' && p.check_run.conclusion === 'failure');
export const ping = () => example('ping');
/** check_suite/completed on pull request #2, its conclusion turned to failure (the examples all succeed). */
export const checkSuiteFailed = () => {
  const p = example('check_suite', (x) => x.action === 'completed' && x.check_suite.pull_requests.length > 0);
  p.check_suite.conclusion = 'failure';
  return p;
};
/** workflow_run/completed on pull request #2, its conclusion turned to timed_out (the examples all succeed). */
export const workflowRunFailed = () => {
  const p = example('workflow_run', (x) => x.action === 'completed' && x.workflow_run.pull_requests.length > 0);
  p.workflow_run.conclusion = 'timed_out';
  return p;
};

/**
 * A failed CI delivery (from the examples above) moved onto pull request `number` of
 * `owner/repo`, whose head is `ref` at `sha`; `id` names the run or suite the fake GitHub holds.
 */
export function ciFailure(event: 'check_suite' | 'check_run' | 'workflow_run', at: { owner: string; repo: string; number: number; ref: string; sha: string; id?: number; name?: string }): Record<string, any> {
  const p = event === 'check_suite' ? checkSuiteFailed() : event === 'check_run' ? checkRunFailed() : workflowRunFailed();
  Object.assign(p.repository, { name: at.repo, full_name: `${at.owner}/${at.repo}`, default_branch: 'master' });
  p.repository.owner.login = at.owner;
  const subject = p[event];
  const pull = subject.pull_requests[0];
  subject.pull_requests = [{ ...pull, number: at.number, head: { ...pull.head, ref: at.ref, sha: at.sha } }];
  subject.head_sha = at.sha;
  if (at.id !== undefined) subject.id = at.id;
  if (at.name !== undefined) subject.name = at.name;
  return p;
}
