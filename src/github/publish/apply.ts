import { applyFilePatch, parseGitDiff, type FilePatch } from '../../agent/diff/index.ts';
import { PublishConflictError } from '../errors.ts';
import type { ChangedFile, HeldBackFile } from './text.ts';

/** A file of the base tree, as the publisher reads it from GitHub. */
export interface BaseFile {
  content: Buffer;
  mode: string;
}

/** What a task's diff does to the base tree: new contents (with git mode) or removals. */
export type FileChange = { path: string; mode: string; content: Buffer } | { path: string; deleted: true };

export interface PlannedChanges {
  changes: FileChange[];
  files: ChangedFile[];
  /** File changes left out: `holdBack` named one of their paths, or the diff holds no data for them. */
  heldBack: HeldBackFile[];
}

export interface PlanOptions {
  /** Paths whose changes are not published (CI configuration unless the stack allows it). */
  holdBack?: (path: string) => boolean;
}

const PATCHABLE_MODES = new Set(['100644', '100755', '120000']);

/**
 * Applies a task's `diff.patch` in memory to the files of the base tree it touches, read through
 * `readBase`, file patch after file patch (a later one sees what an earlier one did, as `git apply`
 * does). Throws PublishConflictError when the diff does not parse or no longer applies (the branch
 * moved on, a file it adds exists, a file it changes is gone).
 */
export async function planChanges(patch: string, readBase: (path: string) => Promise<BaseFile | undefined>, opts: PlanOptions = {}): Promise<PlannedChanges> {
  let all: FilePatch[];
  try {
    all = parseGitDiff(patch);
  } catch (err) {
    throw new PublishConflictError(`the diff does not parse: ${err instanceof Error ? err.message : String(err)}`, undefined, { cause: err });
  }
  const { kept: patches, held } = splitHeldBack(all, opts.holdBack);
  // The tree as the patches so far left it: touched paths only, null for removed.
  const overlay = new Map<string, BaseFile | null>();
  const inBase = new Set<string>();
  const read = async (path: string): Promise<BaseFile | undefined> => {
    if (overlay.has(path)) return overlay.get(path) ?? undefined;
    const base = await readBase(path);
    if (base) inBase.add(path);
    return base;
  };
  const files: ChangedFile[] = [];

  for (const fp of patches) {
    const oldPath = fp.status === 'added' ? undefined : fp.oldPath;
    const newPath = fp.status === 'deleted' ? undefined : fp.newPath;
    const shown = (newPath ?? oldPath)!;
    const base = oldPath === undefined ? undefined : await read(oldPath);
    if (oldPath !== undefined && !base) throw new PublishConflictError(`${oldPath} does not exist on the base branch any more`, oldPath);
    if (base && !PATCHABLE_MODES.has(base.mode)) throw new PublishConflictError(`${oldPath} is not a regular file or symbolic link on the base branch`, oldPath);
    if (fp.status !== 'modified' && fp.status !== 'deleted' && newPath !== undefined && (await read(newPath))) {
      throw new PublishConflictError(`${newPath} exists on the base branch already`, newPath);
    }
    let content: Buffer | null;
    try {
      content = applyFilePatch(base?.content, fp);
    } catch (err) {
      throw new PublishConflictError(`${shown} no longer matches the diff: ${err instanceof Error ? err.message : String(err)}`, shown, { cause: err });
    }
    if (oldPath !== undefined && (fp.status === 'renamed' || content === null)) overlay.set(oldPath, null);
    if (newPath !== undefined && content !== null) overlay.set(newPath, { content, mode: fp.newMode ?? base?.mode ?? '100644' });
    files.push(describe(fp));
  }

  const changes: FileChange[] = [];
  for (const [path, file] of overlay) {
    if (file) changes.push({ path, mode: file.mode, content: file.content });
    else if (inBase.has(path)) changes.push({ path, deleted: true });
  }
  return { changes, files, heldBack: held };
}

/**
 * The file patches that are published apart from those held back: whose paths `holdBack` names,
 * or that hold no data (`Binary files ... differ`: a file past the runner's size limit).
 */
function splitHeldBack(patches: FilePatch[], holdBack: PlanOptions['holdBack']): { kept: FilePatch[]; held: HeldBackFile[] } {
  const kept: FilePatch[] = [];
  const held: HeldBackFile[] = [];
  for (const fp of patches) {
    if (holdBack && [fp.oldPath, fp.newPath].some((p) => p !== undefined && holdBack(p))) held.push({ ...describe(fp), why: 'ci_config' });
    else if (fp.binaryWithoutData) held.push({ ...describe(fp), why: 'too_large' });
    else kept.push(fp);
  }
  return { kept, held };
}

function describe(fp: FilePatch): ChangedFile {
  const path = (fp.status === 'deleted' ? fp.oldPath : fp.newPath) ?? fp.oldPath ?? '';
  return fp.status === 'renamed' || fp.status === 'copied' ? { path, change: fp.status, from: fp.oldPath } : { path, change: fp.status };
}

/**
 * The files a diff touches, for a summary, without applying it (empty when it does not parse):
 * those it publishes, and those `holdBack` keeps back.
 */
export function changedFiles(patch: string, opts: PlanOptions = {}): { files: ChangedFile[]; heldBack: HeldBackFile[] } {
  let patches: FilePatch[];
  try {
    patches = parseGitDiff(patch);
  } catch {
    return { files: [], heldBack: [] };
  }
  const { kept, held } = splitHeldBack(patches, opts.holdBack);
  return { files: kept.map(describe), heldBack: held };
}
