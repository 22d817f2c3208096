import { PatchParseError } from './errors.ts';
import type { Hunk, UpdateChunk } from './types.ts';

const BEGIN = '*** Begin Patch';
const END = '*** End Patch';
const ADD = '*** Add File: ';
const DELETE = '*** Delete File: ';
const UPDATE = '*** Update File: ';
const MOVE = '*** Move to: ';
const EOF_MARKER = '*** End of File';
const HEREDOC_STARTS = new Set(['<<EOF', "<<'EOF'", '<<"EOF"']);
/** A unified-diff range header (`@@ -1,3 +1,4 @@`) carries no usable context text. */
const UNIFIED_RANGE = /^-\d+(,\d+)? \+\d+(,\d+)? @@/;

const FORMAT_HINT =
  ' Expected: "*** Begin Patch", then hunks ("*** Add File: path" with "+" lines; "*** Delete File: path"; "*** Update File: path", optional "*** Move to: path", then "@@" chunks of " " context, "-" removed and "+" added lines), then "*** End Patch".';

/**
 * Parses a patch in the Codex `apply_patch` format into hunks. Lenient like Codex: markers may be
 * padded with whitespace, the patch may be wrapped in a `<<'EOF'` heredoc, CRLF is accepted.
 * Throws PatchParseError with the offending line.
 */
export function parsePatch(text: string): Hunk[] {
  const body = patchBody(text.trim().split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)));
  const hunks: Hunk[] = [];
  let i = 0;
  while (i < body.length) {
    if (body[i].trim() === '') {
      i++;
      continue;
    }
    const [hunk, used] = parseHunk(body, i);
    hunks.push(hunk);
    i += used;
  }
  return hunks;
}

/** The lines between the begin and end markers. */
function patchBody(lines: string[]): string[] {
  const strict = boundaryError(lines);
  if (!strict) return lines.slice(1, -1);
  const first = lines[0]?.trim() ?? '';
  if (lines.length >= 4 && HEREDOC_STARTS.has(first) && lines[lines.length - 1].trim().endsWith('EOF')) {
    const inner = lines.slice(1, -1);
    if (!boundaryError(inner)) return inner.slice(1, -1);
  }
  throw new PatchParseError(strict + FORMAT_HINT);
}

function boundaryError(lines: string[]): string | undefined {
  if (lines.length === 0 || lines[0].trim() !== BEGIN) return `The first line of the patch must be '${BEGIN}'.`;
  if (lines.length < 2 || lines[lines.length - 1].trim() !== END) return `The last line of the patch must be '${END}'.`;
  return undefined;
}

/** Parses the hunk starting at body[start]; returns it and the number of lines it used. */
function parseHunk(body: string[], start: number): [Hunk, number] {
  const line = start + 2; // 1-based, after the begin marker
  const header = body[start].trim();
  if (header.startsWith(ADD)) {
    let contents = '';
    let j = start + 1;
    for (; j < body.length && body[j].startsWith('+'); j++) contents += `${body[j].slice(1)}\n`;
    return [{ type: 'add', path: header.slice(ADD.length).trim(), contents, line }, j - start];
  }
  if (header.startsWith(DELETE)) return [{ type: 'delete', path: header.slice(DELETE.length).trim(), line }, 1];
  if (!header.startsWith(UPDATE)) {
    throw new PatchParseError(
      `'${header}' is not a valid hunk header. Valid hunk headers: '*** Add File: {path}', '*** Delete File: {path}', '*** Update File: {path}'.`,
      line,
    );
  }
  const path = header.slice(UPDATE.length).trim();
  let j = start + 1;
  let movePath: string | undefined;
  if (j < body.length && body[j].trim().startsWith(MOVE)) {
    movePath = body[j].trim().slice(MOVE.length).trim();
    j++;
  }
  const chunks: UpdateChunk[] = [];
  while (j < body.length) {
    if (body[j].trim() === '') {
      j++;
      continue;
    }
    if (isHeader(body[j])) break;
    const [chunk, used] = parseChunk(body, j, chunks.length === 0);
    chunks.push(chunk);
    j += used;
  }
  if (chunks.length === 0) throw new PatchParseError(`Update file hunk for path '${path}' is empty; add "@@" chunks with "-" and "+" lines.`, line);
  return [{ type: 'update', path, movePath, chunks, line }, j - start];
}

/** A line that starts the next hunk (or stray marker) rather than continuing a chunk. */
function isHeader(raw: string): boolean {
  if (raw.startsWith('*')) return true;
  const t = raw.trim();
  return t.startsWith(ADD) || t.startsWith(DELETE) || t.startsWith(UPDATE);
}

function parseChunk(body: string[], start: number, allowMissingContext: boolean): [UpdateChunk, number] {
  const contexts: string[] = [];
  let j = start;
  for (; j < body.length; j++) {
    const t = body[j].trim();
    if (t === '@@') continue;
    if (!body[j].trimStart().startsWith('@@ ')) break;
    const context = body[j].trimStart().slice(3);
    if (!UNIFIED_RANGE.test(context.trim())) contexts.push(context);
  }
  if (j === start && !allowMissingContext) {
    throw new PatchParseError(`Expected update hunk to start with a @@ context marker, got: '${body[start]}'.`, start + 2);
  }
  const chunk: UpdateChunk = { contexts, oldLines: [], newLines: [], endOfFile: false };
  let parsed = 0;
  for (; j < body.length; j++) {
    const raw = body[j];
    if (raw.trim() === EOF_MARKER) {
      if (parsed === 0) break;
      chunk.endOfFile = true;
      j++;
      break;
    }
    const kind = raw[0];
    if (raw === '') {
      chunk.oldLines.push('');
      chunk.newLines.push('');
    } else if (kind === ' ') {
      chunk.oldLines.push(raw.slice(1));
      chunk.newLines.push(raw.slice(1));
    } else if (kind === '+') {
      chunk.newLines.push(raw.slice(1));
    } else if (kind === '-') {
      chunk.oldLines.push(raw.slice(1));
    } else {
      if (parsed === 0) {
        throw new PatchParseError(
          `Unexpected line found in update hunk: '${raw}'. Every line should start with ' ' (context line), '+' (added line), or '-' (removed line).`,
          j + 2,
        );
      }
      break;
    }
    parsed++;
  }
  if (parsed === 0) throw new PatchParseError('Update hunk does not contain any lines.', j + 2);
  return [chunk, j - start];
}
