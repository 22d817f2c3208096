import fs from 'node:fs';
import { UsageError } from './errors.ts';

export interface PromptSources {
  /** A positional prompt (`agent-runner run "fix it"`); absent where the command takes none. */
  positional?: string;
  /** The command takes a positional prompt (for the messages). */
  positionalAllowed?: boolean;
  prompt?: string;
  promptFile?: string;
  /** Read when the prompt file or the positional prompt is `-` (a getter: opening stdin costs). */
  stdin: () => AsyncIterable<string | Buffer>;
}

/**
 * The task's prompt from exactly one of a positional argument, `--prompt` and `--prompt-file`,
 * where `-` (as the file or the positional) reads stdin to its end. UsageError when none or
 * several are given, or the prompt is empty.
 */
export async function readPrompt(src: PromptSources): Promise<string> {
  const given = [src.positional, src.prompt, src.promptFile].filter((x) => x !== undefined).length;
  if (given !== 1) {
    throw new UsageError(
      !src.positionalAllowed ? 'give exactly one of --prompt and --prompt-file'
      : given === 0 ? 'no prompt: give it as an argument, with --prompt TEXT or with --prompt-file FILE (- reads stdin)'
      : 'give exactly one of a prompt argument, --prompt and --prompt-file',
    );
  }
  const fromStdin = src.positional === '-' || src.promptFile === '-';
  const text = fromStdin ? await readStdin(src.stdin()) : (src.positional ?? src.prompt ?? readFile(src.promptFile as string));
  if (!text.trim()) throw new UsageError(`${fromStdin ? 'the prompt read from stdin' : src.promptFile !== undefined ? `--prompt-file ${src.promptFile}` : src.prompt !== undefined ? '--prompt' : 'the prompt'} is empty`);
  return text;
}

function readFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --prompt-file ${file}: ${(err as Error).message}`);
  }
}

async function readStdin(stdin: AsyncIterable<string | Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
