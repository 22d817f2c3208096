/** Shapes the webhook ingest and the publisher agree on. */

/** Where a task's outcome goes back: an issue or pull request (`reply.github` of a task). */
export interface GitHubReply {
  owner: string;
  repo: string;
  issue: number;
}

/** The task message ingest enqueues (contract sections 7 and 11); it carries no credential. */
export interface GitHubTaskMessage {
  taskId: string;
  prompt: string;
  source: { github: { owner: string; repo: string; ref: string } };
  reply: { github: GitHubReply };
}

/** The GitHub reply target of a task, if it has a well-formed one. */
export function githubReplyOf(reply: unknown): GitHubReply | undefined {
  if (typeof reply !== 'object' || reply === null) return undefined;
  const gh = (reply as { github?: unknown }).github;
  if (typeof gh !== 'object' || gh === null) return undefined;
  const { owner, repo, issue } = gh as Record<string, unknown>;
  if (typeof owner !== 'string' || typeof repo !== 'string' || !owner || !repo) return undefined;
  if (typeof issue !== 'number' || !Number.isInteger(issue) || issue <= 0) return undefined;
  return { owner, repo, issue };
}

/** The prefix of the branches the publisher creates: `agent/<taskId>`. */
export const AGENT_BRANCH_PREFIX = 'agent/';

/** The hidden marker that ties a comment, pull request or commit to a task. */
export function taskMarker(taskId: string): string {
  return `<!-- agent-runner:task=${taskId} -->`;
}
