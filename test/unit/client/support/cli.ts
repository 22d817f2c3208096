import { PassThrough } from 'node:stream';
import { Command, CommanderError } from 'commander';
import type { CommandIo } from '../../../../src/client/remote.ts';

export interface CliRun {
  code: number | undefined;
  stdout: string;
  stderr: string;
}

/**
 * Runs one remote command in-process, as `main` would, with captured streams: `register` is
 * enqueueCommand, watchCommand or resultCommand.
 */
export async function runCli(register: (program: Command, io: Partial<CommandIo>) => unknown, argv: string[], io: Partial<CommandIo> = {}): Promise<CliRun> {
  const out = capture();
  const err = capture();
  let code: number | undefined;
  const program = new Command('agent-runner').exitOverride().configureOutput({ writeOut: (s) => out.stream.write(s), writeErr: (s) => err.stream.write(s) });
  register(program, { stdout: out.stream, stderr: err.stream, setExitCode: (c) => (code = c), onInterrupt: () => () => undefined, ...io });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    code = e.exitCode === 0 ? 0 : 2;
  }
  return { code, stdout: out.text(), stderr: err.text() };
}

function capture() {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}
