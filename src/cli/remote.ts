/**
 * What the commands that talk to a deployed stack share (enqueue, watch, result, cancel, usage):
 * the stack flags, the process's streams and signals, the mapping of what a command throws to
 * the exit codes, and following a task with the renderer.
 */
import type { Command } from 'commander';
import type { TaskResult } from '../task/events.ts';
import { ClientError, followTask, type CommandIo, type Remote } from '../client/index.ts';
import { createRenderer } from './render.ts';
import { EXIT, UsageError } from './errors.ts';

export interface StackOptions {
  stack?: string;
  queueUrl?: string;
  bucket?: string;
  progressUrl?: string;
}

/** Adds `--stack`, `--queue-url`, `--bucket`, `--progress-url`. */
export function addStackOptions(cmd: Command): Command {
  return cmd
    .option('--stack <name>', 'the CloudFormation stack (reads its outputs TaskQueueUrl, ArtifactBucketName, ProgressUrl; default AGENT_RUNNER_STACK)')
    .option('--queue-url <url>', 'the task queue (default AGENT_RUNNER_QUEUE_URL or TASK_QUEUE_URL)')
    .option('--bucket <name>', 'the artifact bucket (default AGENT_RUNNER_BUCKET or ARTIFACT_BUCKET)')
    .option('--progress-url <url>', 'the progress function URL (default AGENT_RUNNER_PROGRESS_URL; without it, events are read from S3)');
}

/** The process's streams, environment, clock and signals, with `io`'s overrides. */
export function withDefaults(io: Partial<CommandIo>): CommandIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    setExitCode: (code) => {
      process.exitCode = code;
    },
    now: () => new Date(),
    onInterrupt: (cb) => {
      process.on('SIGINT', cb);
      process.on('SIGTERM', cb);
      return () => {
        process.off('SIGINT', cb);
        process.off('SIGTERM', cb);
      };
    },
    ...io,
  };
}

/**
 * Runs a remote command and maps what it throws to the contract's exit codes: a mistake the user
 * can fix is one line on stderr and 2; Ctrl-C stops following (the task goes on) with 130; any
 * other fault is one line and 1.
 */
export async function runRemote(io: CommandIo, fn: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const controller = new AbortController();
  const off = io.onInterrupt?.(() => controller.abort(new Error('interrupted')));
  try {
    return await fn(controller.signal);
  } catch (err) {
    if (controller.signal.aborted) {
      io.stderr.write('agent-runner: stopped following; the task goes on (see it again with agent-runner watch TASK_ID)\n');
      return EXIT.interrupted;
    }
    const usage = err instanceof UsageError || (err instanceof ClientError && err.usage);
    const message = ((err as Error)?.message ?? String(err)).split('\n')[0];
    io.stderr.write(`agent-runner: ${message}\n`);
    if (!usage && io.env.AGENT_RUNNER_DEBUG) io.stderr.write(`${(err as Error)?.stack}\n`);
    return usage ? EXIT.usage : EXIT.failed;
  } finally {
    off?.();
  }
}

/**
 * A commander action for a remote command: `fn` gets the command's arguments, the process's io
 * (with `io`'s overrides) and the Ctrl-C signal; its exit code, or runRemote's for what it
 * throws, becomes the process's.
 */
export function remoteAction<A extends unknown[]>(io: Partial<CommandIo>, fn: (full: CommandIo, signal: AbortSignal, ...args: A) => Promise<number>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const full = withDefaults(io);
    full.setExitCode(await runRemote(full, (signal) => fn(full, signal, ...args)));
  };
}

/**
 * Follows a task, rendering its events as `run` does (`json`: JSON lines on stdout), and returns
 * its result; reconnections are noted on stderr.
 */
export async function followWithRenderer(
  remote: Remote,
  taskId: string,
  io: CommandIo,
  signal: AbortSignal,
  opts: { json: boolean; startTimeoutMs?: number },
): Promise<TaskResult> {
  const renderer = createRenderer({ json: opts.json, tty: !opts.json && !!io.stderr.isTTY, out: io.stdout, err: io.stderr });
  try {
    return await followTask(remote, taskId, io, (e) => renderer.event(e), {
      signal,
      startTimeoutMs: opts.startTimeoutMs,
      onReconnect: ({ afterSeq, reason }) => {
        if (reason !== 'task not started yet') io.stderr.write(`progress stream: ${reason}; resuming after event ${afterSeq}\n`);
      },
    });
  } finally {
    renderer.close();
  }
}
