/**
 * The adversarial suite's record: each case notes what was tried, what should happen and whether
 * it held. Each file prints its table after its tests and writes its part under
 * `test-results/security/`; `test-results/security.json` is rebuilt from all parts, so it holds
 * the latest result of every file whichever ran last.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export interface SecurityCase {
  suite: string;
  attack: string;
  expected: string;
  held: boolean;
  /** What was seen when it did not hold, or a note (a documented residual). */
  observed?: string;
  /** The attack reached what it wanted, within a limit the design documents (not a defence). */
  residual?: boolean;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT_DIR = path.join(ROOT, 'test-results');
const PARTS = path.join(OUT_DIR, 'security');

export interface SecurityReport {
  /** Records a case and fails the calling test when it did not hold. */
  hold(attack: string, expected: string, held: boolean, observed?: string): void;
  /**
   * Records a documented residual: `withinLimit` (asserted) says the attack succeeded only where
   * the documentation says it can; `reached` whether it did here, printed as RESIDUAL, not HELD.
   */
  residual(attack: string, limit: string, withinLimit: boolean, reached: boolean, observed: string): void;
  /** Records `actual` against `wanted` (deep equality) and asserts it, so a failure shows the difference. */
  check<T>(attack: string, expected: string, actual: T, wanted: T): void;
  /** Prints the table and writes the results (call in afterAll). */
  flush(): void;
  readonly cases: readonly SecurityCase[];
}

/** A report for one suite (one test file). */
export function securityReport(suite: string): SecurityReport {
  const cases: SecurityCase[] = [];
  const add = (c: Omit<SecurityCase, 'suite'>) => cases.push({ suite, ...c });
  return {
    cases,
    hold(attack, expected, held, observed) {
      add({ attack, expected, held, ...(observed === undefined ? {} : { observed }) });
      expect(held, `${attack}: expected ${expected}${observed ? `; observed ${observed}` : ''}`).toBe(true);
    },
    residual(attack, limit, withinLimit, reached, observed) {
      add({ attack, expected: limit, held: withinLimit, observed, ...(reached ? { residual: true } : {}) });
      expect(withinLimit, `${attack}: expected ${limit}; observed ${observed}`).toBe(true);
    },
    check(attack, expected, actual, wanted) {
      const held = isDeepStrictEqual(actual, wanted);
      add({ attack, expected, held, ...(held ? {} : { observed: JSON.stringify(actual).slice(0, 300) }) });
      expect(actual).toEqual(wanted);
    },
    flush() {
      if (cases.length === 0) return;
      printTable(suite, cases);
      writeResults(suite, cases);
    },
  };
}

function printTable(suite: string, cases: SecurityCase[]): void {
  const width = Math.min(70, Math.max(...cases.map((c) => c.attack.length)));
  const status = (c: SecurityCase) => (!c.held ? 'BROKEN  ' : c.residual ? 'RESIDUAL' : 'HELD    ');
  const lines = cases.map((c) => `  ${status(c)}  ${c.attack.slice(0, width).padEnd(width)}  ${c.expected}${c.observed ? ` (${c.observed})` : ''}`);
  const residuals = cases.filter((c) => c.held && c.residual).length;
  console.log(`\nsecurity: ${suite} (${cases.filter((c) => c.held && !c.residual).length}/${cases.length} held${residuals ? `, ${residuals} documented residual` : ''})\n${lines.join('\n')}\n`);
}

function writeResults(suite: string, cases: SecurityCase[]): void {
  fs.mkdirSync(PARTS, { recursive: true });
  const part = path.join(PARTS, `${suite.replace(/[^A-Za-z0-9_-]/g, '_')}.json`);
  fs.writeFileSync(part, JSON.stringify(cases, null, 2));
  const all = fs
    .readdirSync(PARTS)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((f) => {
      try {
        return JSON.parse(fs.readFileSync(path.join(PARTS, f), 'utf8')) as SecurityCase[];
      } catch {
        return []; // a part being written by another file right now
      }
    });
  const summary = { cases: all.length, held: all.filter((c) => c.held && !c.residual).length, residuals: all.filter((c) => c.held && c.residual).length, results: all };
  // Written aside and renamed, so a reader never sees half a file.
  const tmp = path.join(OUT_DIR, `.security-${process.pid}.json`);
  fs.writeFileSync(tmp, JSON.stringify(summary, null, 2));
  fs.renameSync(tmp, path.join(OUT_DIR, 'security.json'));
}
