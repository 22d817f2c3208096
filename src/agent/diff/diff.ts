/** The git-style diff between two workspace snapshots, written without git. */
import { isUtf8 } from 'node:buffer';
import type { DiffStats } from '../../task/events.ts';
import { NULL_OID, blobOid, encodeLiteralHunk } from './binary.ts';
import { quotePath } from './paths.ts';
import { textHunks } from './text-diff.ts';
import type { FileEntry, LargeEntry, Snapshot, SnapshotEntry } from './types.ts';

interface Part {
  /** Sort key: the path the part produces (the removed path for deletions). */
  key: string;
  /** Removals sort before creations at the same path (a file replaced by a symlink). */
  rank: number;
  text: string;
  additions: number;
  deletions: number;
}

/** Binary as git sees it (a NUL byte), or not valid UTF-8 (could not round-trip as patch text). */
export function isBinary(content: Buffer): boolean {
  return content.includes(0) || !isUtf8(content);
}

const isLink = (e: SnapshotEntry): boolean => e.mode === '120000';

/** Whether the entry is kept by size and blob id only (see takeSnapshot). */
export function isLarge(e: SnapshotEntry): e is LargeEntry {
  return !('content' in e);
}

const oids = new WeakMap<Buffer, string>();
/** The entry's git blob id (computed once per content). */
export function oidOf(e: SnapshotEntry): string {
  if (isLarge(e)) return e.oid;
  let oid = oids.get(e.content);
  if (oid === undefined) {
    oid = blobOid(e.content);
    oids.set(e.content, oid);
  }
  return oid;
}

const sizeOf = (e: SnapshotEntry): number => (isLarge(e) ? e.size : e.content.length);

/** Same mode and same bytes (by blob id when either side is kept by id only). */
function sameEntry(a: SnapshotEntry, b: SnapshotEntry): boolean {
  if (a.mode !== b.mode) return false;
  if (!isLarge(a) && !isLarge(b)) return a.content.equals(b.content);
  return sizeOf(a) === sizeOf(b) && oidOf(a) === oidOf(b);
}

function label(prefix: 'a/' | 'b/', path: string): string {
  const q = quotePath(prefix + path);
  return q.includes(' ') ? `${q}\t` : q;
}

function header(oldPath: string, newPath: string): string {
  return `diff --git ${quotePath('a/' + oldPath)} ${quotePath('b/' + newPath)}\n`;
}

/** Index line, content header and hunks; empty strings when the contents are equal. */
function contentPart(oldPath: string | undefined, newPath: string | undefined, before: SnapshotEntry | undefined, after: SnapshotEntry | undefined, modeSuffix: string): Omit<Part, 'key' | 'rank'> {
  if (before && after && sizeOf(before) === sizeOf(after) && oidOf(before) === oidOf(after)) return { text: '', additions: 0, deletions: 0 };
  const oldOid = before ? oidOf(before) : NULL_OID;
  const newOid = after ? oidOf(after) : NULL_OID;
  let text = `index ${oldOid}..${newOid}${modeSuffix}\n`;
  if ((before && isLarge(before)) || (after && isLarge(after))) {
    // Past the size limit: no data, as `git diff` without --binary writes a binary change.
    const a = oldPath === undefined ? '/dev/null' : quotePath(`a/${oldPath}`);
    const b = newPath === undefined ? '/dev/null' : quotePath(`b/${newPath}`);
    return { text: `${text}Binary files ${a} and ${b} differ\n`, additions: 0, deletions: 0 };
  }
  const old = (before as FileEntry | undefined)?.content ?? EMPTY;
  const now = (after as FileEntry | undefined)?.content ?? EMPTY;
  if (isBinary(old) || isBinary(now)) {
    // Full blob ids are required by `git apply` for binary hunks; the reverse hunk keeps `-R` working.
    text += 'GIT binary patch\n' + encodeLiteralHunk(now) + encodeLiteralHunk(old);
    return { text, additions: 0, deletions: 0 };
  }
  const hunks = textHunks(old.toString('utf8'), now.toString('utf8'));
  if (hunks.body === '') return { text, additions: 0, deletions: 0 };
  text += `--- ${oldPath === undefined ? '/dev/null' : label('a/', oldPath)}\n`;
  text += `+++ ${newPath === undefined ? '/dev/null' : label('b/', newPath)}\n`;
  return { text: text + hunks.body, additions: hunks.additions, deletions: hunks.deletions };
}

const EMPTY = Buffer.alloc(0);

function added(path: string, e: SnapshotEntry): Part {
  const body = contentPart(undefined, path, undefined, e, '');
  return { key: path, rank: 1, ...body, text: header(path, path) + `new file mode ${e.mode}\n` + body.text };
}

function deleted(path: string, e: SnapshotEntry): Part {
  const body = contentPart(path, undefined, e, undefined, '');
  return { key: path, rank: 0, ...body, text: header(path, path) + `deleted file mode ${e.mode}\n` + body.text };
}

function modified(path: string, a: SnapshotEntry, b: SnapshotEntry): Part {
  const modes = a.mode === b.mode ? '' : `old mode ${a.mode}\nnew mode ${b.mode}\n`;
  const body = contentPart(path, path, a, b, a.mode === b.mode ? ` ${a.mode}` : '');
  return { key: path, rank: 1, ...body, text: header(path, path) + modes + body.text };
}

function renamed(from: string, to: string, a: SnapshotEntry, b: SnapshotEntry): Part {
  const modes = a.mode === b.mode ? '' : `old mode ${a.mode}\nnew mode ${b.mode}\n`;
  const text = header(from, to) + modes + `similarity index 100%\nrename from ${quotePath(from)}\nrename to ${quotePath(to)}\n`;
  return { key: to, rank: 1, text, additions: 0, deletions: 0 };
}

const basename = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

/**
 * Pairs files that disappeared with files that appeared with identical content (and file type)
 * as exact renames. Only paths absent from the other side take part, so a rename never collides
 * with another change at its source or destination. Empty files are left out: their "content" says
 * nothing about identity.
 */
function findRenames(gone: [string, SnapshotEntry][], appeared: [string, SnapshotEntry][]): Map<string, string> {
  const byOid = new Map<string, string[]>();
  for (const [path, e] of gone) {
    if (sizeOf(e) === 0) continue;
    const key = `${isLink(e)}:${oidOf(e)}`;
    const list = byOid.get(key);
    if (list) list.push(path);
    else byOid.set(key, [path]);
  }
  const renames = new Map<string, string>(); // to → from
  if (byOid.size === 0) return renames;
  for (const [path, e] of appeared) {
    if (sizeOf(e) === 0) continue;
    const list = byOid.get(`${isLink(e)}:${oidOf(e)}`);
    if (!list || list.length === 0) continue;
    const same = list.findIndex((p) => basename(p) === basename(path));
    const [from] = list.splice(same >= 0 ? same : 0, 1);
    renames.set(path, from);
  }
  return renames;
}

/**
 * The change from `before` to `after` as a git-style unified diff (`git apply` reproduces
 * `after` on a copy of `before`), files in path order; `stats` counts as `git apply --numstat`
 * does (a binary file is a file with 0 additions and 0 deletions). Empty patch when equal. A file
 * kept by size and blob id (LargeEntry) is written as `Binary files ... differ` without data, as
 * git does without --binary: that part cannot be applied, everything else can.
 */
export function diffSnapshots(before: Snapshot, after: Snapshot): { patch: string; stats: DiffStats } {
  const parts: Part[] = [];
  const gone: [string, SnapshotEntry][] = [];
  const appeared: [string, SnapshotEntry][] = [];
  for (const [path, a] of before) {
    const b = after.get(path);
    if (!b) gone.push([path, a]);
    else if (isLink(a) !== isLink(b)) {
      // A type change is a deletion and a creation, as git writes it.
      parts.push(deleted(path, a), added(path, b));
    } else if (!sameEntry(a, b)) parts.push(modified(path, a, b));
  }
  for (const [path, b] of after) if (!before.has(path)) appeared.push([path, b]);
  gone.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  appeared.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const renames = findRenames(gone, appeared);
  const renamedFrom = new Set(renames.values());
  for (const [path, a] of gone) if (!renamedFrom.has(path)) parts.push(deleted(path, a));
  for (const [path, b] of appeared) {
    const from = renames.get(path);
    parts.push(from === undefined ? added(path, b) : renamed(from, path, before.get(from)!, b));
  }
  parts.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : x.rank - y.rank));
  const stats: DiffStats = { files: parts.length, additions: 0, deletions: 0 };
  for (const p of parts) {
    stats.additions += p.additions;
    stats.deletions += p.deletions;
  }
  return { patch: parts.map((p) => p.text).join(''), stats };
}
