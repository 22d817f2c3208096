/**
 * Where a command puts what a task produced: `--apply` to a working tree, `--out` for the
 * artifacts. The flags of `watch` and `result`, and the folder checks `enqueue` makes too.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { checkTaskId } from '../client/index.ts';
import { UsageError } from './errors.ts';

export interface TaskTargetOptions {
  apply?: boolean;
  out?: string;
  workspace: string;
  startTimeoutSeconds?: string;
}

/** Adds `--apply`, `--workspace` and `--out` (the options of a command given a TASK_ID). */
export function addTaskTargetOptions(cmd: Command): Command {
  return cmd
    .option('--apply', 'apply the diff of a succeeded task to the working tree')
    .option('--workspace <dir>', 'the working tree --apply changes', '.')
    .option('--out <dir>', 'download the artifacts to DIR/<taskId>/');
}

/** The checked TASK_ID argument and target flags, and the start timeout in ms (default 60 s). */
export function resolveTaskTarget(taskId: string, opts: TaskTargetOptions): { workspace?: string; out?: string; startTimeoutMs: number } {
  checkTaskId(taskId, 'TASK_ID');
  const workspace = opts.apply ? checkWorkspace(opts.workspace) : undefined;
  const out = opts.out ? checkOut(opts.out, workspace) : undefined;
  return { ...(workspace ? { workspace } : {}), ...(out ? { out } : {}), startTimeoutMs: seconds(opts.startTimeoutSeconds, 60) * 1000 };
}

/** A positive number of seconds from a flag, or the default. */
export function seconds(v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`--start-timeout-seconds must be a number of seconds, got ${JSON.stringify(v)}`);
  return n;
}

/**
 * The workspace as a real path; UsageError when it is not an existing folder (or, with
 * `usable`, one this user cannot read, write and enter: a local run works in it).
 */
export function checkWorkspace(dir: string, opts: { usable?: boolean } = {}): string {
  const abs = path.resolve(dir);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch {
    throw new UsageError(`workspace ${abs} does not exist; give an existing folder with --workspace`);
  }
  if (!st.isDirectory()) throw new UsageError(`workspace ${abs} is not a folder`);
  if (opts.usable) {
    try {
      fs.accessSync(abs, fs.constants.R_OK | fs.constants.W_OK | fs.constants.X_OK);
    } catch {
      throw new UsageError(`workspace ${abs} is not readable and writable by this user`);
    }
  }
  return fs.realpathSync(abs);
}

/** The artifacts folder; refused inside the workspace (it would land in the next diff). */
export function checkOut(dir: string, workspace: string | undefined): string {
  const abs = path.resolve(dir);
  if (workspace) {
    let real: string;
    try {
      fs.mkdirSync(abs, { recursive: true });
      real = fs.realpathSync(abs);
    } catch (err) {
      throw new UsageError(`cannot create --out ${abs}: ${(err as Error).message}`);
    }
    const rel = path.relative(workspace, real);
    if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
      throw new UsageError(`--out ${abs} is inside the workspace ${workspace}; choose a folder outside it`);
    }
  }
  return abs;
}
