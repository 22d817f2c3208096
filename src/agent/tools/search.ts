import { closeSync, constants as fsConstants, fstatSync, openSync, readSync } from 'node:fs';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import path from 'node:path';
import { RE2JS } from 're2js';
import { ToolHostError } from './errors.ts';
import { errorCode, toolError, toolSuccess } from './result.ts';
import { selectFiles } from './select.ts';
import { looksBinary } from './text-file.ts';
import { linesWithinBudget } from './truncate.ts';
import type { Tool, ToolContext, ToolResult } from './types.ts';

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
/** Default wall-time budget of one search: past it the search stops with an error result. */
export const SEARCH_BUDGET_MS = 30_000;

export interface SearchToolOptions {
  /** Milliseconds one search may take before it stops with the matches so far (default 30 s). */
  budgetMs?: number;
}

/**
 * The `search` tool (contract section 4). Patterns run on RE2 (re2js), whose matching time is
 * linear in the text: no pattern can make a search backtrack for ever, and the search yields to
 * the event loop between files, so the deadline, cancellation and signals keep working. A search
 * that still runs past its budget ends with an error result holding the matches so far.
 */
export function createSearchTool(opts: SearchToolOptions = {}): Tool {
  const budgetMs = opts.budgetMs ?? SEARCH_BUDGET_MS;
  return { ...SPEC, run: (input: SearchInput, ctx: ToolContext) => search(input, ctx, budgetMs) };
}

const SPEC: Omit<Tool, 'run'> = {
  name: 'search',
  description:
    'Searches the text files under a folder (default: the workspace) for lines matching a regular expression; each match comes back as `file:line:text`, ' +
    `files in path order. Binary files, git-ignored files, .git/ and files over 1 MiB are skipped; lines are cut at ${MAX_MATCH_LINE_CHARS} characters; at most ${MAX_MATCHES} matches, with a note when there are more. ` +
    'The syntax is JavaScript\'s without lookahead, lookbehind or backreferences (RE2: matching takes linear time). A leading "(?i)" makes it case-insensitive. ' +
    'glob limits the files ("*.ts", "src/**/*.py"). Errors: invalid regular expression, missing path, search too long (narrow it).',
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
};

/** The `search` tool with the default budget. */
export const searchTool: Tool = createSearchTool();

interface FileMatches {
  lines: string[];
  skippedLarge: boolean;
}

async function search(input: SearchInput, ctx: ToolContext, budgetMs: number): Promise<ToolResult> {
  const now = ctx.clock;
  const started = now();
  const regex = compile(input.pattern);
  if (typeof regex === 'string') return toolError(regex);
  const selected = await selectFiles(
    { path: input.path, glob: input.glob, tool: 'search', globLabel: 'glob', notFound: (shown) => `Path not found: ${shown}. Use list_files to see what exists.` },
    ctx,
  );
  if (!selected.ok) return selected.result;
  const { files, shown } = selected;

  const lines: string[] = [];
  let searched = 0;
  let skippedLarge = 0;
  let sliceStart = now();
  for (const file of files) {
    if (lines.length > MAX_MATCHES) break;
    if (now() - sliceStart > SLICE_MS) {
      await yieldToEventLoop();
      ctx.signal.throwIfAborted();
      sliceStart = now();
    }
    const r = searchFile(ctx.root, file, regex);
    searched++;
    if (r.skippedLarge) skippedLarge++;
    lines.push(...r.lines);
    if (searched < files.length && now() - started >= budgetMs) {
      const shown = linesWithinBudget(lines.slice(0, MAX_MATCHES), ctx.maxOutputBytes - NOTE_RESERVE);
      return toolError(
        `search stopped after its time budget of ${budgetMs / 1000} s, having searched ${searched} of ${files.length} files; narrow the path or glob, or simplify the pattern. ` +
          `Matches so far:${shown.length ? `\n${shown.join('\n')}` : ' none'}`,
      );
    }
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

/** A compiled pattern: per line, and over a whole file as a quick test (see searchFile). */
interface Pattern {
  line: RE2JS;
  /** The same with `^` and `$` at line ends, or undefined when a whole-text test could miss a line's match. */
  text?: RE2JS;
}

/** The pattern on RE2, or an error message for the model. */
function compile(pattern: string): Pattern | string {
  let source = pattern;
  let flags = 0;
  if (source.startsWith('(?i)')) {
    source = source.slice(4);
    flags = RE2JS.CASE_INSENSITIVE;
  }
  try {
    // The JavaScript spellings RE2 lacks (`\/`, `(?<name>`...) become RE2's.
    const translated = RE2JS.translateRegExp(source);
    const line = RE2JS.compile(translated, flags);
    // `\A` and `\z` mean a line's ends per line but the file's ends over the whole text.
    const text = /\\[Az]/.test(translated) ? undefined : RE2JS.compile(translated, flags | RE2JS.MULTILINE);
    return { line, ...(text ? { text } : {}) };
  } catch (err) {
    return (
      `Invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}. ` +
      "Patterns use RE2 syntax (JavaScript's, without lookahead, lookbehind or backreferences); escape ( ) [ ] { } . * + ? | \\ with a backslash to match them literally."
    );
  }
}

/**
 * Reads synchronously: on many small files this is several times faster than the thread pool,
 * and the caller yields to the event loop every few milliseconds.
 */
function searchFile(root: string, rel: string, regex: Pattern): FileMatches {
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
    // One pass over the whole file finds where the first matching line can be (any line that
    // matches on its own matches there too); most files have none. Not with CRLF: `$` then sits
    // before the \r.
    let from = 0;
    if (regex.text && !text.includes('\r')) {
      if (!regex.text.test(text)) return none;
      from = text.lastIndexOf('\n', matchIndex(regex.text, text) - 1) + 1;
    }
    let n = from === 0 ? 1 : countNewlines(text, from) + 1;
    for (let at = from; at < text.length; n++) {
      let end = text.indexOf('\n', at);
      if (end === -1) end = text.length;
      const line = text.charCodeAt(end - 1) === 13 && end > at ? text.slice(at, end - 1) : text.slice(at, end);
      if (regex.line.test(line)) lines.push(`${rel}:${n}:${clip(line, matchIndex(regex.line, line))}`);
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

/** Where the first match in `text` starts (0 when none). */
function matchIndex(re: RE2JS, text: string): number {
  return (re.exec(text) as RegExpExecArray | null)?.index ?? 0;
}

function countNewlines(text: string, before: number): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < before; i = text.indexOf('\n', i + 1)) count++;
  return count;
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
