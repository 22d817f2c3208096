import type { Command } from 'commander';

/** What a command's `--help` shows after its options. */
export interface HelpSections {
  /** `[name, what]` rows: where a default comes from. */
  defaults?: [string, string][];
  /** `[variable, what]` rows: the environment variables the command reads. */
  environment?: [string, string][];
  /** `[code, meaning]` rows. */
  exitCodes?: [string, string][];
  /** Command lines, each optionally with a comment. */
  examples?: [string, string?][];
}

/** The exit codes of the commands that run or follow a task. */
export const TASK_EXIT_CODES: [string, string][] = [
  ['0', 'the task succeeded'],
  ['1', 'the task failed (or was rejected)'],
  ['2', 'usage or configuration error (bad flag, unknown profile or region, no credentials, model without tool use)'],
  ['3', 'a limit was reached (turns, cost, time)'],
  ['130', 'interrupted (Ctrl-C)'],
  ['143', 'terminated (SIGTERM)'],
];

/** The exit codes of the commands that follow a task on a stack (enqueue --wait, watch, result). */
export const REMOTE_EXIT_CODES: [string, string][] = [
  ['0', 'the task succeeded (enqueue without --wait: it was sent)'],
  ['1', 'the task failed (or was rejected), or the stack could not be reached'],
  ['2', 'usage or configuration error (bad flag, no credentials, unknown stack or task)'],
  ['3', 'a limit was reached (turns, cost, time)'],
  ['130', 'Ctrl-C or SIGTERM: stopped following; the task goes on'],
];

/** Where the remote commands find the stack when no flag names it. */
export const STACK_ENVIRONMENT: [string, string][] = [
  ['AGENT_RUNNER_STACK', 'the stack, as --stack'],
  ['AGENT_RUNNER_QUEUE_URL', 'as --queue-url (or TASK_QUEUE_URL)'],
  ['AGENT_RUNNER_BUCKET', 'as --bucket (or ARTIFACT_BUCKET)'],
  ['AGENT_RUNNER_PROGRESS_URL', 'as --progress-url'],
];

/** The AWS variables every AWS command reads (the SDK's default chain). */
export const AWS_ENVIRONMENT: [string, string][] = [
  ['AWS_PROFILE', 'the profile of ~/.aws/config and ~/.aws/credentials to use'],
  ['AWS_REGION', 'the region (else AWS_DEFAULT_REGION, else the profile\'s)'],
  ['AWS_ACCESS_KEY_ID, ...', 'static credentials, as the AWS CLI reads them'],
  ['AWS_ENDPOINT_URL_<SERVICE>', 'another endpoint for a service (e.g. AWS_ENDPOINT_URL_BEDROCK_RUNTIME)'],
];

function table(title: string, rows: [string, string][]): string {
  const width = Math.min(28, Math.max(...rows.map(([k]) => k.length)));
  return `${title}:\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}`;
}

/** Adds the sections to `cmd`'s help, after the options. */
export function addHelpSections(cmd: Command, s: HelpSections): Command {
  const parts: string[] = [];
  if (s.defaults?.length) parts.push(table('Defaults', s.defaults));
  if (s.environment?.length) parts.push(table('Environment', s.environment));
  if (s.exitCodes?.length) parts.push(table('Exit status', s.exitCodes));
  if (s.examples?.length) parts.push(`Examples:\n${s.examples.map(([line, note]) => `${note ? `  # ${note}\n` : ''}  $ ${line}`).join('\n')}`);
  return cmd.addHelpText('after', `\n${parts.join('\n\n')}`);
}
