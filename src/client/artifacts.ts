import fs from 'node:fs';
import path from 'node:path';
import type { TaskResult } from '../task/events.ts';
import { applyGitDiffToDir } from '../agent/diff/index.ts';
import type { ArtifactName, ArtifactStore } from '../store/types.ts';
import { toNdjson } from '../store/keys.ts';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { isNotFound, statusOf } from '../store/s3-errors.ts';
import { ClientError } from './errors.ts';
import { inputKey } from './task-message.ts';

const WHOLE_ARTIFACTS: ArtifactName[] = ['task.json', 'transcript.json', 'diff.patch', 'result.json'];

/** The task's result.json, or undefined while it has not finished. */
export async function readTaskResult(store: ArtifactStore, taskId: string): Promise<TaskResult | undefined> {
  const text = await store.get(taskId, 'result.json');
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as TaskResult;
  } catch (err) {
    throw new ClientError(`result.json of task ${taskId} is not JSON: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * True when `enqueue` uploaded the task's working tree (`inputs/<taskId>.tar.gz`): the task is
 * queued, though no worker may have started it yet. Undefined when the caller may not read
 * `inputs/` (403: CI roles only put there), so it cannot tell.
 */
export async function taskInputExists(s3: S3Client, bucket: string, taskId: string): Promise<boolean | undefined> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: inputKey(taskId) }));
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    if (statusOf(err) === 403) return undefined;
    throw err;
  }
}

/** True when the stack knows the task (task.json or result.json exists). */
export async function taskExists(store: ArtifactStore, taskId: string): Promise<boolean> {
  return (await store.get(taskId, 'task.json')) !== undefined || (await store.get(taskId, 'result.json')) !== undefined;
}

/**
 * Downloads a task's artifacts to `<outDir>/<taskId>/` with the local names of contract section 5
 * (the event segments joined into `events.ndjson`, one event a line in seq order). Artifacts that
 * do not exist (a rejected task has no transcript) are left out. Returns the folder and names.
 */
export async function downloadArtifacts(store: ArtifactStore, taskId: string, outDir: string): Promise<{ dir: string; files: string[] }> {
  const dir = path.join(outDir, taskId);
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const bodies = await Promise.all(WHOLE_ARTIFACTS.map((name) => store.get(taskId, name)));
  WHOLE_ARTIFACTS.forEach((name, i) => {
    const body = bodies[i];
    if (body === undefined) return;
    fs.writeFileSync(path.join(dir, name), body);
    files.push(name);
  });
  const events = await store.readEvents(taskId, 0);
  if (events.length > 0) {
    fs.writeFileSync(path.join(dir, 'events.ndjson'), toNdjson(events));
    files.push('events.ndjson');
  }
  return { dir, files: files.sort() };
}

/**
 * Applies the task's `diff.patch` to `workspace` (no git binary needed). Returns the paths
 * changed, and those left out: files past the runner's size limit, in the diff as binary
 * changes without data. An empty or missing patch changes nothing.
 */
export async function applyTaskDiff(store: ArtifactStore, taskId: string, workspace: string): Promise<{ changed: string[]; skipped: string[] }> {
  const patch = await store.get(taskId, 'diff.patch');
  if (patch === undefined || patch.trim() === '') return { changed: [], skipped: [] };
  try {
    const { changed, skipped = [] } = await applyGitDiffToDir(workspace, patch, { skipWithoutData: true });
    return { changed, skipped };
  } catch (err) {
    throw new ClientError(`cannot apply the diff of task ${taskId} to ${workspace}: ${(err as Error).message}`, { cause: err });
  }
}
