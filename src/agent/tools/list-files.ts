import { toolSuccess } from './result.ts';
import { selectFiles } from './select.ts';
import { linesWithinBudget } from './truncate.ts';
import type { Tool, ToolContext, ToolResult } from './types.ts';

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
  const selected = await selectFiles(
    { path: input.path, glob: input.pattern, tool: 'list_files', globLabel: 'glob pattern', notFound: (shown) => `Folder not found: ${shown}. List the parent folder to see what exists.` },
    ctx,
  );
  if (!selected.ok) return selected.result;
  const { files, shown } = selected;
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
