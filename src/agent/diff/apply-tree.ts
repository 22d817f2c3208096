/** Applies a whole diff to a tree held in memory: the pure core of the folder applier. */
import { applyFilePatch } from './apply.ts';
import { PatchApplyError } from './errors.ts';
import { parseGitDiff } from './parse.ts';
import { isLarge } from './diff.ts';
import type { FileEntry, FileMode, FilePatch, Snapshot } from './types.ts';

/**
 * Refuses absolute paths, `..`, empty segments and `.git` components (as `git apply` does). A
 * backslash is an ordinary character on posix, as git treats it there.
 */
export function checkPatchPath(rel: string): void {
  const parts = rel.split('/');
  const bad = rel === '' || rel.includes('\0') || parts.some((s) => s === '' || s === '.' || s === '..' || s.toLowerCase() === '.git');
  if (bad) throw new PatchApplyError(rel, 'path is outside the tree or not allowed');
}

const parentsOf = (rel: string): string[] => {
  const parts = rel.split('/');
  return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('/'));
};

/** Every path whose current state the patches depend on (their files and the new files' parents). */
export function pathsToRead(patches: FilePatch[]): string[] {
  const paths = new Set<string>();
  for (const p of patches) {
    if (p.oldPath !== undefined) paths.add(p.oldPath);
    if (p.newPath !== undefined) {
      paths.add(p.newPath);
      for (const parent of parentsOf(p.newPath)) paths.add(parent);
    }
  }
  for (const rel of paths) checkPatchPath(rel);
  return [...paths];
}

/**
 * Applies `patches` in order on top of `lookup` (the current tree) and returns the final state of
 * every path they touch: its entry, or null when it is removed. Throws PatchApplyError at the first
 * patch that does not fit; nothing is half-applied since nothing is written.
 */
export function applyFilePatches(patches: FilePatch[], lookup: (path: string) => FileEntry | undefined): Map<string, FileEntry | null> {
  const state = new Map<string, FileEntry | null>();
  const current = (rel: string): FileEntry | undefined => {
    checkPatchPath(rel);
    return state.has(rel) ? (state.get(rel) ?? undefined) : lookup(rel);
  };
  for (const p of patches) {
    const old = p.oldPath === undefined ? undefined : current(p.oldPath);
    if (p.newPath !== undefined) {
      for (const parent of parentsOf(p.newPath)) {
        if (current(parent) !== undefined) throw new PatchApplyError(p.newPath, `${parent} is a file, not a folder`);
      }
      if (p.status !== 'modified' && p.status !== 'deleted' && current(p.newPath) !== undefined) {
        throw new PatchApplyError(p.newPath, 'already exists');
      }
    }
    if (old && p.oldMode && (old.mode === '120000') !== (p.oldMode === '120000')) {
      throw new PatchApplyError(p.oldPath!, `is a ${old.mode === '120000' ? 'symbolic link' : 'regular file'}, the patch expects mode ${p.oldMode}`);
    }
    const content = applyFilePatch(old?.content, p);
    if (p.status === 'renamed' || p.status === 'deleted') state.set(p.oldPath!, null);
    if (content !== null) {
      const mode: FileMode = p.newMode ?? old?.mode ?? '100644';
      state.set(p.newPath!, { mode, content });
    }
  }
  return state;
}

/**
 * Applies a git-style diff to an in-memory tree (for files fetched from elsewhere, e.g. GitHub)
 * and returns the new tree; `snapshot` itself is left unchanged. Throws PatchParseError or
 * PatchApplyError when the diff does not fit or touches a file kept by size and blob id only.
 */
export function applyGitDiffToSnapshot(snapshot: Snapshot, patch: string | Buffer): Snapshot {
  const state = applyFilePatches(parseGitDiff(patch), (rel) => {
    const e = snapshot.get(rel);
    if (e && isLarge(e)) throw new PatchApplyError(rel, 'is kept by size and blob id only (too large): it cannot be patched');
    return e;
  });
  const out: Snapshot = new Map(snapshot);
  for (const [rel, e] of state) {
    if (e) out.set(rel, e);
    else out.delete(rel);
  }
  return out;
}
