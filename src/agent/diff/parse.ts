/** Parser of git-style diffs (as `git diff --binary` and diffSnapshots write them) into file patches. */
import { isUtf8 } from 'node:buffer';
import { decodeBinaryLine, inflateHunk } from './binary.ts';
import { PatchParseError } from './errors.ts';
import { parseGitHeaderNames, readPathField, stripPrefix } from './paths.ts';
import type { BinaryHunk, FileMode, FilePatch, Hunk, HunkLine } from './types.ts';

const MODES = new Set(['100644', '100755', '120000']);
const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

class Reader {
  i = 0;
  constructor(readonly lines: string[]) {}
  get line(): string | undefined {
    return this.lines[this.i];
  }
  fail(message: string): never {
    throw new PatchParseError(message, this.i + 1);
  }
}

function mode(r: Reader, value: string): FileMode {
  const m = value.trim();
  // Git writes 100664 for group-writable files of old repositories; it means a regular file.
  if (m === '100664') return '100644';
  if (!MODES.has(m)) r.fail(`unsupported file mode ${m}`);
  return m as FileMode;
}

/** `--- a/x` / `+++ b/x` name: undefined for /dev/null. */
function fileLabel(r: Reader, field: string): string | undefined {
  const raw = readPathField(field);
  if (raw === undefined) r.fail('malformed file name');
  if (raw === '/dev/null') return undefined;
  const name = stripPrefix(raw);
  if (name === undefined) r.fail(`file name without a prefix: ${raw}`);
  return name;
}

function parseHunk(r: Reader): Hunk {
  const m = HUNK_HEADER.exec(r.line!);
  if (!m) r.fail('malformed hunk header');
  const hunk: Hunk = {
    oldStart: Number(m[1]),
    oldLines: m[2] === undefined ? 1 : Number(m[2]),
    newStart: Number(m[3]),
    newLines: m[4] === undefined ? 1 : Number(m[4]),
    lines: [],
  };
  r.i++;
  let oldLeft = hunk.oldLines;
  let newLeft = hunk.newLines;
  const push = (op: HunkLine['op'], text: string): void => {
    hunk.lines.push({ op, text, eol: true });
  };
  while (oldLeft > 0 || newLeft > 0 || r.line?.startsWith('\\')) {
    const line = r.line;
    if (line === undefined) r.fail('patch ends inside a hunk');
    const op = line[0];
    if (op === '\\') {
      const last = hunk.lines[hunk.lines.length - 1];
      if (!last) r.fail('"\\ No newline" before any line');
      last.eol = false;
    } else if (op === ' ' || line === '') {
      if (oldLeft <= 0 || newLeft <= 0) r.fail('hunk has more lines than its header says');
      push(' ', line.slice(1));
      oldLeft--;
      newLeft--;
    } else if (op === '-') {
      if (oldLeft <= 0) r.fail('hunk has more removed lines than its header says');
      push('-', line.slice(1));
      oldLeft--;
    } else if (op === '+') {
      if (newLeft <= 0) r.fail('hunk has more added lines than its header says');
      push('+', line.slice(1));
      newLeft--;
    } else {
      r.fail('hunk ends before its header says');
    }
    r.i++;
  }
  return hunk;
}

function parseBinaryHunk(r: Reader): BinaryHunk | undefined {
  const m = /^(literal|delta) (\d+)$/.exec(r.line ?? '');
  if (!m) return undefined;
  r.i++;
  const chunks: Buffer[] = [];
  while (r.line !== undefined && r.line !== '') {
    const bytes = decodeBinaryLine(r.line);
    if (!bytes) r.fail('corrupt binary patch line');
    chunks.push(bytes);
    r.i++;
  }
  if (r.line === '') r.i++;
  const hunk = inflateHunk(m[1] as BinaryHunk['kind'], Number(m[2]), Buffer.concat(chunks));
  if (!hunk) r.fail('corrupt binary patch data');
  return hunk;
}

function parseGitFile(r: Reader): FilePatch {
  const names = parseGitHeaderNames(r.line!.slice('diff --git '.length));
  r.i++;
  const p: FilePatch = { status: 'modified', hunks: [] };
  let oldName = names.oldName;
  let newName = names.newName;
  let isNew = false;
  let isDeleted = false;
  for (let line = r.line; line !== undefined; line = r.line) {
    let m: RegExpExecArray | null;
    if ((m = /^old mode (.+)$/.exec(line))) p.oldMode = mode(r, m[1]);
    else if ((m = /^new mode (.+)$/.exec(line))) p.newMode = mode(r, m[1]);
    else if ((m = /^deleted file mode (.+)$/.exec(line))) {
      p.oldMode = mode(r, m[1]);
      isDeleted = true;
    } else if ((m = /^new file mode (.+)$/.exec(line))) {
      p.newMode = mode(r, m[1]);
      isNew = true;
    } else if ((m = /^(rename|copy) (from|to|old|new) (.+)$/.exec(line))) {
      const name = readPathField(m[3]);
      if (name === undefined) r.fail('malformed file name');
      p.status = m[1] === 'rename' ? 'renamed' : 'copied';
      if (m[2] === 'from' || m[2] === 'old') oldName = name;
      else newName = name;
    } else if ((m = /^(?:dis)?similarity index (\d+)%$/.exec(line))) p.similarity = Number(m[1]);
    else if ((m = /^index ([0-9a-f]+)\.\.([0-9a-f]+)(?: (\d+))?$/.exec(line))) {
      p.oldOid = m[1];
      p.newOid = m[2];
      if (m[3] !== undefined) p.oldMode = p.newMode = mode(r, m[3]);
    } else break;
    r.i++;
  }
  if (r.line?.startsWith('--- ') && r.lines[r.i + 1]?.startsWith('+++ ')) {
    const from = fileLabel(r, r.line.slice(4));
    r.i++;
    const to = fileLabel(r, r.line.slice(4));
    r.i++;
    if (from === undefined) isNew = true;
    else oldName ??= from;
    if (to === undefined) isDeleted = true;
    else newName ??= to;
  }
  while (r.line?.startsWith('@@ ')) p.hunks.push(parseHunk(r));
  if (r.line === 'GIT binary patch') {
    r.i++;
    const forward = parseBinaryHunk(r);
    if (!forward) r.fail('binary patch without a literal or delta hunk');
    const reverse = parseBinaryHunk(r);
    p.binary = reverse ? { forward, reverse } : { forward };
  } else if (r.line !== undefined && /^Binary files .* differ$/.test(r.line)) {
    p.binaryWithoutData = true;
    r.i++;
  }
  if (isNew) {
    p.status = 'added';
    p.oldMode = undefined;
  } else if (isDeleted) {
    p.status = 'deleted';
    p.newMode = undefined;
  }
  if (p.status !== 'added') {
    if (oldName === undefined) r.fail('cannot tell the old file name');
    p.oldPath = oldName;
  }
  if (p.status !== 'deleted') {
    if (newName === undefined) r.fail('cannot tell the new file name');
    p.newPath = newName;
  }
  return p;
}

/** A plain unified diff file section (`--- a/x`, `+++ b/x`, hunks) without a git header. */
function parsePlainFile(r: Reader): FilePatch {
  const from = fileLabel(r, r.line!.slice(4));
  r.i++;
  const to = fileLabel(r, r.line!.slice(4));
  r.i++;
  const p: FilePatch = { status: from === undefined ? 'added' : to === undefined ? 'deleted' : 'modified', hunks: [] };
  if (from !== undefined) p.oldPath = from;
  if (to !== undefined) p.newPath = to;
  while (r.line?.startsWith('@@ ')) p.hunks.push(parseHunk(r));
  if (p.hunks.length === 0) r.fail('file section without hunks');
  return p;
}

/**
 * Parses a git-style diff into its file patches, in order. Text outside file sections (a mail
 * header, a commit message) is skipped. A Buffer that is not UTF-8 is read byte for byte (hunk
 * texts in latin1, `byteText` set). Throws PatchParseError on a malformed section.
 */
export function parseGitDiff(patch: string | Buffer): FilePatch[] {
  const byteText = typeof patch !== 'string' && !isUtf8(patch);
  const text = typeof patch === 'string' ? patch : patch.toString(byteText ? 'latin1' : 'utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const r = new Reader(lines);
  const files: FilePatch[] = [];
  while (r.line !== undefined) {
    const line = r.line;
    if (line.startsWith('diff --git ')) files.push(parseGitFile(r));
    else if (line.startsWith('--- ') && r.lines[r.i + 1]?.startsWith('+++ ')) files.push(parsePlainFile(r));
    else r.i++;
  }
  if (byteText) for (const f of files) f.byteText = true;
  return files;
}
