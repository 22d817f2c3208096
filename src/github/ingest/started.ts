/** The first comment on the issue: the task started, and where to watch it. */
export function startedComment(taskId: string, viewUrl: string): string {
  return `agent-runner started task \`${taskId}\` for this. [Watch it live](${viewUrl}) (read-only; the link works for anyone who has it, until it expires). The outcome will be posted here.`;
}
