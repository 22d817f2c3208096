import { closeSync, constants as fsConstants, fstatSync, openSync, promises as fs, readSync } from 'node:fs';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import path from 'node:path';
import { ToolHostError } from './errors.ts';
import { createGlobMatcher } from './glob.ts';
import { displayPath, resolveInWorkspace } from './paths.ts';
import { errorCode, toolError, toolSuccess } from './result.ts';
import { looksBinary } from './text-file.ts';
import { linesWithinBudget } from './truncate.ts';
import type { Tool, ToolContext, ToolResult } from './types.ts';
import { walkWorkspace } from './walk.ts';

export interface SearchInput {
  pattern: string;
  path?: string;
  glob?: string;
}

export const MAX_MATCHES = 500;
export const MAX_SEARCH_FILE_BYTES = 1024 * 1024;
export const MAX_MATCH_LINE_CHARS = 300;
/** Longest stretch of synchronous reading before yielding to the event loop. */
const SLICE_MS = 15;
const NOTE_RESERVE = 300;

/** The `search` tool (contract section 4). */
export const searchTool: Tool = {
  name: 'search',
  description:
    'Searches the text files under a folder (default: the workspace) for lines matching a JavaScript regular expression; each match comes back as `file:line:text`, ' +
    `files in path order. Binary files, git-ignored files, .git/ and files over 1 MiB are skipped; lines are cut at ${MAX_MATCH_LINE_CHARS} characters; at most ${MAX_MATCHES} matches, with a note when there are more. ` +
    'A leading "(?i)" makes it case-insensitive. glob limits the files ("*.ts", "src/**/*.py"). Errors: invalid regular expression, missing path.',
  inputSchema: {
    type: 'object',
    properties: {
      pattern: { type: 'string', minLength: 1, description: 'JavaScript regular expression, e.g. "function \\\\w+\\\\(" or "(?i)todo".' },
      path: { type: 'string', description: 'Folder or file to search, relative to the workspace root (default: the root).' },
      glob: { type: 'string', minLength: 1, description: 'Only files whose path matches this glob, e.g. "*.ts".' },
    },
    required: ['pattern'],
    additionalProperties: false,
  },
  readOnly: true,
  run: search,
};

interface FileMatches {
  lines: string[];
  skippedLarge: boolean;
}

async function search(input: SearchInput, ctx: ToolContext): Promise<ToolResult> {
  const regex = compile(input.pattern);
  if (typeof regex === 'string') return toolError(regex);
  const resolved = await resolveInWorkspace(ctx.root, input.path ?? '.');
  if (!resolved.ok) return toolError(resolved.message);
  const { abs, rel } = resolved.path;
  const shown = displayPath(rel);
  let matcher: ((p: string) => boolean) | undefined;
  try {
    matcher = input.glob === undefined ? undefined : createGlobMatcher(input.glob, rel);
  } catch (err) {
    return toolError(`Invalid glob ${JSON.stringify(input.glob)}: ${(err as Error).message}`);
  }
  try {
    await fs.stat(abs);
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return toolError(`Path not found: ${shown}. Use list_files to see what exists.`);
    throw new ToolHostError('search', err);
  }
  const all = await walkWorkspace(ctx.root, { under: rel, signal: ctx.signal });
  const files = matcher ? all.filter(matcher) : all;

  const lines: string[] = [];
  let searched = 0;
  let skippedLarge = 0;
  let sliceStart = performance.now();
  for (const file of files) {
    if (lines.length > MAX_MATCHES) break;
    if (performance.now() - sliceStart > SLICE_MS) {
      await yieldToEventLoop();
      ctx.signal.throwIfAborted();
      sliceStart = performance.now();
    }
    const r = searchFile(ctx.root, file, regex);
    searched++;
    if (r.skippedLarge) skippedLarge++;
    lines.push(...r.lines);
  }
  const shownLines = linesWithinBudget(lines.slice(0, MAX_MATCHES), ctx.maxOutputBytes - NOTE_RESERVE);
  const notes: string[] = [];
  if (lines.length > MAX_MATCHES) {
    notes.push(`(more than ${MAX_MATCHES} matches; only the first ${shownLines.length} are shown. Narrow the pattern, path or glob.)`);
  } else if (shownLines.length < lines.length) {
    notes.push(`(${lines.length} matches; only the first ${shownLines.length} fit the output limit. Narrow the pattern, path or glob.)`);
  }
  if (skippedLarge > 0) notes.push(`(${skippedLarge} file${skippedLarge === 1 ? '' : 's'} over 1 MiB not searched.)`);
  if (lines.length === 0) {
    return toolSuccess([`No matches for /${input.pattern}/ under ${shown} (${searched} files searched).`, ...notes].join('\n'));
  }
  return toolSuccess([shownLines.join('\n'), ...(notes.length ? ['', ...notes] : [])].join('\n'));
}

/** The RegExp, or an error message for the model. */
function compile(pattern: string): RegExp | string {
  let source = pattern;
  let flags = '';
  if (source.startsWith('(?i)')) {
    source = source.slice(4);
    flags = 'i';
  }
  try {
    return new RegExp(source, flags);
  } catch (err) {
    return `Invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}. The pattern is a JavaScript regular expression; escape ( ) [ ] { } . * + ? | \\ with a backslash to match them literally.`;
  }
}

/**
 * Reads synchronously: on many small files this is several times faster than the thread pool,
 * and the caller yields to the event loop every few milliseconds.
 */
function searchFile(root: string, rel: string, regex: RegExp): FileMatches {
  const none: FileMatches = { lines: [], skippedLarge: false };
  let fd: number;
  try {
    // Never follow a symlink: it may point outside the workspace. O_NONBLOCK: a FIFO must not hang.
    fd = openSync(path.join(root, rel), fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  } catch (err) {
    if (isSkippable(err)) return none;
    throw new ToolHostError('search', err);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return none;
    if (st.size > MAX_SEARCH_FILE_BYTES) return { lines: [], skippedLarge: true };
    const buf = Buffer.allocUnsafe(st.size);
    let got = 0;
    while (got < st.size) {
      const n = readSync(fd, buf, got, st.size - got, got);
      if (n === 0) break;
      got += n;
    }
    const data = buf.subarray(0, got);
    if (looksBinary(data)) return none;
    const text = data.toString('utf8');
    const lines: string[] = [];
    for (let at = 0, n = 1; at < text.length; n++) {
      let end = text.indexOf('\n', at);
      if (end === -1) end = text.length;
      const line = text.charCodeAt(end - 1) === 13 && end > at ? text.slice(at, end - 1) : text.slice(at, end);
      const m = regex.exec(line);
      if (m) lines.push(`${rel}:${n}:${clip(line, m.index)}`);
      at = end + 1;
    }
    return { lines, skippedLarge: false };
  } catch (err) {
    if (isSkippable(err)) return none;
    throw new ToolHostError('search', err);
  } finally {
    closeSync(fd);
  }
}

function isSkippable(err: unknown): boolean {
  const code = errorCode(err);
  return code === 'ELOOP' || code === 'ENOENT' || code === 'EACCES' || code === 'EPERM' || code === 'EISDIR' || code === 'ENXIO' || code === 'EAGAIN';
}

/** The line cut to MAX_MATCH_LINE_CHARS, keeping the match in view. */
function clip(line: string, at: number): string {
  if (line.length <= MAX_MATCH_LINE_CHARS) return line;
  const start = Math.max(0, Math.min(at - 100, line.length - MAX_MATCH_LINE_CHARS));
  const cut = line.slice(start, start + MAX_MATCH_LINE_CHARS);
  return `${start > 0 ? '…' : ''}${cut}${start + MAX_MATCH_LINE_CHARS < line.length ? '…' : ''}`;
}
