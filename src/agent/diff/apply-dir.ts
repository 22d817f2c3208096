/** Applies a git-style diff to a folder: everything is checked in memory before anything is written. */
import type { Stats } from 'node:fs';
import { chmod, lstat, mkdir, readFile, readlink, rm, rmdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { applyFilePatches, pathsToRead } from './apply-tree.ts';
import { PatchApplyError } from './errors.ts';
import { parseGitDiff } from './parse.ts';
import type { SnapshotEntry } from './types.ts';

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

/** The file or symlink at `abs`; undefined when absent or a folder. */
async function readEntry(abs: string): Promise<SnapshotEntry | undefined> {
  const st = await lstatOrUndefined(abs);
  if (!st) return undefined;
  if (st.isSymbolicLink()) return { mode: '120000', content: Buffer.from(await readlink(abs), 'utf8') };
  if (!st.isFile()) return undefined;
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

async function writeEntry(abs: string, e: SnapshotEntry, existing: SnapshotEntry | undefined): Promise<void> {
  await mkdir(path.dirname(abs), { recursive: true });
  if (existing?.mode === '120000' || (existing && e.mode === '120000')) await rm(abs, { force: true });
  if (e.mode === '120000') {
    await symlink(e.content.toString('utf8'), abs);
    return;
  }
  await writeFile(abs, e.content);
  await chmod(abs, e.mode === '100755' ? 0o755 : 0o644);
}

/**
 * Applies `patch` (a git-style diff) to the files under `dir`. Every file patch is applied in
 * memory first; only when all of them fit is anything written (removals first, then writes).
 * Paths escaping `dir` (absolute, `..`, through a symlink) or inside `.git` are refused. Throws
 * PatchApplyError (or PatchParseError) without touching `dir` when the tree does not match.
 * Returns the paths whose content, mode or existence changed, sorted.
 */
export async function applyGitDiffToDir(dir: string, patch: string | Buffer): Promise<{ changed: string[] }> {
  const root = path.resolve(dir);
  const patches = parseGitDiff(patch);
  const disk = new Map<string, SnapshotEntry | undefined>();
  for (const rel of pathsToRead(patches)) {
    await checkNoSymlinkParents(root, rel);
    disk.set(rel, await readEntry(path.join(root, ...rel.split('/'))));
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
  return { changed };
}
