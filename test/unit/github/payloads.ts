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
