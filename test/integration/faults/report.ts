/**
 * The fault-injection suite's reporter: every check of every case becomes a row
 * `{fault, expectation, held}`. A file prints its table when it ends and saves its rows to
 * `test-results/faults/<suite>.json`; `test-results/faults.json` gathers the rows of every
 * suite file that has run.
 */
import { saveSuiteResults, textTable } from '../../support/fault-results.ts';

export interface FaultRow {
  fault: string;
  expectation: string;
  held: boolean;
  /** Why it did not hold. */
  detail?: string;
}

/** The checks of one case: each `hold` records a row; the case fails once all of them have run. */
export class CaseChecks {
  readonly failures: Error[] = [];

  constructor(
    private readonly report: FaultReport,
    readonly fault: string,
  ) {}

  /** Runs `check` (assertions); records whether `expectation` held. */
  hold(expectation: string, check: () => void): void {
    try {
      if ((check() as unknown) instanceof Promise) throw new Error(`check "${expectation}" is async: read first, then check`);
      this.report.rows.push({ fault: this.fault, expectation, held: true });
    } catch (err) {
      this.report.rows.push({ fault: this.fault, expectation, held: false, detail: firstLine(err) });
      this.failures.push(err as Error);
    }
  }
}

export class FaultReport {
  readonly rows: FaultRow[] = [];

  constructor(readonly suite: string) {}

  /**
   * Runs one case. Every check runs even when an earlier one fails; the case then fails with the
   * first failure. A case that throws before its checks is recorded as not held.
   */
  async case(fault: string, body: (c: CaseChecks) => Promise<void>): Promise<void> {
    const c = new CaseChecks(this, fault);
    try {
      await body(c);
    } catch (err) {
      this.rows.push({ fault, expectation: 'the case ran to its end', held: false, detail: firstLine(err) });
      throw err;
    }
    if (c.failures.length > 0) throw c.failures[0];
  }

  /** The rows as a text table; a case's fault is named on its first row only. */
  table(): string {
    const rows = this.rows.map((r, i) => [i > 0 && this.rows[i - 1].fault === r.fault ? '' : r.fault, r.expectation, r.held ? 'held' : `NOT HELD: ${r.detail ?? ''}`]);
    return textTable(['fault', 'what must hold', 'outcome'], rows);
  }

  /** Prints the table and saves the rows (this suite's part, then the gathered faults.json). */
  finish(): void {
    console.log(`\nFault injection: ${this.suite}\n${this.table()}\n`);
    saveSuiteResults('faults', this.suite, this.rows, (rows) => ({ held: rows.every((r) => r.held), rows }));
  }
}

function firstLine(err: unknown): string {
  // eslint-disable-next-line no-control-regex
  return String((err as Error)?.message ?? err).replace(/\x1b\[[0-9;]*m/g, '').split('\n')[0].slice(0, 160);
}
