import { spawn, type ChildProcess } from 'node:child_process';
import { inheritableDescriptors, isolatedStdio } from '../../security/index.ts';
import { constants as osConstants } from 'node:os';
import { ToolCancelledError, ToolHostError } from './errors.ts';
import { toolError, toolSuccess } from './result.ts';
import { HeadTailCapture } from './truncate.ts';
import type { Tool, ToolContext, ToolResult } from './types.ts';

// Read once: which descriptors this process inherited does not change while it runs.
let inherited: number[] | undefined;

export interface ShellInput {
  command: string;
  timeout_ms?: number;
}

export interface ShellToolOptions {
  /** Time between SIGTERM and SIGKILL to the process group. */
  killGraceMs?: number;
  /** How long to wait for the output pipe to close once the shell has exited. */
  drainMs?: number;
}

/** Bytes kept back from the output budget for the `exit code:` line and the cut note. */
const HEADER_RESERVE = 320;
/** The outer shell execs the command's shell with stderr joined to stdout, so both interleave exactly. */
const WRAPPER = 'exec /bin/sh -c "$1" 2>&1';

const DESCRIPTION = [
  'Runs `command` with /bin/sh -c in the workspace folder and returns `exit code: N` followed by the output (stdout and stderr interleaved; stdin is closed, so nothing can prompt).',
  'A non-zero exit code gives an error result that still carries the output; `exit code: timeout` means the command ran longer than timeout_ms and was killed with its whole process group.',
  'Background processes still running when the command ends are killed too. Output over 32 KiB keeps its head and tail. The environment holds no credentials.',
].join(' ');

/** The `shell` tool (contract section 4). */
export function createShellTool(opts: ShellToolOptions = {}): Tool {
  const killGraceMs = opts.killGraceMs ?? 2000;
  const drainMs = opts.drainMs ?? 500;
  return {
    name: 'shell',
    description: DESCRIPTION,
    inputSchema: {
      type: 'object',
      properties: {
        command: { type: 'string', minLength: 1, description: 'The shell command line, run by /bin/sh -c in the workspace folder.' },
        timeout_ms: { type: 'integer', minimum: 1, description: 'Kill the command after this many milliseconds (default and maximum are set by the runner).' },
      },
      required: ['command'],
      additionalProperties: false,
    },
    readOnly: false,
    run: (input: ShellInput, ctx: ToolContext) => runShell(input, ctx, killGraceMs, drainMs),
  };
}

async function runShell(input: ShellInput, ctx: ToolContext, killGraceMs: number, drainMs: number): Promise<ToolResult> {
  if (ctx.signal.aborted) throw new ToolCancelledError('shell', { cause: ctx.signal.reason });
  const timeoutMs = Math.max(1, Math.min(input.timeout_ms ?? ctx.shellTimeoutMs, ctx.maxShellTimeoutMs));
  const half = Math.max(256, Math.floor((ctx.maxOutputBytes - HEADER_RESERVE) / 2));
  const capture = new HeadTailCapture(half, half);

  let child: ChildProcess;
  try {
    const plain = { argv: ['/bin/sh', '-c', WRAPPER, 'sh', input.command], cwd: ctx.root, env: ctx.env };
    const cmd = ctx.wrapCommand ? ctx.wrapCommand(plain) : plain;
    child = spawn(cmd.argv[0], cmd.argv.slice(1), {
      cwd: cmd.cwd,
      env: cmd.env,
      detached: true,
      // Descriptors the runner inherited (Lambda's log pipe...) are not handed on to the command.
      stdio: isolatedStdio(['ignore', 'pipe', 'ignore'], (inherited ??= inheritableDescriptors())),
    });
  } catch (err) {
    throw new ToolHostError('shell', err);
  }

  const outcome = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; timedOut: boolean; aborted: boolean }>((resolve, reject) => {
    let timedOut = false;
    let aborted = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let done = false;
    let drainTimer: NodeJS.Timeout | undefined;

    const signalGroup = (sig: NodeJS.Signals): boolean => {
      if (child.pid === undefined) return false;
      try {
        process.kill(-child.pid, sig);
        return true;
      } catch {
        return false; // ESRCH: the whole group is gone already.
      }
    };
    const killGroup = () => {
      // SIGKILL only a group that still existed, so a recycled pid is never hit.
      if (signalGroup('SIGTERM')) setTimeout(() => signalGroup('SIGKILL'), killGraceMs).unref();
    };
    const onAbort = () => {
      aborted = true;
      killGroup();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    ctx.signal.addEventListener('abort', onAbort, { once: true });

    const finish = (err?: unknown) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(drainTimer);
      ctx.signal.removeEventListener('abort', onAbort);
      if (err !== undefined) reject(err);
      else resolve({ code: exit?.code ?? null, signal: exit?.signal ?? null, timedOut, aborted });
    };

    child.stdout!.on('data', (chunk: Buffer) => capture.push(chunk));
    child.stdout!.on('error', () => undefined);
    child.on('error', (err) => {
      killGroup();
      finish(new ToolHostError('shell', err));
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // Whatever the command left running in its group must not outlive it.
      killGroup();
      // A process that left the group may still hold the pipe: stop waiting for it after a while.
      drainTimer = setTimeout(() => {
        child.stdout?.destroy();
        finish();
      }, killGraceMs + drainMs);
    });
    child.on('close', () => finish());
  });

  if (outcome.aborted) throw new ToolCancelledError('shell', { cause: ctx.signal.reason });
  const output = capture.text();
  const body = output.length > 0 ? output : '(no output)';
  if (outcome.timedOut) {
    return toolError(
      `exit code: timeout after ${formatSeconds(timeoutMs)} (the command and its process group were killed; pass a larger timeout_ms, at most ${ctx.maxShellTimeoutMs}, or make the command faster)\n${body}`,
    );
  }
  if (outcome.signal) {
    const num = osConstants.signals[outcome.signal] ?? 0;
    return toolError(`exit code: ${128 + num} (killed by ${outcome.signal})\n${body}`);
  }
  const code = outcome.code ?? 1;
  return code === 0 ? toolSuccess(`exit code: 0\n${body}`) : toolError(`exit code: ${code}\n${body}`);
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)}s`;
}
