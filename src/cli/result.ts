import type { Command } from 'commander';
import { finishTask, formatResultSummary, openRemote, printViewLink, readTaskResult, taskExists, type CommandIo } from '../client/index.ts';
import { EXIT, exitCodeFor } from './errors.ts';
import { addStackOptions, followWithRenderer, remoteAction, type StackOptions } from './remote.ts';
import { addTaskTargetOptions, resolveTaskTarget, type TaskTargetOptions } from './task-target.ts';

interface ResultOptions extends StackOptions, TaskTargetOptions {
  json?: boolean;
  applyPartial?: boolean;
  wait?: boolean;
}

/**
 * Registers `agent-runner result TASK_ID`: prints a finished task's result (result.json with
 * --json), applies its diff or downloads its artifacts; exits with its status, or 2 while it
 * has not finished (unless --wait).
 */
export function resultCommand(program: Command, io: Partial<CommandIo> = {}): Command {
  const cmd = program
    .command('result')
    .description("print a finished task's result, apply its diff or download its artifacts; exits with its status")
    .argument('<taskId>', 'the task id enqueue printed')
    .option('--json', 'print result.json as one JSON object on stdout (with the watch-page link as viewUrl)');
  addTaskTargetOptions(cmd)
    .option('--apply-partial', 'with --apply, also apply the partial diff of a task that failed or stopped at a limit')
    .option('--wait', 'wait for an unfinished task (progress on stderr) instead of exiting 2')
    .option('--start-timeout-seconds <s>', 'with --wait: how long to wait for a worker to start the task (default 60)');
  addStackOptions(cmd);
  cmd.action(
    remoteAction(io, async (full, signal, taskId: string, opts: ResultOptions) => {
      const { workspace, out, startTimeoutMs } = resolveTaskTarget(taskId, opts);
      const remote = await openRemote(opts, full, false);
      let result = await readTaskResult(remote.store, taskId);
      if (!result && !opts.wait) {
        const known = await taskExists(remote.store, taskId);
        if (known) await printViewLink(remote.stack, taskId, { env: full.env, now: full.now, err: full.stderr });
        full.stderr.write(
          known
            ? `agent-runner: task ${taskId} has not finished yet: follow it with \`agent-runner watch ${taskId}\` or add --wait\n`
            : `agent-runner: task ${taskId} is not known to the stack (no tasks/${taskId}/task.json): check the task id and the stack\n`,
        );
        return EXIT.usage;
      }
      const viewUrl = await printViewLink(remote.stack, taskId, { env: full.env, now: full.now, err: full.stderr });
      result ??= await followWithRenderer(remote, taskId, full, signal, { json: false, startTimeoutMs });
      await finishTask(remote.store, result, { out, applyTo: workspace, applyPartial: opts.applyPartial, err: full.stderr });
      full.stdout.write(opts.json ? `${JSON.stringify(viewUrl ? { ...result, viewUrl } : result)}\n` : `${formatResultSummary(result)}\n`);
      return exitCodeFor(result.status);
    }),
  );
  return cmd;
}
