/** Errors of budgets and the spend ledger. */
export class BudgetError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BudgetError';
    this.code = code;
  }
}

/** The ledger object is not one this runner wrote (hand-edited, truncated). */
export class LedgerFormatError extends BudgetError {
  readonly month: string;
  constructor(month: string, message: string, options?: { cause?: unknown }) {
    super('ledger_unreadable', `the spend ledger of ${month} cannot be read: ${message}`, options);
    this.name = 'LedgerFormatError';
    this.month = month;
  }
}

/** Every conditional write of an update lost to another writer; the caller retries later. */
export class LedgerContentionError extends BudgetError {
  readonly month: string;
  readonly attempts: number;
  constructor(month: string, attempts: number) {
    super('ledger_contention', `the spend ledger of ${month} kept changing under ${attempts} attempts to update it`);
    this.name = 'LedgerContentionError';
    this.month = month;
    this.attempts = attempts;
  }
}

/** A budget setting that is not a non-negative number. */
export class BudgetConfigError extends BudgetError {
  readonly variable: string;
  constructor(variable: string, value: string) {
    super('budget_config', `${variable}=${JSON.stringify(value)} is not a number of USD (0 or empty: no budget)`);
    this.name = 'BudgetConfigError';
    this.variable = variable;
  }
}
