/** In-memory application of one file patch. */
import { isUtf8 } from 'node:buffer';
import { applyGitDelta, blobOid } from './binary.ts';
import { PatchApplyError } from './errors.ts';
import { splitLines } from './text-diff.ts';
import type { FilePatch, Hunk, HunkLine } from './types.ts';

// A UTF-8 file is worked on as text. Any other file is worked on as latin1 (one char per byte), so
// that untouched lines keep their exact bytes; the patch's UTF-8 lines are converted the same way.
const toBytes = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

function matchesAt(lines: string[], at: number, pre: string[]): boolean {
  if (at < 0 || at + pre.length > lines.length) return false;
  for (let i = 0; i < pre.length; i++) if (lines[at + i] !== pre[i]) return false;
  return true;
}

function applyHunks(name: string, content: Buffer, hunks: Hunk[], byteText: boolean): Buffer {
  const asText = !byteText && isUtf8(content);
  const encoding = asText ? 'utf8' : 'latin1';
  const lineOf = (l: HunkLine): string => (asText || byteText ? l.text : toBytes(l.text)) + (l.eol ? '\n' : '');
  const lines = splitLines(content.toString(encoding));
  const out: string[] = [];
  let pos = 0;
  let offset = 0;
  hunks.forEach((hunk, n) => {
    const pre = hunk.lines.filter((l) => l.op !== '+').map(lineOf);
    const post = hunk.lines.filter((l) => l.op !== '-').map(lineOf);
    const expected = (hunk.oldLines === 0 ? hunk.oldStart : hunk.oldStart - 1) + offset;
    let at = -1;
    // The stated position first, then ever further away, never before the previous hunk's end.
    for (let d = 0; at < 0 && (expected - d >= pos || expected + d <= lines.length); d++) {
      if (expected + d >= pos && matchesAt(lines, expected + d, pre)) at = expected + d;
      else if (d > 0 && expected - d >= pos && matchesAt(lines, expected - d, pre)) at = expected - d;
    }
    if (at < 0) throw new PatchApplyError(name, `hunk #${n + 1} (@@ -${hunk.oldStart},${hunk.oldLines}) does not match the file`);
    for (let i = pos; i < at; i++) out.push(lines[i]);
    out.push(...post);
    pos = at + pre.length;
    offset = at - (expected - offset);
  });
  for (let i = pos; i < lines.length; i++) out.push(lines[i]);
  return Buffer.from(out.join(''), encoding);
}

const fullOid = (oid: string | undefined): oid is string => oid !== undefined && /^[0-9a-f]{40}$/.test(oid) && !/^0+$/.test(oid);

function applyBinary(name: string, base: Buffer, p: FilePatch): Buffer {
  const { forward } = p.binary!;
  if (p.status !== 'added' && fullOid(p.oldOid) && blobOid(base) !== p.oldOid) {
    throw new PatchApplyError(name, `binary patch expects blob ${p.oldOid}, the file is ${blobOid(base)}`);
  }
  let result: Buffer;
  if (forward.kind === 'literal') result = forward.data;
  else {
    try {
      result = applyGitDelta(base, forward.data);
    } catch (err) {
      throw new PatchApplyError(name, `binary delta does not apply: ${(err as Error).message}`, { cause: err });
    }
  }
  if (p.status !== 'deleted' && fullOid(p.newOid) && blobOid(result) !== p.newOid) {
    throw new PatchApplyError(name, `binary patch gives blob ${blobOid(result)}, expected ${p.newOid}`);
  }
  return result;
}

/**
 * The file's new content after applying `p` to `old` (undefined: the file does not exist), or
 * null when the patch deletes it. Hunks must match exactly (they may sit at another line than
 * stated). Throws PatchApplyError when the patch does not fit.
 */
export function applyFilePatch(old: Buffer | undefined, p: FilePatch): Buffer | null {
  const name = p.newPath ?? p.oldPath ?? '(unnamed)';
  if (p.status === 'added') {
    if (old !== undefined) throw new PatchApplyError(name, 'already exists');
  } else if (old === undefined) {
    throw new PatchApplyError(p.oldPath ?? name, 'does not exist');
  }
  if (p.binaryWithoutData) throw new PatchApplyError(name, 'binary change without data ("Binary files differ"); regenerate with --binary');
  const base = old ?? Buffer.alloc(0);
  const result = p.binary ? applyBinary(name, base, p) : p.hunks.length > 0 ? applyHunks(name, base, p.hunks, p.byteText === true) : base;
  if (p.status === 'deleted') {
    if (result.length > 0) throw new PatchApplyError(name, 'deletion does not match the whole file');
    return null;
  }
  return result;
}
