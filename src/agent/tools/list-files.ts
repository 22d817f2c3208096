import { promises as fs } from 'node:fs';
import { ToolHostError } from './errors.ts';
import { createGlobMatcher } from './glob.ts';
import { displayPath, resolveInWorkspace } from './paths.ts';
import { errorCode, toolError, toolSuccess } from './result.ts';
import { linesWithinBudget } from './truncate.ts';
import type { Tool, ToolContext, ToolResult } from './types.ts';
import { walkWorkspace } from './walk.ts';

export interface ListFilesInput {
  path?: string;
  pattern?: string;
}

export const MAX_LISTED_FILES = 2000;
const NOTE_RESERVE = 200;

/** The `list_files` tool (contract section 4). */
export const listFilesTool: Tool = {
  name: 'list_files',
  description:
    'Lists the files under a folder of the workspace, recursively, one workspace-relative path a line, sorted; `.git/` and git-ignored files are left out. ' +
    `pattern is a glob ("*.ts", "src/**/*.test.ts", "{a,b}/*.md"); one without "/" matches file names at any depth. At most ${MAX_LISTED_FILES} paths, with a note when there are more. ` +
    'Errors: the folder does not exist, or the pattern is invalid.',
  inputSchema: {
    type: 'object',
    properties: {
      path: { type: 'string', description: 'Folder relative to the workspace root (default: the root).' },
      pattern: { type: 'string', minLength: 1, description: 'Glob the paths must match, e.g. "*.py" or "src/**/*.ts".' },
    },
    additionalProperties: false,
  },
  readOnly: true,
  run: listFiles,
};

async function listFiles(input: ListFilesInput, ctx: ToolContext): Promise<ToolResult> {
  const resolved = await resolveInWorkspace(ctx.root, input.path ?? '.');
  if (!resolved.ok) return toolError(resolved.message);
  const { abs, rel } = resolved.path;
  const shown = displayPath(rel);
  let matcher: ((p: string) => boolean) | undefined;
  try {
    matcher = input.pattern === undefined ? undefined : createGlobMatcher(input.pattern, rel);
  } catch (err) {
    return toolError(`Invalid glob pattern ${JSON.stringify(input.pattern)}: ${(err as Error).message}`);
  }
  try {
    await fs.stat(abs);
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return toolError(`Folder not found: ${shown}. List the parent folder to see what exists.`);
    throw new ToolHostError('list_files', err);
  }
  const all = await walkWorkspace(ctx.root, { under: rel, signal: ctx.signal });
  const files = matcher ? all.filter(matcher) : all;
  if (files.length === 0) {
    const what = input.pattern ? ` matching ${JSON.stringify(input.pattern)}` : '';
    return toolSuccess(`No files${what} under ${shown} (git-ignored files and .git/ are left out).`);
  }
  const shownFiles = linesWithinBudget(files.slice(0, MAX_LISTED_FILES), ctx.maxOutputBytes - NOTE_RESERVE);
  let text = shownFiles.join('\n');
  if (files.length > shownFiles.length) {
    text += `\n\n(${files.length} files in all; the first ${shownFiles.length} are shown. Narrow the listing with path or pattern.)`;
  }
  return toolSuccess(text);
}
