import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, Option } from 'commander';
import { plural } from '../client/summary.ts';
import { positiveInt } from './flags.ts';
import { fitWidth } from './render.ts';

/** Where local runs go without --out (`agent-runner runs` lists them). */
export function defaultRunsDir(home = os.homedir()): string {
  return path.join(home, '.agent-runner', 'runs');
}

/** One past run, as `agent-runner runs` lists it. */
export interface RunListing {
  taskId: string;
  /** When it started (its first event), ISO 8601. */
  time: string;
  /** result.json's status, or `unfinished` when the run left no result (killed, or still going). */
  status: string;
  costUsd?: number;
  turns?: number;
  prompt: string;
}

interface RunsOptions {
  out?: string;
  limit: number;
  all?: boolean;
  json?: boolean;
}

/** Registers `agent-runner runs`: the runs under the runs folder, newest first. */
export function runsCommand(program: Command): void {
  program
    .command('runs')
    .description('list past local runs, newest first: id, start time, status, cost and the start of the prompt')
    .option('--out <dir>', 'the folder the runs went to (default ~/.agent-runner/runs, as for run)')
    .addOption(new Option('--limit <n>', 'at most N runs').default(20).argParser(positiveInt('--limit')))
    .option('--all', 'every run, however many')
    .option('--json', 'one JSON object a line: {taskId, time, status, costUsd, turns, prompt}')
    .action((opts: RunsOptions) => {
      const runs = listRuns(path.resolve(opts.out ?? defaultRunsDir()));
      const shown = opts.all ? runs : runs.slice(0, opts.limit);
      if (opts.json) {
        for (const r of shown) process.stdout.write(`${JSON.stringify(r)}\n`);
      } else if (shown.length === 0) {
        process.stderr.write(`no runs in ${opts.out ?? defaultRunsDir()}\n`);
      } else {
        process.stdout.write(formatRuns(shown, process.stdout.isTTY ? process.stdout.columns : undefined));
        if (shown.length < runs.length) process.stderr.write(`(${plural(runs.length - shown.length, 'older run')} not shown: --all lists them)\n`);
      }
    });
}

/** Every run folder under `dir` (one with a task.json), newest first; an absent folder has none. */
export function listRuns(dir: string): RunListing[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const runs: RunListing[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const run = readRun(path.join(dir, e.name), e.name);
    if (run) runs.push(run);
  }
  return runs.sort((a, b) => b.time.localeCompare(a.time) || b.taskId.localeCompare(a.taskId));
}

function readRun(dir: string, taskId: string): RunListing | undefined {
  const task = readJson(path.join(dir, 'task.json')) as { prompt?: unknown } | undefined;
  if (!task) return undefined;
  const result = readJson(path.join(dir, 'result.json')) as { status?: unknown; costUsd?: unknown; turns?: unknown } | undefined;
  return {
    taskId,
    time: firstEventTime(path.join(dir, 'events.ndjson')) ?? fs.statSync(path.join(dir, 'task.json')).mtime.toISOString(),
    status: typeof result?.status === 'string' ? result.status : 'unfinished',
    ...(typeof result?.costUsd === 'number' ? { costUsd: result.costUsd } : {}),
    ...(typeof result?.turns === 'number' ? { turns: result.turns } : {}),
    prompt: typeof task.prompt === 'string' ? task.prompt : '',
  };
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The `time` of the first event, read from the file's head only. */
function firstEventTime(file: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(4096);
    const head = buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, 0)).toString('utf8');
    const m = /"time":"([^"]+)"/.exec(head.split('\n')[0]);
    return m && !Number.isNaN(Date.parse(m[1])) ? m[1] : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** A table for people: id, local start time, status, cost, and the prompt's first line cut to the width. */
export function formatRuns(runs: RunListing[], columns = 120): string {
  const when = (iso: string) => {
    const d = new Date(iso);
    const p = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
  };
  const rows = runs.map((r) => [r.taskId, when(r.time), r.status, r.costUsd === undefined ? '-' : `$${r.costUsd.toFixed(4)}`, r.prompt.trim().split('\n')[0]]);
  const header = ['ID', 'STARTED', 'STATUS', 'COST', 'PROMPT'];
  const widths = header.slice(0, 4).map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const room = Math.max(20, columns - widths.reduce((a, b) => a + b + 2, 0) - 1);
  const line = (cells: string[]) => [...cells.slice(0, 4).map((c, i) => c.padEnd(widths[i])), fitWidth(cells[4], room + 1)].join('  ').trimEnd();
  return `${[header, ...rows].map(line).join('\n')}\n`;
}
