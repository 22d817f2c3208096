import type { Command } from 'commander';
import { requestCancel } from '../cancel/index.ts';
import { checkTaskId, openRemote, type CommandIo } from '../client/index.ts';
import { EXIT } from './errors.ts';
import { addStackOptions, remoteAction, type StackOptions } from './remote.ts';

interface CancelOptions extends StackOptions {
  reason?: string;
  json?: boolean;
}

/**
 * Registers `agent-runner cancel TASK_ID`: writes the task's cancel request, which its worker
 * reads before its next model call (and every few seconds while a command runs); a queued task
 * stops before its first model call. A finished task is left alone, and the command says so.
 * Exits 0 in every case where the stack could be reached.
 */
export function cancelCommand(program: Command, io: Partial<CommandIo> = {}): Command {
  const cmd = program
    .command('cancel')
    .description('stop a running or queued task of the stack; it ends failed (cancelled), keeping its diff so far')
    .argument('<taskId>', 'the task id enqueue printed')
    .option('--reason <text>', 'why, recorded in the task\'s result')
    .option('--json', 'print one JSON object on stdout: {taskId, state, started?, status?}');
  addStackOptions(cmd);
  cmd.action(
    remoteAction(io, async (full, _signal, taskId: string, opts: CancelOptions) => {
      checkTaskId(taskId, 'TASK_ID');
      const remote = await openRemote(opts, full, false);
      const who = full.env.USER || full.env.USERNAME;
      const outcome = await requestCancel(remote.store, {
        taskId,
        requestedAt: full.now().toISOString(),
        by: `agent-runner cancel${who ? ` (${who})` : ''}`,
        ...(opts.reason?.trim() ? { reason: opts.reason.trim() } : {}),
      });
      if (outcome.state === 'finished') {
        full.stderr.write(`task ${taskId} has already finished (${outcome.result.status}): nothing to cancel\n`);
        if (opts.json) full.stdout.write(`${JSON.stringify({ taskId, state: 'finished', status: outcome.result.status })}\n`);
        return EXIT.succeeded;
      }
      const again = outcome.already ? ' (it had been asked before)' : '';
      full.stderr.write(
        outcome.started
          ? `cancel requested for task ${taskId}${again}: it stops before its next model call, a running command within seconds; follow it with agent-runner watch ${taskId}\n`
          : `cancel requested for task ${taskId}${again}: no worker has started it yet, so it stops before its first model call (if no task has this id, nothing happens)\n`,
      );
      if (opts.json) full.stdout.write(`${JSON.stringify({ taskId, state: 'requested', started: outcome.started })}\n`);
      return EXIT.succeeded;
    }),
  );
  return cmd;
}
