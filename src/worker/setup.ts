import fs from 'node:fs/promises';
import path from 'node:path';
import type { Prepared } from '../agent/index.ts';
import type { EventBody, SetupStep } from '../task/index.ts';
import { createShellTool, truncateOutput, type Tool, type ToolContext } from '../agent/tools/index.ts';
import { EVENT_OUTPUT_MAX_BYTES } from '../agent/index.ts';
import { describeToolchain, detectToolchain } from './toolchain.ts';
import { DEFAULT_SETUP_TIMEOUT_SECONDS } from '../config/index.ts';

/** Where a repository keeps its setup script (run before the agent starts). */
export const REPOSITORY_SETUP_SCRIPT = '.agent-runner/setup.sh';
/** Bytes of a failed setup's output kept in the task's error message. */
const ERROR_TAIL_BYTES = 2048;

/** How a task's workspace is set up before the loop (the stack's configuration, per profile). */
export interface SetupSettings {
  /** A command the stack runs first, in the workspace (`[setup] command`). */
  command?: string;
  /** Whether the repository's own `.agent-runner/setup.sh` runs (false for untrusted repositories). */
  repositoryScript: boolean;
  /** Time limit of each setup step, seconds. */
  timeoutSeconds: number;
}

/** No setup step of the stack's; a repository's script runs (the defaults). */
export const NO_SETUP: SetupSettings = { repositoryScript: true, timeoutSeconds: DEFAULT_SETUP_TIMEOUT_SECONDS };

/**
 * The worker's preparation of a task (the loop's `prepare`): the configured setup command, then
 * the repository's `.agent-runner/setup.sh` (unless refused), each like a `shell` tool call (in the
 * workspace, the same scrubbed environment, process-group confinement and network) under the setup
 * time limit; then which programs the tool environment has, for the system prompt.
 * A step that fails ends the preparation with `setup_failed` and its output's tail.
 */
export function workerPreparation(settings: SetupSettings, clock: () => number, shell: Tool = createShellTool()): (ctx: ToolContext) => AsyncGenerator<EventBody, Prepared> {
  return async function* prepare(ctx) {
    const stepCtx: ToolContext = { ...ctx, shellTimeoutMs: settings.timeoutSeconds * 1000, maxShellTimeoutMs: settings.timeoutSeconds * 1000 };
    const steps: { step: SetupStep; command: string }[] = [];
    if (settings.command) steps.push({ step: 'command', command: settings.command });
    const script = await repositoryScript(ctx.root);
    if (script.kind === 'file' && settings.repositoryScript) steps.push({ step: 'repository', command: script.command });
    else if (script.kind !== 'none') {
      const reason = script.kind === 'file' ? "this stack's configuration refuses repository setup scripts" : `${REPOSITORY_SETUP_SCRIPT} is not a regular file`;
      yield { type: 'setup_skipped', step: 'repository', path: REPOSITORY_SETUP_SCRIPT, reason };
    }
    for (const { step, command } of steps) {
      yield { type: 'setup_started', step, command };
      const started = clock();
      const result = await shell.run({ command }, stepCtx);
      const { exitCode, output } = splitShellResult(result.output);
      const event = truncateOutput(output, EVENT_OUTPUT_MAX_BYTES);
      const status = result.status === 'success' ? 'succeeded' : 'failed';
      yield { type: 'setup_finished', step, status, exitCode, durationMs: clock() - started, output: event, truncated: event !== output };
      if (status === 'failed') {
        const what = step === 'repository' ? REPOSITORY_SETUP_SCRIPT : 'the setup command';
        const how = exitCode === null ? result.output.split('\n', 1)[0] : `exit code ${exitCode}`;
        return { error: { code: 'setup_failed', message: `${what} failed (${how}); the end of its output:\n${tail(output, ERROR_TAIL_BYTES)}` } };
      }
    }
    const toolchain = await detectToolchain(ctx.env);
    return { environment: describeToolchain(toolchain) };
  };
}

type ScriptLookup = { kind: 'none' } | { kind: 'other' } | { kind: 'file'; command: string };

/** The repository's setup script: run directly when executable (its `#!` line chooses), else with sh. */
async function repositoryScript(root: string): Promise<ScriptLookup> {
  let st;
  try {
    st = await fs.lstat(path.join(root, REPOSITORY_SETUP_SCRIPT));
  } catch {
    return { kind: 'none' };
  }
  if (!st.isFile()) return { kind: 'other' };
  return { kind: 'file', command: st.mode & 0o111 ? `./${REPOSITORY_SETUP_SCRIPT}` : `sh ${REPOSITORY_SETUP_SCRIPT}` };
}

/** `exit code: N\n<output>` (the shell tool's result) → N (null for a timeout) and the output. */
function splitShellResult(text: string): { exitCode: number | null; output: string } {
  const nl = text.indexOf('\n');
  const first = nl < 0 ? text : text.slice(0, nl);
  const m = /^exit code: (\d+)/.exec(first);
  return { exitCode: m ? Number(m[1]) : null, output: nl < 0 ? '' : text.slice(nl + 1) };
}

function tail(text: string, maxBytes: number): string {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= maxBytes) return text;
  let start = buf.length - maxBytes;
  while (start < buf.length && (buf[start] & 0xc0) === 0x80) start++;
  return `[... ${start} bytes cut ...]\n${buf.toString('utf8', start)}`;
}
