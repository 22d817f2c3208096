import { Command, CommanderError } from 'commander';
import { UsageError } from './errors.ts';
import { addHelpSections } from './help.ts';
import { VERSION } from './version.ts';

/** A command the CLI offers: its name, the line the top-level help shows, and its module. */
export interface CommandEntry {
  name: string;
  summary: string;
  /** The function registering the command, loaded only when the command is chosen. */
  load: () => Promise<(program: Command) => unknown>;
}

/** The command `argv` chooses (`help NAME` included), if it names one of `commands`. */
function chosenCommand(argv: string[], commands: CommandEntry[]): string | undefined {
  const [first, second] = argv;
  const name = first === 'help' ? second : first;
  return commands.some((c) => c.name === name) ? name : undefined;
}

/**
 * Builds the CLI for `argv`: the chosen command with all its options and help, every other one
 * as a name and a summary only.
 */
export async function buildProgram(argv: string[], commands: CommandEntry[]): Promise<Command> {
  const program = new Command('agent-runner')
    .description('A headless coding agent on Amazon Bedrock: run tasks locally or on a serverless AWS stack.')
    .version(VERSION)
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({ outputError: (str, write) => write(str) })
    .addHelpText('after', '\nRun `agent-runner help COMMAND` (or COMMAND --help) for its options, defaults, environment and exit codes.');
  const chosen = chosenCommand(argv, commands);
  for (const c of commands) {
    if (c.name !== chosen) {
      program.command(c.name).description(c.summary);
      continue;
    }
    const [register, { COMMAND_HELP }] = await Promise.all([c.load(), import('./command-help.ts')]);
    register(program);
    const cmd = program.commands.find((x) => x.name() === c.name);
    if (cmd && COMMAND_HELP[c.name]) addHelpSections(cmd, COMMAND_HELP[c.name]);
  }
  return program;
}

/** Runs the CLI made of `commands` with `argv` (without node and script); resolves to the exit code. */
export async function runProgram(argv: string[], commands: CommandEntry[]): Promise<number> {
  // A reader that stops early (`agent-runner --help | head -3`) is no fault: what follows goes nowhere.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  try {
    const program = await buildProgram(argv, commands);
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
