/**
 * Results of suites that report what they tried (the fault-injection suite; the security suite can
 * share it): each test file saves its rows as a part under `test-results/<kind>/<suite>.json`, and
 * `test-results/<kind>.json` is rebuilt from every part, so it holds the latest rows of each file
 * whichever ran last. Also a plain text table for printing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test-results');

interface Part<T> {
  suite: string;
  finishedAt: string;
  rows: T[];
}

/**
 * Saves `rows` as this suite's part and rewrites `<kind>.json` as `summarize(every part's rows,
 * each with its suite)`. Files run in parallel processes: after writing, the parts are looked at
 * again and the summary written anew when one appeared meanwhile, so the last writer sees them all.
 */
export function saveSuiteResults<T extends object, S>(kind: string, suite: string, rows: T[], summarize: (all: (T & { suite: string })[]) => S): void {
  const dir = path.join(RESULTS_DIR, kind);
  fs.mkdirSync(dir, { recursive: true });
  const part: Part<T> = { suite, finishedAt: new Date().toISOString(), rows };
  writeAtomically(path.join(dir, `${suite.replace(/[^A-Za-z0-9_-]/g, '_')}.json`), JSON.stringify(part, null, 2));
  for (let round = 0; round < 5; round++) {
    const names = partNames(dir);
    const all = names.flatMap((n) => {
      const p = JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8')) as Part<T>;
      return p.rows.map((r) => ({ suite: p.suite, ...r }));
    });
    writeAtomically(path.join(RESULTS_DIR, `${kind}.json`), JSON.stringify(summarize(all), null, 2));
    if (partNames(dir).join() === names.join()) return;
  }
}

/** A fixed-width text table: `head`, a rule, then `rows` (cells padded to the widest in their column). */
export function textTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((s, i) => (s ?? '').padEnd(widths[i])).join(' | ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

function partNames(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
}

// Written aside and renamed, so a reader never sees half a file.
function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}
