import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ToolHostError } from './errors.ts';
import { displayPath, resolveInWorkspace } from './paths.ts';
import { errorCode, fsErrorResult, toolError, toolSuccess } from './result.ts';
import type { Tool, ToolContext, ToolResult } from './types.ts';

export interface WriteFileInput {
  path: string;
  content: string;
}

/** The `write_file` tool (contract section 4). */
export const writeFileTool: Tool = {
  name: 'write_file',
  description:
    'Creates a file, or replaces its whole content, with `content` (UTF-8), creating missing folders. Reports the bytes written. ' +
    'For a small change to an existing file prefer edit_file or apply_patch. Errors: the path is a folder, or a part of it is a file.',
  inputSchema: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1, description: 'File path relative to the workspace root.' },
      content: { type: 'string', description: 'The complete new content of the file.' },
    },
    required: ['path', 'content'],
    additionalProperties: false,
  },
  readOnly: false,
  run: writeFile,
};

async function writeFile(input: WriteFileInput, ctx: ToolContext): Promise<ToolResult> {
  const resolved = await resolveInWorkspace(ctx.root, input.path);
  if (!resolved.ok) return toolError(resolved.message);
  const { abs, rel } = resolved.path;
  const shown = displayPath(rel);
  if (rel === '') return toolError('The path is the workspace root folder; give a file path.');
  try {
    const existing = await fs.stat(abs).catch((err: unknown) => {
      if (errorCode(err) === 'ENOENT') return undefined;
      throw err;
    });
    if (existing?.isDirectory()) return toolError(`${shown} is a folder; give a file path.`);
    await fs.mkdir(path.dirname(abs), { recursive: true });
    const data = Buffer.from(input.content, 'utf8');
    await fs.writeFile(abs, data);
    return toolSuccess(`Wrote ${data.length} bytes to ${shown} (${existing ? 'replaced' : 'created'}).`);
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ENOTDIR' || code === 'EEXIST') return toolError(`Cannot write ${shown}: a part of its folder path is an existing file.`);
    const result = fsErrorResult(err, shown, 'write');
    if (result) return result;
    throw new ToolHostError('write_file', err);
  }
}
