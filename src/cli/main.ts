import { runProgram, type CommandEntry } from './program.ts';

/**
 * Every command with the one line the top-level help shows. A command's module (and whatever it
 * imports: the agent loop, the AWS SDK) loads only when that command is chosen, so `--help`,
 * `--version` and a mistyped command start at once.
 */
export const COMMANDS: CommandEntry[] = [
  { name: 'run', summary: 'run the agent on a local folder (Bedrock by default); artifacts go to OUT/<taskId>/', load: async () => (await import('./run.ts')).runCommand },
  { name: 'runs', summary: 'list past local runs: id, time, status, cost, prompt', load: async () => (await import('./runs.ts')).runsCommand },
  { name: 'enqueue', summary: "send a task to a deployed stack's queue; --wait follows it", load: async () => (await import('./enqueue.ts')).enqueueCommand },
  { name: 'watch', summary: 'follow a task enqueued earlier until it ends; exits with its status', load: async () => (await import('./watch.ts')).watchCommand },
  { name: 'result', summary: "print a finished task's result, apply its diff or download its artifacts", load: async () => (await import('./result.ts')).resultCommand },
  { name: 'cancel', summary: 'stop a running or queued task of the stack, keeping its diff so far', load: async () => (await import('./cancel.ts')).cancelCommand },
  { name: 'usage', summary: "print the stack's spend in a month per repository and model", load: async () => (await import('./usage.ts')).usageCommand },
  { name: 'invoke', summary: 'run a built function bundle once on an event, as Lambda would', load: async () => (await import('./invoke.ts')).invokeCommand },
  { name: 'dev', summary: 'run the stack on this machine (S3/SQS emulator, worker, progress)', load: async () => (await import('./dev.ts')).devCommand },
];

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export function main(argv: string[]): Promise<number> {
  return runProgram(argv, COMMANDS);
}
