/**
 * `npm run bench`: builds the function bundles, runs every measurement (each figure the median
 * of several runs, with min and max), prints the tables and writes them as JSON with the machine
 * they ran on. A benchmark never fails on a time: the exit code is 1 only when a measurement
 * could not run at all.
 *
 *   npm run bench                       every measurement, default runs, to bench/results/latest.{json,md}
 *   npm run bench -- --quick            one run each, to node_modules/.cache/agent-runner-bench/quick.json
 *   npm run bench -- --runs 3 --only loop,storage --out /tmp/b.json
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildBundles } from './bundles.ts';
import { cliStart } from './cli-start.ts';
import { endToEnd } from './e2e.ts';
import { diffComparison } from './diff-compare.ts';
import { imageMeasurement } from './image.ts';
import { bundleSizes, importTime, peakMemory } from './footprint.ts';
import { loopOverhead } from './loop-overhead.ts';
import { codeVersion, describeMachine, machineLine } from './machine.ts';
import { progressLatency } from './progress-latency.ts';
import { sandboxOverhead } from './sandbox.ts';
import { summarise } from './stats.ts';
import { speed } from './speed.ts';
import { storage } from './storage.ts';
import { renderTables, type MeasurementResult } from './table.ts';
import { watchPage } from './watch-page.ts';
import type { BenchContext, Measurement } from './types.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'agent-runner-bench');

/** Every measurement, in the order the tables show them. */
export const MEASUREMENTS: Measurement[] = [cliStart, loopOverhead, storage, bundleSizes, importTime, peakMemory, progressLatency, endToEnd, sandboxOverhead, watchPage, speed, diffComparison, imageMeasurement];

const USAGE = `usage: npm run bench -- [--quick] [--runs N] [--only ${MEASUREMENTS.map((m) => m.id).join(',')}] [--out FILE]`;

/** Runs the benchmarks with the command-line `argv`; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({ args: argv, options: { quick: { type: 'boolean' }, runs: { type: 'string' }, only: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean' } } }).values;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const runsFlag = args.runs === undefined ? undefined : Number(args.runs);
  if (runsFlag !== undefined && (!Number.isInteger(runsFlag) || runsFlag < 1)) {
    process.stderr.write(`--runs must be a positive integer\n${USAGE}\n`);
    return 2;
  }
  const only = args.only?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = only?.filter((id) => !MEASUREMENTS.some((m) => m.id === id)) ?? [];
  if (unknown.length > 0) {
    process.stderr.write(`unknown measurement ${unknown.join(', ')}\n${USAGE}\n`);
    return 2;
  }
  const quick = !!args.quick;
  const out = path.resolve(args.out ?? (quick ? path.join(CACHE, 'quick.json') : path.join(ROOT, 'bench', 'results', 'latest.json')));
  const selected = MEASUREMENTS.filter((m) => !only || only.includes(m.id));

  fs.mkdirSync(CACHE, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-runner-bench-'));
  // Inside the repository, so the bundles resolve @aws-sdk/* from its node_modules as Lambda's runtime provides them.
  const distDir = path.join(CACHE, 'dist');
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const ctx: BenchContext = { root: ROOT, distDir, tmp, quick, log };
  const startedAt = new Date();
  const loadAtStart = os.loadavg()[0];
  try {
    log('building the function bundles…');
    fs.rmSync(distDir, { recursive: true, force: true });
    const buildError = await buildBundles(ROOT, distDir);
    if (buildError) log(`build failed: ${buildError}`);
    const results: MeasurementResult[] = [];
    for (const m of selected) {
      const runs = runsFlag ?? (quick ? 1 : m.defaultRuns);
      log(`${m.title}: ${runs} run(s)…`);
      results.push(await runMeasurement(m, ctx, runs));
    }
    const machine = describeMachine(loadAtStart);
    const report = {
      generatedAt: startedAt.toISOString(),
      command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
      quick,
      machine,
      code: codeVersion(ROOT),
      measurements: results,
    };
    const markdown = `${renderTables(results)}\nMachine: ${machineLine(machine)}.\n`;
    const outMd = out.replace(/\.json$/, '') + '.md';
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
    fs.writeFileSync(outMd, `<!-- ${report.command} at ${report.generatedAt} (commit ${report.code.commit}${report.code.dirty ? ', uncommitted changes' : ''}) -->\n\n${markdown}`);
    process.stdout.write(markdown);
    log(`wrote ${path.relative(process.cwd(), out) || out} and ${path.basename(outMd)}`);
    return results.some((r) => r.error) ? 1 : 0;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function runMeasurement(m: Measurement, ctx: BenchContext, runs: number): Promise<MeasurementResult> {
  const started = performance.now();
  const base = { id: m.id, title: m.title, method: m.method, runs };
  const skipped = m.unavailable?.();
  if (skipped) {
    ctx.log(`${m.title}: not measured: ${skipped}`);
    return { ...base, runs: 0, seconds: 0, figures: [], skipped };
  }
  try {
    const samples = await m.measure(ctx, runs);
    const figures = m.figures.map((f) => ({ ...f, ...summarise(samples.map((s) => s[f.key] ?? NaN)) }));
    return { ...base, runs: samples.length, seconds: (performance.now() - started) / 1000, figures };
  } catch (err) {
    ctx.log(`${m.title} failed: ${(err as Error).stack ?? err}`);
    return { ...base, seconds: (performance.now() - started) / 1000, figures: [], error: (err as Error).message };
  }
}
