import type { Command } from 'commander';
import { checkTaskId, finishTask, openRemote, printViewLink, taskExists, taskInputExists, type CommandIo } from '../client/index.ts';
import { EXIT, exitCodeFor } from './errors.ts';
import { UsageError } from './errors.ts';
import { addStackOptions, checkOut, checkWorkspace, followWithRenderer, runRemote, withDefaults, type StackOptions } from './enqueue.ts';

interface WatchOptions extends StackOptions {
  json?: boolean;
  apply?: boolean;
  out?: string;
  workspace: string;
  startTimeoutSeconds?: string;
}

/** Registers `agent-runner watch TASK_ID`: follows an enqueued task; exits with its status. */
export function watchCommand(program: Command, io: Partial<CommandIo> = {}): Command {
  const cmd = program
    .command('watch')
    .description('follow a task enqueued earlier until it ends, showing progress as run does; exits with its status')
    .argument('<taskId>', 'the task id enqueue printed')
    .option('--json', 'print every event as one JSON line on stdout, and nothing else')
    .option('--apply', 'apply the diff of a succeeded task to the working tree')
    .option('--workspace <dir>', 'the working tree --apply changes', '.')
    .option('--out <dir>', 'download the artifacts to DIR/<taskId>/')
    .option('--start-timeout-seconds <s>', 'how long to wait for a worker to start a queued task (default 60; given, an unknown task is waited for too)');
  addStackOptions(cmd);
  cmd.action(async (taskId: string, opts: WatchOptions) => {
    const full = withDefaults(io);
    full.setExitCode(
      await runRemote(full, async (signal) => {
        checkTaskId(taskId, 'TASK_ID');
        const workspace = opts.apply ? checkWorkspace(opts.workspace) : undefined;
        const out = opts.out ? checkOut(opts.out, workspace) : undefined;
        const startTimeoutMs = seconds(opts.startTimeoutSeconds, 60) * 1000;
        const remote = await openRemote(opts, full, false);
        if (!(await taskExists(remote.store, taskId))) {
          // Unknown to the stack: a typo fails at once, unless enqueue's upload shows it queued (or S3
          // will not say: `false`, not `undefined`) or the caller chose to wait.
          const queued = await taskInputExists(remote.clients.s3, remote.stack.bucket, taskId);
          if (queued === false && opts.startTimeoutSeconds === undefined) {
            full.stderr.write(`agent-runner: task ${taskId} is not known to the stack (no tasks/${taskId}/task.json, no uploaded input): check the task id and the stack, or wait for it with --start-timeout-seconds\n`);
            return EXIT.usage;
          }
          full.stderr.write(`waiting up to ${startTimeoutMs / 1000} s for a worker to start task ${taskId}\n`);
        }
        await printViewLink(remote.stack, taskId, { env: full.env, now: full.now, err: full.stderr });
        const result = await followWithRenderer(remote, taskId, full, signal, { json: !!opts.json, startTimeoutMs });
        await finishTask(remote.store, result, { out, applyTo: workspace, err: full.stderr });
        return exitCodeFor(result.status);
      }),
    );
  });
  return cmd;
}

/** A positive number of seconds from a flag, or the default. */
export function seconds(v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`--start-timeout-seconds must be a number of seconds, got ${JSON.stringify(v)}`);
  return n;
}
