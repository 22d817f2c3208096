import fs from 'node:fs';
import path from 'node:path';

/** Symlinks followed before resolution gives up, as the kernel's ELOOP limit. */
const MAX_HOPS = 40;

export type LinkResolution = { inside: true } | { inside: false; reason: 'escapes' | 'absolute' | 'loop' };

/**
 * Whether the symlink at `rel` (posix, relative to `root`) resolves inside `root`, following the
 * links it passes through on disk as the kernel does: `a -> sub/link/../..` with `sub/link -> ..`
 * climbs two folders above `sub/link`'s target, which lexical normalisation (and Node's JS
 * `realpathSync`) gets wrong. Missing components are taken as plain folders, as a later mkdir
 * would make them. A chain of more than 40 links counts as a loop.
 */
export function resolveLinkInside(root: string, rel: string): LinkResolution {
  const resolved: string[] = [];
  const pending = rel.split('/').filter((p) => p !== '' && p !== '.');
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.' || part === '') continue;
    if (part === '..') {
      if (resolved.length === 0) return { inside: false, reason: 'escapes' };
      resolved.pop();
      continue;
    }
    const candidate = [...resolved, part];
    const st = lstat(path.join(root, ...candidate));
    if (st?.isSymbolicLink()) {
      if (++hops > MAX_HOPS) return { inside: false, reason: 'loop' };
      const target = fs.readlinkSync(path.join(root, ...candidate));
      if (path.posix.isAbsolute(target)) return { inside: false, reason: 'absolute' };
      pending.unshift(...target.split('/'));
      continue;
    }
    resolved.push(part);
  }
  return { inside: true };
}

function lstat(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}
