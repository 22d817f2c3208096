/**
 * Reads a git-style unified diff for display: files, hunks and numbered lines, and the rows of a
 * side-by-side view. Lenient: it shows what it can of a diff whose counts do not add up (a
 * redacted secret may have joined lines), rather than refusing it.
 */

export interface DiffLine {
  op: ' ' | '+' | '-';
  text: string;
  oldNo?: number;
  newNo?: number;
  /** The line has no newline at its end (`\ No newline at end of file`). */
  noEol?: boolean;
}

export interface DiffHunk {
  header: string;
  lines: DiffLine[];
}

export interface DiffFile {
  oldPath?: string;
  newPath?: string;
  /** The path to show: the new one, or the old one for a deletion. */
  path: string;
  change: 'added' | 'deleted' | 'modified' | 'renamed' | 'copied';
  binary: boolean;
  /** Mode changes and similar header notes, for display. */
  notes: string[];
  hunks: DiffHunk[];
  additions: number;
  deletions: number;
}

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$/;

function unquote(name: string): string {
  if (!name.startsWith('"')) return name;
  try {
    return JSON.parse(name.replace(/\\([0-7]{3})/g, (_, o: string) => `\\u${parseInt(o, 8).toString(16).padStart(4, '0')}`)) as string;
  } catch {
    return name.slice(1, -1);
  }
}

function stripPrefix(name: string): string | undefined {
  const n = unquote(name.trim().replace(/\t.*$/, ''));
  if (n === '/dev/null') return undefined;
  return n.replace(/^[ab]\//, '');
}

function newFile(header: string): DiffFile {
  // `diff --git a/x b/x`: the names, good enough until ---/+++ or rename lines say better.
  const m = /^diff --git (?:"?a\/)(.+?)"? "?b\/(.+?)"?$/.exec(header);
  return { oldPath: m?.[1], newPath: m?.[2], path: m?.[2] ?? '', change: 'modified', binary: false, notes: [], hunks: [], additions: 0, deletions: 0 };
}

/** Parses a unified diff (as `git diff` writes it, or a plain `---`/`+++` one) into files. */
export function parseDiff(text: string): DiffFile[] {
  const files: DiffFile[] = [];
  let file: DiffFile | undefined;
  let hunk: DiffHunk | undefined;
  let oldNo = 0;
  let newNo = 0;
  // Lines the hunk header announces: while some are left, a line is content whatever it looks like.
  let left = 0;
  let inBinary = false;
  const lines = String(text ?? '').split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) {
    if (line.startsWith('diff --git ')) {
      file = newFile(line);
      files.push(file);
      hunk = undefined;
      inBinary = false;
      continue;
    }
    if (!file || (!hunk && line.startsWith('--- ') && file.hunks.length > 0)) {
      if (!line.startsWith('--- ')) continue;
      file = newFile('');
      files.push(file);
      hunk = undefined;
    }
    if (inBinary) continue;
    const h = HUNK.exec(line);
    if (h) {
      hunk = { header: line, lines: [] };
      file.hunks.push(hunk);
      oldNo = Number(h[1]);
      newNo = Number(h[3]);
      left = Number(h[2] ?? 1) + Number(h[4] ?? 1);
      continue;
    }
    if (hunk) {
      const op = line[0];
      const counted = left > 0;
      left -= op === ' ' || line === '' ? 2 : op === '+' || op === '-' ? 1 : 0;
      if (op === '+' && (counted || !line.startsWith('+++ '))) {
        hunk.lines.push({ op: '+', text: line.slice(1), newNo: newNo++ });
        file.additions++;
        continue;
      }
      if (op === '-' && (counted || !line.startsWith('--- '))) {
        hunk.lines.push({ op: '-', text: line.slice(1), oldNo: oldNo++ });
        file.deletions++;
        continue;
      }
      if (op === ' ' || line === '') {
        hunk.lines.push({ op: ' ', text: line.slice(1), oldNo: oldNo++, newNo: newNo++ });
        continue;
      }
      if (op === '\\') {
        const last = hunk.lines.at(-1);
        if (last) last.noEol = true;
        continue;
      }
      hunk = undefined;
    }
    headerLine(file, line);
    if (line === 'GIT binary patch' || line.startsWith('Binary files ')) {
      file.binary = true;
      inBinary = line === 'GIT binary patch';
    }
  }
  return files;
}

function headerLine(file: DiffFile, line: string): void {
  const set = (change: DiffFile['change']) => {
    file.change = change;
  };
  if (line.startsWith('--- ')) {
    file.oldPath = stripPrefix(line.slice(4));
    if (file.oldPath === undefined) set('added');
  } else if (line.startsWith('+++ ')) {
    file.newPath = stripPrefix(line.slice(4));
    if (file.newPath === undefined) set('deleted');
  } else if (line.startsWith('new file mode')) set('added');
  else if (line.startsWith('deleted file mode')) set('deleted');
  else if (line.startsWith('rename from ')) {
    file.oldPath = unquote(line.slice(12));
    set('renamed');
  } else if (line.startsWith('rename to ')) file.newPath = unquote(line.slice(10));
  else if (line.startsWith('copy from ')) {
    file.oldPath = unquote(line.slice(10));
    set('copied');
  } else if (line.startsWith('copy to ')) file.newPath = unquote(line.slice(8));
  else if (line.startsWith('old mode ') || line.startsWith('new mode ')) file.notes.push(line);
  if (file.change === 'added') file.oldPath = undefined;
  if (file.change === 'deleted') file.newPath = undefined;
  file.path = file.newPath ?? file.oldPath ?? file.path;
}

/** One row of the side-by-side view: the old line on the left, the new one on the right. */
export interface SplitRow {
  left?: DiffLine;
  right?: DiffLine;
}

/**
 * The hunk's rows side by side: context lines on both sides; within each run of changes, removed
 * lines are paired with added ones in order, the longer side's rest left unpaired.
 */
export function splitRows(hunk: DiffHunk): SplitRow[] {
  const rows: SplitRow[] = [];
  let removed: DiffLine[] = [];
  let added: DiffLine[] = [];
  const pair = () => {
    for (let k = 0; k < Math.max(removed.length, added.length); k++) rows.push({ left: removed[k], right: added[k] });
    removed = [];
    added = [];
  };
  for (const line of hunk.lines) {
    if (line.op === '-') removed.push(line);
    else if (line.op === '+') added.push(line);
    else {
      pair();
      rows.push({ left: line, right: line });
    }
  }
  pair();
  return rows;
}
