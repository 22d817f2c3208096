import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { ToolHostError } from './errors.ts';
import { displayPath, resolveInWorkspace } from './paths.ts';
import { fsErrorResult, toolError, toolSuccess } from './result.ts';
import { fileLooksBinary, numberLine } from './text-file.ts';
import type { Tool, ToolContext, ToolResult } from './types.ts';

export interface ReadFileInput {
  path: string;
  offset?: number;
  limit?: number;
}

export const DEFAULT_READ_LIMIT = 2000;
export const MAX_LINE_CHARS = 2000;
const HALF_LINE = MAX_LINE_CHARS / 2;
const CHUNK_BYTES = 64 * 1024;
/** Past this many bytes read, lines are no longer counted to the end of the file. */
const COUNT_LIMIT_BYTES = 64 * 1024 * 1024;
const NOTE_RESERVE = 300;

const DESCRIPTION = [
  'Reads a text file. Each line comes back as `<n>\\t<text>`, n being the 1-based line number (space padded).',
  `offset is the first line to show (default 1), limit how many (default ${DEFAULT_READ_LIMIT}); lines longer than ${MAX_LINE_CHARS} characters keep their head and tail with a note of how much was cut.`,
  'A note at the end says which offset to use to read on. Errors: the file does not exist, is a folder (use list_files), or is binary.',
].join(' ');

/** The `read_file` tool (contract section 4). */
export const readFileTool: Tool = {
  name: 'read_file',
  description: DESCRIPTION,
  inputSchema: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1, description: 'File path relative to the workspace root.' },
      offset: { type: 'integer', minimum: 1, description: 'First line to read, 1-based (default 1).' },
      limit: { type: 'integer', minimum: 1, description: `Number of lines to read (default ${DEFAULT_READ_LIMIT}).` },
    },
    required: ['path'],
    additionalProperties: false,
  },
  readOnly: true,
  run: readFile,
};

async function readFile(input: ReadFileInput, ctx: ToolContext): Promise<ToolResult> {
  const resolved = await resolveInWorkspace(ctx.root, input.path);
  if (!resolved.ok) return toolError(resolved.message);
  const { abs, rel } = resolved.path;
  const shown = displayPath(rel);
  try {
    const st = await fs.stat(abs);
    if (st.isDirectory()) return toolError(`${shown} is a folder, not a file; use list_files to see what it holds.`);
    if (!st.isFile()) return toolError(`${shown} is not a regular file (device, socket or pipe); read_file reads text files only.`);
    const fh = await fs.open(abs, 'r');
    try {
      if (await fileLooksBinary(fh)) {
        return toolError(`${shown} is a binary file (${st.size} bytes); read_file shows text only. Inspect it with shell (e.g. \`file\`, \`xxd ${shown} | head\`).`);
      }
      return await readLines(fh, shown, input.offset ?? 1, input.limit ?? DEFAULT_READ_LIMIT, ctx);
    } finally {
      await fh.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return toolError(`File not found: ${shown}. Use list_files or search to find the right path.`);
    }
    const result = fsErrorResult(err, shown, 'read');
    if (result) return result;
    throw new ToolHostError('read_file', err);
  }
}

/**
 * One line as it streams in, whatever its length: its first and last MAX_LINE_CHARS / 2
 * characters and its length, so a line of any size costs memory and time linear in its pieces.
 */
class LineCut {
  private head = '';
  private tail = '';
  private length = 0;

  push(piece: string): void {
    this.length += piece.length;
    if (this.head.length < HALF_LINE) {
      const room = HALF_LINE - this.head.length;
      this.head += piece.slice(0, room);
      piece = piece.slice(room);
    }
    if (piece.length === 0) return;
    this.tail += piece;
    // Trimmed only once it holds twice what is kept (one more for a `\r` to drop): each character
    // is copied a bounded number of times.
    if (this.tail.length > 2 * HALF_LINE) this.tail = this.tail.slice(-(HALF_LINE + 1));
  }

  /** The line (without its `\r\n` or `\n`), cut in the middle like long output when too long; resets. */
  take(): string {
    let { head, tail, length } = this;
    if (tail.endsWith('\r')) {
      tail = tail.slice(0, -1);
      length--;
    } else if (tail === '' && head.endsWith('\r')) {
      head = head.slice(0, -1);
      length--;
    }
    this.head = this.tail = '';
    this.length = 0;
    if (length <= MAX_LINE_CHARS) return head + tail;
    const kept = tail.slice(-HALF_LINE);
    return `${head} [... ${length - head.length - kept.length} of ${length} characters cut ...] ${kept}`;
  }
}

/** Streams the file once: formats the wanted lines within the output budget and counts them all. */
async function readLines(fh: FileHandle, shown: string, offset: number, limit: number, ctx: ToolContext): Promise<ToolResult> {
  const budget = Math.max(1024, ctx.maxOutputBytes - NOTE_RESERVE);
  const last = offset + limit - 1;
  const decoder = new StringDecoder('utf8');
  const out: string[] = [];
  let outBytes = 0;
  let collecting = true;
  let budgetHit = false;
  let lineNo = 0;
  let newlines = 0;
  let lastByte = -1;
  let totalKnown = true;
  const line = new LineCut();

  const take = () => {
    lineNo++;
    const text = line.take();
    if (lineNo < offset) return;
    const numbered = numberLine(lineNo, text);
    const bytes = Buffer.byteLength(numbered) + 1;
    if (outBytes + bytes > budget && out.length > 0) {
      collecting = false;
      budgetHit = true;
      return;
    }
    out.push(numbered);
    outBytes += bytes;
    if (lineNo >= last) collecting = false;
  };

  const buf = Buffer.alloc(CHUNK_BYTES);
  for (let pos = 0; ; ) {
    if (ctx.signal.aborted) ctx.signal.throwIfAborted();
    const { bytesRead } = await fh.read(buf, 0, CHUNK_BYTES, pos);
    if (bytesRead === 0) break;
    pos += bytesRead;
    const chunk = buf.subarray(0, bytesRead);
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) newlines++;
    lastByte = chunk[bytesRead - 1];
    if (!collecting) {
      // Counting lines is cheap, but not worth reading a huge file to the end.
      if (pos >= COUNT_LIMIT_BYTES) {
        totalKnown = false;
        break;
      }
      continue;
    }
    // Newlines are looked for in this chunk only, never again in what came before.
    const text = decoder.write(chunk);
    let start = 0;
    for (let i = text.indexOf('\n'); i !== -1 && collecting; i = text.indexOf('\n', start)) {
      line.push(text.slice(start, i));
      take();
      start = i + 1;
    }
    if (collecting) line.push(text.slice(start));
  }
  if (collecting) {
    line.push(decoder.end());
    if (lastByte !== -1 && lastByte !== 10) take();
  }

  const total = newlines + (lastByte !== -1 && lastByte !== 10 ? 1 : 0);
  if (total === 0) return toolSuccess(`(${shown} is empty)`);
  if (offset > total) return toolError(`offset ${offset} is past the end of ${shown}, which has ${total} lines.`);
  const lastShown = offset + out.length - 1;
  let text = out.join('\n');
  if (lastShown < total) {
    const why = budgetHit ? 'output size limit reached' : 'limit reached';
    const of = totalKnown ? `${total}` : `more than ${total}`;
    text += `\n\n(${shown}: showing lines ${offset}-${lastShown} of ${of}; ${why}. Continue with offset=${lastShown + 1}.)`;
  }
  return toolSuccess(text);
}
