import type { Command } from 'commander';
import { finishTask, openRemote, printViewLink, taskExists, taskInputExists, type CommandIo } from '../client/index.ts';
import { EXIT, exitCodeFor } from './errors.ts';
import { addStackOptions, followWithRenderer, remoteAction, type StackOptions } from './remote.ts';
import { addTaskTargetOptions, resolveTaskTarget, type TaskTargetOptions } from './task-target.ts';

interface WatchOptions extends StackOptions, TaskTargetOptions {
  json?: boolean;
}

/** Registers `agent-runner watch TASK_ID`: follows an enqueued task; exits with its status. */
export function watchCommand(program: Command, io: Partial<CommandIo> = {}): Command {
  const cmd = program
    .command('watch')
    .description('follow a task enqueued earlier until it ends, showing progress as run does; exits with its status')
    .argument('<taskId>', 'the task id enqueue printed')
    .option('--json', 'print every event as one JSON line on stdout, and nothing else');
  addTaskTargetOptions(cmd).option('--start-timeout-seconds <s>', 'how long to wait for a worker to start a queued task (default 60; given, an unknown task is waited for too)');
  addStackOptions(cmd);
  cmd.action(
    remoteAction(io, async (full, signal, taskId: string, opts: WatchOptions) => {
      const { workspace, out, startTimeoutMs } = resolveTaskTarget(taskId, opts);
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
  return cmd;
}
