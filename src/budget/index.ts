export { NO_REPOSITORY, addSpend, budgetStatus, cacheReadShare, emptyLedger, exhaustedMessage, isMonth, monthOf, parseLedger, repositoryKey } from './ledger.ts';
export type { BudgetStatus, Budgets, Exhausted, Ledger, ModelSpend, RepositorySpend, SpendEntry } from './ledger.ts';
export { S3LedgerStore } from './store.ts';
export type { LedgerStore, VersionedLedger } from './store.ts';
export { recordSpend } from './record.ts';
export type { RecordSpendOptions, RecordSpendResult } from './record.ts';
export { hasBudget, readBudgets } from './settings.ts';
export { BudgetConfigError, BudgetError, LedgerContentionError, LedgerFormatError } from './errors.ts';
export { checkBudget } from './check.ts';
