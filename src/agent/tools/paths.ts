import { promises as fs } from 'node:fs';
import path from 'node:path';

/** A path confined to the workspace. */
export interface WorkspacePath {
  /** Absolute path with every existing symlink resolved (a missing tail is appended as given). */
  abs: string;
  /** Posix path relative to the workspace root; '' for the root itself. */
  rel: string;
}

export type PathResolution = { ok: true; path: WorkspacePath } | { ok: false; message: string };

const MAX_SYMLINK_HOPS = 40;

/**
 * Resolves `input` (relative to `root`, or absolute inside it) with symlinks followed; for a
 * path that does not exist yet, the deepest existing ancestor is resolved. Anything landing
 * outside `root` (`..`, absolute paths elsewhere, symlinks that escape) is refused with a
 * message for the model. `root` must be a real path. With `followLast: false` a symlink as the
 * last component is not followed (its folder still is). Throws only on host faults.
 */
export async function resolveInWorkspace(root: string, input: string, opts: { followLast?: boolean } = {}): Promise<PathResolution> {
  if (input.includes('\0')) return { ok: false, message: `Path ${JSON.stringify(input)} contains a NUL byte.` };
  const lexical = path.resolve(root, input);
  if (!isInside(root, lexical)) {
    return {
      ok: false,
      message: `Path ${JSON.stringify(input)} is outside the workspace and was refused; use a path relative to the workspace root (absolute paths must lie under ${root}).`,
    };
  }
  // With followLast false, a symlink as the last component is the path itself (to delete a link, not its target).
  const followLast = opts.followLast ?? true;
  let real: string;
  try {
    real = followLast || lexical === root ? await realpathLenient(lexical, 0) : path.join(await realpathLenient(path.dirname(lexical), 0), path.basename(lexical));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') {
      return { ok: false, message: `Path ${JSON.stringify(input)} has too many levels of symbolic links.` };
    }
    throw err;
  }
  if (!isInside(root, real)) {
    return {
      ok: false,
      message: `Path ${JSON.stringify(input)} resolves through a symbolic link to ${real}, outside the workspace, and was refused.`,
    };
  }
  return { ok: true, path: { abs: real, rel: toPosix(path.relative(root, real)) } };
}

/** Whether `p` (absolute, normalised) is `root` or lies under it. */
export function isInside(root: string, p: string): boolean {
  if (p === root) return true;
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  return p.startsWith(prefix);
}

/** How a workspace-relative path is shown to the model. */
export function displayPath(rel: string): string {
  return rel === '' ? '.' : rel;
}

export function toPosix(p: string): string {
  return path.sep === '/' ? p : p.split(path.sep).join('/');
}

/** realpath that tolerates a missing tail, and follows dangling symlinks to where they point. */
async function realpathLenient(p: string, hops: number): Promise<string> {
  const rest: string[] = [];
  let base = p;
  let real: string | undefined;
  for (;;) {
    try {
      real = await fs.realpath(base);
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
      const parent = path.dirname(base);
      if (parent === base) throw err;
      rest.unshift(path.basename(base));
      base = parent;
    }
  }
  let cur = real;
  for (let i = 0; i < rest.length; i++) {
    const next = path.join(cur, rest[i]);
    let isLink: boolean;
    try {
      isLink = (await fs.lstat(next)).isSymbolicLink();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return path.join(cur, ...rest.slice(i));
      throw err;
    }
    if (!isLink) {
      cur = next;
      continue;
    }
    if (hops >= MAX_SYMLINK_HOPS) throw Object.assign(new Error(`too many symbolic links at ${next}`), { code: 'ELOOP' });
    cur = await realpathLenient(path.resolve(cur, await fs.readlink(next)), hops + 1);
  }
  return cur;
}
