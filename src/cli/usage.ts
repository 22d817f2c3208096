import type { Command } from 'commander';
import { formatUsage, isMonth, monthOf } from '../budget/index.ts';
import { openRemote, readLedger, type CommandIo } from '../client/index.ts';
import { EXIT, UsageError } from './errors.ts';
import { addStackOptions, remoteAction, type StackOptions } from './remote.ts';

interface UsageOptions extends StackOptions {
  month?: string;
  json?: boolean;
}

/**
 * Registers `agent-runner usage [--month YYYY-MM]`: the stack's spend in a month (default the
 * current one, UTC) per repository and model, from the ledger the worker keeps in the bucket.
 */
export function usageCommand(program: Command, io: Partial<CommandIo> = {}): Command {
  const cmd = program
    .command('usage')
    .description("print the stack's spend in a month per repository and model, and what its budgets leave")
    .option('--month <YYYY-MM>', 'the month (UTC; default the current one)')
    .option('--json', "print the month's ledger as one JSON object on stdout");
  addStackOptions(cmd);
  cmd.action(
    remoteAction(io, async (full, _signal, opts: UsageOptions) => {
      const month = opts.month ?? monthOf(full.now().getTime());
      if (!isMonth(month)) throw new UsageError(`--month ${JSON.stringify(month)} is not of the form YYYY-MM`);
      const remote = await openRemote(opts, full, false);
      const ledger = await readLedger(remote, month);
      const budgets = remote.stack.budgets ?? ledger?.budgets;
      if (opts.json) {
        const { counted: _counted, ...rest } = ledger ?? { month, costUsd: 0, tasks: 0, repositories: {}, counted: {} };
        full.stdout.write(`${JSON.stringify({ ...rest, ...(budgets ? { budgets } : {}) })}\n`);
      } else full.stdout.write(`${formatUsage(month, ledger, budgets)}\n`);
      return EXIT.succeeded;
    }),
  );
  return cmd;
}
