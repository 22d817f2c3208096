import { promises as fs } from 'node:fs';
import { ToolHostError } from './errors.ts';
import { displayPath, resolveInWorkspace } from './paths.ts';
import { errorCode, fsErrorResult, toolError, toolSuccess } from './result.ts';
import { looksBinary, numberLine, usesCrlf } from './text-file.ts';
import type { Tool, ToolContext, ToolResult } from './types.ts';

export interface EditFileInput {
  path: string;
  old_string: string;
  new_string: string;
  replace_all?: boolean;
}

const SNIPPET_CONTEXT = 3;
const SNIPPET_MAX_LINES = 30;

/** The `edit_file` tool (contract section 4). */
export const editFileTool: Tool = {
  name: 'edit_file',
  description:
    'Replaces `old_string` with `new_string` in an existing file and shows the edited lines. old_string must match the file exactly (whitespace and indentation included) and occur exactly once, ' +
    'unless replace_all is true. The file keeps its line endings. Errors: not found (read_file the file again and copy the exact text), several occurrences (add surrounding lines or set replace_all), missing file (use write_file to create one).',
  inputSchema: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1, description: 'File path relative to the workspace root.' },
      old_string: { type: 'string', description: 'The exact text to replace (non-empty).' },
      new_string: { type: 'string', description: 'The replacement text.' },
      replace_all: { type: 'boolean', description: 'Replace every occurrence instead of requiring exactly one (default false).' },
    },
    required: ['path', 'old_string', 'new_string'],
    additionalProperties: false,
  },
  readOnly: false,
  run: editFile,
};

async function editFile(input: EditFileInput, ctx: ToolContext): Promise<ToolResult> {
  if (input.old_string === '') return toolError('old_string must not be empty; to create a file or replace all of it, use write_file.');
  if (input.old_string === input.new_string) return toolError('old_string and new_string are identical; there is nothing to change.');
  const resolved = await resolveInWorkspace(ctx.root, input.path);
  if (!resolved.ok) return toolError(resolved.message);
  const { abs, rel } = resolved.path;
  const shown = displayPath(rel);
  try {
    const st = await fs.stat(abs);
    if (st.isDirectory()) return toolError(`${shown} is a folder, not a file.`);
    const buf = await fs.readFile(abs);
    if (looksBinary(buf)) return toolError(`${shown} is a binary file; edit_file edits text files only.`);
    const text = buf.toString('utf8');
    const crlf = usesCrlf(text);
    let oldString = input.old_string;
    const newString = crlf ? toCrlf(input.new_string) : input.new_string;
    let count = countOccurrences(text, oldString);
    if (count === 0 && oldString.includes('\n')) {
      // The model may write line endings other than the file's: match with the file's.
      oldString = crlf ? toCrlf(oldString) : oldString.replace(/\r\n/g, '\n');
      count = countOccurrences(text, oldString);
    }
    if (count === 0) return toolError(notFoundMessage(text, input.old_string, shown));
    if (count > 1 && !input.replace_all) {
      return toolError(
        `old_string occurs ${count} times in ${shown}; include more surrounding lines so it matches exactly once, or set replace_all to true to replace all ${count}.`,
      );
    }
    const first = text.indexOf(oldString);
    const updated = input.replace_all ? text.split(oldString).join(newString) : text.slice(0, first) + newString + text.slice(first + oldString.length);
    await fs.writeFile(abs, updated, 'utf8');
    const what = count === 1 ? '1 occurrence' : `${count} occurrences`;
    return toolSuccess(`Replaced ${what} in ${shown}.\n${snippet(updated, first, newString)}`);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return toolError(`File not found: ${shown}. Check the path with list_files, or create the file with write_file.`);
    const result = fsErrorResult(err, shown, 'edit');
    if (result) return result;
    throw new ToolHostError('edit_file', err);
  }
}

function countOccurrences(text: string, needle: string): number {
  let count = 0;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) count++;
  return count;
}

function toCrlf(s: string): string {
  return s.replace(/\r?\n/g, '\r\n');
}

function notFoundMessage(text: string, oldString: string, shown: string): string {
  const squash = (s: string) => s.replace(/\s+/g, ' ').trim();
  const hint = squash(oldString) !== '' && squash(text).includes(squash(oldString)) ? ' A match that differs only in whitespace or indentation exists: copy the exact whitespace.' : '';
  return `old_string was not found in ${shown}.${hint} Read the file again with read_file and copy the exact text, whitespace and indentation included.`;
}

/** The edited region with a few lines around it, numbered like read_file. */
function snippet(text: string, at: number, inserted: string): string {
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  const startLine = text.slice(0, at).split('\n').length;
  const insertedLines = inserted.split('\n').length;
  const from = Math.max(1, startLine - SNIPPET_CONTEXT);
  const to = Math.min(lines.length, startLine + insertedLines - 1 + SNIPPET_CONTEXT, from + SNIPPET_MAX_LINES - 1);
  const out: string[] = [];
  for (let n = from; n <= to; n++) out.push(numberLine(n, lines[n - 1].replace(/\r$/, '')));
  return out.join('\n');
}
