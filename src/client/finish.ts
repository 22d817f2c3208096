import type { Writable } from 'node:stream';
import type { TaskResult } from '../task/events.ts';
import type { ArtifactStore } from '../store/types.ts';
import { applyTaskDiff, downloadArtifacts } from './artifacts.ts';

export interface FinishOptions {
  /** Download the artifacts to `<out>/<taskId>/`. */
  out?: string;
  /** Apply the diff to this folder. */
  applyTo?: string;
  /** Also apply the partial diff of a task that ended `failed` or `limit_reached`. */
  applyPartial?: boolean;
  /** Where notes for people go. */
  err: Writable;
}

export interface FinishReport {
  outDir?: string;
  files?: string[];
  /** Paths the applied diff changed; absent when nothing was applied. */
  applied?: string[];
}

/**
 * What follows a finished task: downloads its artifacts, and applies its diff, but only a
 * succeeded task's unless `applyPartial` (a failed or stopped task's partial change stays in
 * `diff.patch`, which `--out` downloads, so nothing half-done lands in a working tree by default).
 */
export async function finishTask(store: ArtifactStore, result: TaskResult, opts: FinishOptions): Promise<FinishReport> {
  const report: FinishReport = {};
  if (opts.out) {
    const { dir, files } = await downloadArtifacts(store, result.taskId, opts.out);
    report.outDir = dir;
    report.files = files;
    opts.err.write(`artifacts of task ${result.taskId} in ${dir}\n`);
  }
  if (opts.applyTo) {
    const partial = result.status === 'failed' || result.status === 'limit_reached';
    if (result.status !== 'succeeded' && !(partial && opts.applyPartial)) {
      const how = partial ? ' (apply it with --apply-partial' + (opts.out ? ')' : ', or download it with --out)') : opts.out ? '' : ' (download it with --out)';
      opts.err.write(`not applying the diff of task ${result.taskId}: it ended ${result.status}${how}\n`);
    } else {
      const { changed, skipped } = await applyTaskDiff(store, result.taskId, opts.applyTo);
      report.applied = changed;
      const what = partial ? `the partial diff of task ${result.taskId} (it ended ${result.status})` : `the diff of task ${result.taskId}`;
      opts.err.write(changed.length === 0 ? `task ${result.taskId} changed nothing\n` : `applied ${what}: ${changed.length} file${changed.length === 1 ? '' : 's'} changed\n`);
      // Files past the runner's size limit are in the diff without their data.
      if (skipped.length > 0) opts.err.write(`not applied (too large for the diff, changed by the task): ${skipped.join(', ')}\n`);
    }
  }
  return report;
}
