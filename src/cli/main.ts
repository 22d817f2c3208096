import { Command, CommanderError } from 'commander';
import { runCommand } from './run.ts';
import { enqueueCommand } from './enqueue.ts';
import { watchCommand } from './watch.ts';
import { resultCommand } from './result.ts';
import { invokeCommand } from './invoke.ts';
import { devCommand } from './dev.ts';
import { cancelCommand } from './cancel.ts';
import { usageCommand } from './usage.ts';
import { UsageError } from './errors.ts';

/** Builds the CLI; each module registers its subcommands. */
export function buildProgram(): Command {
  const program = new Command('agent-runner')
    .description('A headless coding agent on Amazon Bedrock: run tasks locally or on a serverless AWS stack.')
    .version('0.1.0')
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({ outputError: (str, write) => write(str) });
  runCommand(program);
  enqueueCommand(program);
  watchCommand(program);
  resultCommand(program);
  cancelCommand(program);
  usageCommand(program);
  invokeCommand(program);
  devCommand(program);
  return program;
}

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    process.exitCode = undefined;
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version "fail" with exit code 0.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`agent-runner: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`agent-runner: ${(err as Error)?.message ?? String(err)}\n`);
    if (process.env.AGENT_RUNNER_DEBUG) process.stderr.write(`${(err as Error)?.stack}\n`);
    return 1;
  }
}
