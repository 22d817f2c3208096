import { budgetStatus, exhaustedMessage, monthOf, repositoryKey, S3LedgerStore, type Ledger } from '../budget/index.ts';
import type { Remote } from './remote.ts';

/** The month's spend ledger of the stack's bucket, or undefined when none was written yet. */
export async function readLedger(remote: Remote, month: string): Promise<Ledger | undefined> {
  return (await new S3LedgerStore({ client: remote.clients.s3, bucket: remote.stack.bucket }).read(month))?.ledger;
}

/**
 * Why `enqueue` must not send a task (a monthly budget is spent), or undefined; one ledger read.
 * The budgets are the stack's outputs (with --stack), else the ones the worker last wrote into
 * the ledger; the worker checks again when the task starts.
 */
export async function budgetRefusal(remote: Remote, github: { owner: string; repo: string } | undefined, now: Date): Promise<string | undefined> {
  const month = monthOf(now.getTime());
  const ledger = await readLedger(remote, month);
  const budgets = remote.stack.budgets ?? ledger?.budgets;
  if (!budgets) return undefined;
  const status = budgetStatus(ledger, budgets, github ? repositoryKey(github.owner, github.repo) : undefined);
  return status.exhausted ? exhaustedMessage(status.exhausted, month) : undefined;
}
