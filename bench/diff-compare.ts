/**
 * The workspace diff's own text diff against the `diff` library (jsdiff) and git itself, on real
 * file versions (bench/diff-corpus.ts). For writing hunks: how often they are the ones git writes
 * (`git diff --no-index`), how many lines they mark changed against a minimal diff (`git diff
 * --minimal`), whether they apply, and the time per diff. For applying: git's hunks applied by
 * ours and by jsdiff's `applyPatch`, results checked and timed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { applyPatch, parsePatch, structuredPatch } from 'diff';
import { applyFilePatch, parseGitDiff } from '../src/agent/diff/index.ts';
import { textHunks } from '../src/agent/diff/text-diff.ts';
import { collectPairs, type FilePair } from './diff-corpus.ts';
import type { BenchContext, Measurement } from './types.ts';

/** jsdiff gets this long per diff; past it, it gives up (and the pair is counted apart). */
const JSDIFF_TIMEOUT_MS = 5000;

const range = (start: number, count: number): string => `${count === 0 ? start - 1 : start}${count === 1 ? '' : `,${count}`}`;

/** jsdiff's hunks in git's text form; undefined when it gave up. */
function jsdiffHunks(before: string, after: string): string | undefined {
  const p = structuredPatch('', '', before, after, undefined, undefined, { context: 3, timeout: JSDIFF_TIMEOUT_MS });
  return p?.hunks.map((h) => `@@ -${range(h.oldStart, h.oldLines)} +${range(h.newStart, h.newLines)} @@\n${h.lines.join('\n')}\n`).join('');
}

/** `@@ -a,b +c,d @@ heading` → `@@ -a,b +c,d @@`: git adds a function heading the others do not. */
const normalise = (hunks: string): string => hunks.replace(/^(@@ [^@]* @@).*$/gm, '$1');

const changedLines = (hunks: string): number => hunks.split('\n').filter((l) => l[0] === '+' || l[0] === '-').length;

/** Git's hunks for every pair, from one `git diff --no-index` over two folders, and its time per pair. */
function gitHunks(dir: string, pairs: FilePair[], flags: string[]): { hunks: string[]; ms: number } {
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', HOME: dir };
  const started = performance.now();
  let out = '';
  try {
    execFileSync('git', ['diff', '--no-index', '--no-color', '--no-ext-diff', '--no-renames', '--text', '-U3', ...flags, 'a', 'b'], { cwd: dir, env, encoding: 'utf8', maxBuffer: 1 << 30 });
  } catch (err) {
    const e = err as { status?: number; stdout?: string };
    if (e.status !== 1 || e.stdout === undefined) throw err;
    out = e.stdout; // status 1: the folders differ
  }
  const ms = (performance.now() - started) / pairs.length;
  const hunks = pairs.map(() => '');
  for (const section of out.split(/^(?=diff --git )/m)) {
    const m = /^diff --git a\/a\/(\d+) /.exec(section);
    const at = section.indexOf('\n@@ ');
    if (m && at >= 0) hunks[Number(m[1])] = section.slice(at + 1);
  }
  return { hunks, ms };
}

/** Applies `hunks` to the pair's old text with our applier: its time, or undefined when it does not give the new text. */
function applyOurs(p: FilePair, hunks: string): number | undefined {
  const [fp] = parseGitDiff(`--- a/f\n+++ b/f\n${hunks}`);
  const before = Buffer.from(p.before);
  const started = performance.now();
  let result: Buffer | null;
  try {
    result = applyFilePatch(before, fp);
  } catch {
    return undefined;
  }
  const ms = performance.now() - started;
  return result?.toString('utf8') === p.after ? ms : undefined;
}

function applyJsdiff(p: FilePair, hunks: string): number | undefined {
  const [sp] = parsePatch(`--- a/f\n+++ b/f\n${hunks}`);
  const before = Buffer.from(p.before);
  // Timed from and to bytes as ours is: the workspace holds files, not strings.
  const started = performance.now();
  const result = applyPatch(before.toString('utf8'), sp, { autoConvertLineEndings: false });
  const bytes = result === false ? undefined : Buffer.from(result, 'utf8');
  const ms = performance.now() - started;
  return bytes?.toString('utf8') === p.after ? ms : undefined;
}

interface Tally {
  same: number;
  changed: number;
  failed: number;
  ms: number;
  worst: number;
}

const tally = (): Tally => ({ same: 0, changed: 0, failed: 0, ms: 0, worst: 0 });

function count(t: Tally, ms: number, hunks: string, git: string, applied: boolean): void {
  t.ms += ms;
  t.worst = Math.max(t.worst, ms);
  if (normalise(hunks) === normalise(git)) t.same++;
  t.changed += changedLines(hunks);
  if (!applied) t.failed++;
}

/** One pass over the corpus: the figures of `diffComparison`. */
async function compare(ctx: BenchContext): Promise<Record<string, number>> {
  const pairs = collectPairs(ctx.root);
  if (pairs.length === 0) throw new Error('no file pairs found (no git history, scenarios or doubled packages)');
  const dir = fs.mkdtempSync(path.join(ctx.tmp, 'diff-compare-'));
  for (const side of ['a', 'b']) fs.mkdirSync(path.join(dir, side));
  pairs.forEach((p, i) => {
    fs.writeFileSync(path.join(dir, 'a', String(i)), p.before);
    fs.writeFileSync(path.join(dir, 'b', String(i)), p.after);
  });
  const git = gitHunks(dir, pairs, []);
  const minimal = gitHunks(dir, pairs, ['--minimal', '--no-indent-heuristic']);
  const ours = tally();
  const lib = tally();
  let gitChanged = 0;
  let minimalChanged = 0;
  let gaveUp = 0;
  let gaveUpOursMs = 0;
  let applyOursMs = 0;
  let applyLibMs = 0;
  let applyOursFailed = 0;
  let applyLibFailed = 0;
  for (const [i, p] of pairs.entries()) {
    let started = performance.now();
    const o = textHunks(p.before, p.after).body;
    const oursMs = performance.now() - started;
    started = performance.now();
    const j = jsdiffHunks(p.before, p.after);
    const libMs = performance.now() - started;
    if (j === undefined) {
      // Compared apart: summing jsdiff's zero lines would flatter it.
      gaveUp++;
      gaveUpOursMs = Math.max(gaveUpOursMs, oursMs);
      continue;
    }
    count(ours, oursMs, o, git.hunks[i], applyOurs(p, o) !== undefined);
    count(lib, libMs, j, git.hunks[i], applyOurs(p, j) !== undefined);
    gitChanged += changedLines(git.hunks[i]);
    minimalChanged += changedLines(minimal.hunks[i]);
    const a = applyOurs(p, git.hunks[i]);
    const b = applyJsdiff(p, git.hunks[i]);
    if (a === undefined) applyOursFailed++;
    else applyOursMs += a;
    if (b === undefined) applyLibFailed++;
    else applyLibMs += b;
  }
  const n = pairs.length - gaveUp;
  const overMinimal = (changed: number): number => (100 * (changed - minimalChanged)) / minimalChanged;
  ctx.log(`diff comparison: ${pairs.length} file pairs (${['apply_patch', 'git history', 'node_modules'].map((s) => `${pairs.filter((p) => p.source === s).length} ${s}`).join(', ')}), jsdiff gave up on ${gaveUp}`);
  return {
    pairs: pairs.length,
    oursSame: (100 * ours.same) / n,
    libSame: (100 * lib.same) / n,
    oursOver: overMinimal(ours.changed),
    libOver: overMinimal(lib.changed),
    gitOver: overMinimal(gitChanged),
    oursMs: ours.ms / n,
    libMs: lib.ms / n,
    gitMs: git.ms,
    oursWorst: ours.worst,
    libWorst: lib.worst,
    gaveUp,
    gaveUpOursMs,
    oursFailed: ours.failed,
    libFailed: lib.failed,
    applyOursUs: (1000 * applyOursMs) / (n - applyOursFailed),
    applyLibUs: (1000 * applyLibMs) / (n - applyLibFailed),
    applyOursFailed,
    applyLibFailed,
  };
}

export const diffComparison: Measurement = {
  id: 'diff',
  title: 'Text diff: ours, the diff library (jsdiff) and git',
  method: `Every pair of text file versions from Codex's apply_patch scenarios (input → expected), the files modified in this repository's git history and the packages installed at two versions in node_modules. Hunks (3 lines of context) by our diff (src/agent/diff/text-diff.ts) and by jsdiff's structuredPatch (given ${JSDIFF_TIMEOUT_MS / 1000} s per diff), compared with git diff --no-index (its function headings ignored); changed lines against git diff --minimal; git's time is its whole run over the corpus (one process, files read from disk) per pair. Pairs jsdiff gives up on are counted apart. Applying: git's hunks applied by ours and by jsdiff's applyPatch (both timed from the old file's bytes to the new file's bytes), checked against the new text.`,
  defaultRuns: 1,
  figures: [
    { key: 'pairs', label: 'File pairs compared', unit: 'pairs', digits: 0 },
    { key: 'oursSame', label: 'Hunks the same as git diff, ours', unit: '%' },
    { key: 'libSame', label: 'Hunks the same as git diff, jsdiff', unit: '%' },
    { key: 'oursOver', label: 'Changed lines against git diff --minimal, ours', unit: '%', digits: 2 },
    { key: 'libOver', label: 'Changed lines against git diff --minimal, jsdiff', unit: '%', digits: 2 },
    { key: 'gitOver', label: 'Changed lines against git diff --minimal, git diff (default)', unit: '%', digits: 2 },
    { key: 'oursMs', label: 'Time per diff, ours', unit: 'ms', digits: 2 },
    { key: 'libMs', label: 'Time per diff, jsdiff', unit: 'ms', digits: 2 },
    { key: 'gitMs', label: 'Time per diff, git (process and file reads included)', unit: 'ms', digits: 2 },
    { key: 'oursWorst', label: 'Slowest diff, ours', unit: 'ms', digits: 0 },
    { key: 'libWorst', label: 'Slowest diff, jsdiff', unit: 'ms', digits: 0 },
    { key: 'gaveUp', label: `Pairs jsdiff gave up on (over ${JSDIFF_TIMEOUT_MS / 1000} s)`, unit: 'pairs', digits: 0 },
    { key: 'gaveUpOursMs', label: 'Those pairs, ours, slowest', unit: 'ms', digits: 0 },
    { key: 'oursFailed', label: 'Hunks that did not apply, ours', unit: 'pairs', target: '0', digits: 0 },
    { key: 'libFailed', label: 'Hunks that did not apply, jsdiff', unit: 'pairs', target: '0', digits: 0 },
    { key: 'applyOursUs', label: "Applying git's hunks, ours", unit: 'µs per file', digits: 0 },
    { key: 'applyLibUs', label: "Applying git's hunks, jsdiff", unit: 'µs per file', digits: 0 },
    { key: 'applyOursFailed', label: "Git's hunks not applied, ours", unit: 'pairs', target: '0', digits: 0 },
    { key: 'applyLibFailed', label: "Git's hunks not applied, jsdiff", unit: 'pairs', target: '0', digits: 0 },
  ],
  async measure(ctx: BenchContext, runs: number) {
    const samples: Record<string, number>[] = [];
    for (let i = 0; i < runs; i++) samples.push(await compare(ctx));
    return samples;
  },
};
