/** Unified-diff hunks (3 lines of context) between two texts, in git's text form. */
import { alignLines } from './lcs.ts';

const CONTEXT = 3;
const NO_NEWLINE = '\\ No newline at end of file\n';

/** Lines with their `\n` kept, so a last line without one differs from the same line with one. */
export function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) break;
    lines.push(text.slice(start, nl + 1));
    start = nl + 1;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

interface Change {
  aStart: number;
  aEnd: number;
  bStart: number;
  bEnd: number;
}

function changes(a: string[], b: string[]): Change[] {
  const ids = new Map<string, number>();
  const intern = (lines: string[]): Int32Array => {
    const out = new Int32Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      let id = ids.get(lines[i]);
      if (id === undefined) {
        id = ids.size;
        ids.set(lines[i], id);
      }
      out[i] = id;
    }
    return out;
  };
  const { a: ma, b: mb } = alignLines(intern(a), intern(b));
  const result: Change[] = [];
  let pa = 0;
  let pb = 0;
  for (let i = 0; i <= ma.length; i++) {
    const ca = i < ma.length ? ma[i] : a.length;
    const cb = i < mb.length ? mb[i] : b.length;
    if (ca > pa || cb > pb) result.push({ aStart: pa, aEnd: ca, bStart: pb, bEnd: cb });
    pa = ca + 1;
    pb = cb + 1;
  }
  return result;
}

function emit(out: string[], prefix: string, line: string): void {
  out.push(prefix + line);
  if (!line.endsWith('\n')) out.push('\n' + NO_NEWLINE);
}

function range(start: number, count: number): string {
  // An empty range names the line before it (0 at the top), as in git.
  const first = count === 0 ? start : start + 1;
  return count === 1 ? `${first}` : `${first},${count}`;
}

/**
 * The hunks turning `oldText` into `newText` (`@@` lines and bodies, no file header), with the
 * counts of added and deleted lines. Empty when the texts are equal.
 */
export function textHunks(oldText: string, newText: string): { body: string; additions: number; deletions: number } {
  const a = splitLines(oldText);
  const b = splitLines(newText);
  const all = changes(a, b);
  const out: string[] = [];
  let additions = 0;
  let deletions = 0;
  let i = 0;
  while (i < all.length) {
    // Group changes whose contexts touch or overlap into one hunk.
    let j = i;
    while (j + 1 < all.length && all[j + 1].aStart - all[j].aEnd <= 2 * CONTEXT) j++;
    const aFrom = Math.max(0, all[i].aStart - CONTEXT);
    const aTo = Math.min(a.length, all[j].aEnd + CONTEXT);
    const bFrom = all[i].bStart - (all[i].aStart - aFrom);
    const bTo = all[j].bEnd + (aTo - all[j].aEnd);
    out.push(`@@ -${range(aFrom, aTo - aFrom)} +${range(bFrom, bTo - bFrom)} @@\n`);
    let pos = aFrom;
    for (let c = i; c <= j; c++) {
      const ch = all[c];
      for (; pos < ch.aStart; pos++) emit(out, ' ', a[pos]);
      for (let k = ch.aStart; k < ch.aEnd; k++) emit(out, '-', a[k]);
      for (let k = ch.bStart; k < ch.bEnd; k++) emit(out, '+', b[k]);
      deletions += ch.aEnd - ch.aStart;
      additions += ch.bEnd - ch.bStart;
      pos = ch.aEnd;
    }
    for (; pos < aTo; pos++) emit(out, ' ', a[pos]);
    i = j + 1;
  }
  return { body: out.join(''), additions, deletions };
}
