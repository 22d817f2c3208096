/** Applies a git-style diff to a folder: everything is checked in memory before anything is written. */
import type { Stats } from 'node:fs';
import { chmod, lstat, mkdir, readFile, readlink, rm, rmdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { applyFilePatches, pathsToRead } from './apply-tree.ts';
import { PatchApplyError } from './errors.ts';
import { parseGitDiff } from './parse.ts';
import { MAX_SNAPSHOT_FILE_BYTES } from './snapshot.ts';
import type { FilePatch, FileEntry } from './types.ts';

async function lstatOrUndefined(abs: string): Promise<Stats | undefined> {
  try {
    return await lstat(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/** No folder on the way to `rel` may be a symlink: writing through one could leave the root. */
async function checkNoSymlinkParents(root: string, rel: string): Promise<void> {
  const parts = rel.split('/');
  let abs = root;
  for (let i = 0; i < parts.length - 1; i++) {
    abs = path.join(abs, parts[i]);
    const st = await lstatOrUndefined(abs);
    if (!st) return;
    if (st.isSymbolicLink()) throw new PatchApplyError(rel, `path goes through the symbolic link ${parts.slice(0, i + 1).join('/')}`);
  }
}

/** A file on disk too large to load for patching (the snapshot keeps such files by id only). */
const TOO_LARGE = Symbol('too large');

/** The file or symlink at `abs`; undefined when absent or a folder; TOO_LARGE past `maxBytes`. */
async function readEntry(abs: string, maxBytes: number): Promise<FileEntry | undefined | typeof TOO_LARGE> {
  const st = await lstatOrUndefined(abs);
  if (!st) return undefined;
  if (st.isSymbolicLink()) return { mode: '120000', content: Buffer.from(await readlink(abs), 'utf8') };
  if (!st.isFile()) return undefined;
  if (st.size > maxBytes) return TOO_LARGE;
  return { mode: st.mode & 0o100 ? '100755' : '100644', content: await readFile(abs) };
}

async function removeEmptyParents(root: string, rel: string): Promise<void> {
  const parts = rel.split('/');
  for (let i = parts.length - 1; i > 0; i--) {
    try {
      await rmdir(path.join(root, ...parts.slice(0, i)));
    } catch {
      return; // not empty (or already gone)
    }
  }
}

async function writeEntry(abs: string, e: FileEntry, existing: FileEntry | undefined): Promise<void> {
  await mkdir(path.dirname(abs), { recursive: true });
  if (existing?.mode === '120000' || (existing && e.mode === '120000')) await rm(abs, { force: true });
  if (e.mode === '120000') {
    await symlink(e.content.toString('utf8'), abs);
    return;
  }
  await writeFile(abs, e.content);
  await chmod(abs, e.mode === '100755' ? 0o755 : 0o644);
}

export interface ApplyDirOptions {
  /**
   * Leave out, instead of failing on, the file patches that cannot be applied from the diff
   * alone: binary changes without data (files a snapshot kept by size and id only) and patches
   * of files on disk too large to load (over `maxFileBytes`). They are listed in `skipped`.
   */
  skipWithoutData?: boolean;
  /** Largest file loaded to be patched (default: the snapshot's limit, 4 MiB). */
  maxFileBytes?: number;
}

export interface ApplyDirResult {
  /** Paths whose content, mode or existence changed, sorted. */
  changed: string[];
  /** Paths of file patches left out (only with `skipWithoutData`), in patch order. */
  skipped?: string[];
}

/**
 * Applies `patch` (a git-style diff) to the files under `dir`. Every file patch is applied in
 * memory first; only when all of them fit is anything written (removals first, then writes).
 * Paths escaping `dir` (absolute, `..`, through a symlink) or inside `.git` are refused. Throws
 * PatchApplyError (or PatchParseError) without touching `dir` when the tree does not match, or
 * when a patch needs data the diff does not hold (unless `skipWithoutData`).
 */
export async function applyGitDiffToDir(dir: string, patch: string | Buffer, opts: ApplyDirOptions = {}): Promise<ApplyDirResult> {
  const root = path.resolve(dir);
  const maxBytes = opts.maxFileBytes ?? MAX_SNAPSHOT_FILE_BYTES;
  const skipped: string[] = [];
  const patches: FilePatch[] = [];
  const disk = new Map<string, FileEntry | undefined>();
  const load = async (rel: string): Promise<FileEntry | undefined | typeof TOO_LARGE> => {
    if (disk.has(rel)) return disk.get(rel);
    await checkNoSymlinkParents(root, rel);
    const e = await readEntry(path.join(root, ...rel.split('/')), maxBytes);
    if (e !== TOO_LARGE) disk.set(rel, e);
    return e;
  };
  for (const p of parseGitDiff(patch)) {
    const name = p.newPath ?? p.oldPath ?? '(unnamed)';
    let tooLarge = false;
    for (const rel of pathsToRead([p])) if ((await load(rel)) === TOO_LARGE) tooLarge = true;
    if (!p.binaryWithoutData && !tooLarge) {
      patches.push(p);
      continue;
    }
    if (!opts.skipWithoutData) throw new PatchApplyError(name, p.binaryWithoutData ? 'binary change without data ("Binary files differ"); regenerate with --binary' : `is larger than ${maxBytes} bytes: too large to patch`);
    skipped.push(name);
  }
  const state = applyFilePatches(patches, (rel) => disk.get(rel));
  const changed: string[] = [];
  for (const [rel, next] of state) {
    const before = disk.get(rel);
    const same = next === null ? before === undefined : before !== undefined && before.mode === next.mode && before.content.equals(next.content);
    if (!same) changed.push(rel);
  }
  changed.sort();
  for (const rel of changed) {
    if (state.get(rel) === null) {
      await rm(path.join(root, ...rel.split('/')), { force: true });
      await removeEmptyParents(root, rel);
    }
  }
  for (const rel of changed) {
    const next = state.get(rel);
    if (next) await writeEntry(path.join(root, ...rel.split('/')), next, disk.get(rel));
  }
  return opts.skipWithoutData ? { changed, skipped } : { changed };
}
