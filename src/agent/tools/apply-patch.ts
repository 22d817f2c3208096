import { promises as fs } from 'node:fs';
import { applyPlan, formatSummary, parsePatch, planPatch, PatchError, type HostPath, type PatchHost } from '../patch/index.ts';
import { ToolHostError } from './errors.ts';
import { displayPath, resolveInWorkspace } from './paths.ts';
import { errorCode, toolError, toolSuccess } from './result.ts';
import type { Tool, ToolContext, ToolResult } from './types.ts';

export interface ApplyPatchInput {
  patch: string;
}

const DESCRIPTION = [
  'Applies a patch in the Codex apply_patch format to files of the workspace:',
  '"*** Begin Patch", then hunks: "*** Add File: <path>" followed by "+" lines (creates or overwrites); "*** Delete File: <path>";',
  '"*** Update File: <path>", optionally "*** Move to: <new path>", then chunks each starting with "@@" (or "@@ <a line just above the change, e.g. a function signature>"),',
  'holding " " context lines (about 3 before and after), "-" removed and "+" added lines, with "*** End of File" after a chunk that ends the file; then "*** End Patch".',
  'Paths are relative to the workspace. Reports the changed files as "A/M/D path". Hunks apply in order: on an error (lines not found, missing file) the patch stops',
  'there, earlier hunks stay applied, and the message says which; read the file again and retry the rest.',
].join(' ');

/** The `apply_patch` tool (contract section 4). */
export const applyPatchTool: Tool = {
  name: 'apply_patch',
  description: DESCRIPTION,
  inputSchema: {
    type: 'object',
    properties: {
      patch: { type: 'string', minLength: 1, description: 'The whole patch, from "*** Begin Patch" to "*** End Patch".' },
    },
    required: ['patch'],
    additionalProperties: false,
  },
  readOnly: false,
  run: applyPatch,
};

async function applyPatch(input: ApplyPatchInput, ctx: ToolContext): Promise<ToolResult> {
  let hunks;
  try {
    hunks = parsePatch(input.patch);
  } catch (err) {
    if (err instanceof PatchError) return toolError(`${err.message}\nNo files were changed.`);
    throw err;
  }
  try {
    const plan = await planPatch(hunks, workspaceHost(ctx.root));
    ctx.signal.throwIfAborted();
    const outcome = await applyPlan(plan);
    if (!outcome.failure) return toolSuccess(`Success. Updated the following files:\n${formatSummary(outcome.applied)}`);
    const kept = outcome.applied.length
      ? `\nThe hunks before it were applied and remain on disk:\n${formatSummary(outcome.applied)}`
      : '\nNo files were changed.';
    return toolError(`apply_patch failed: ${outcome.failure}${kept}`);
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    throw new ToolHostError('apply_patch', err);
  }
}

/** Patch paths confined to the workspace. */
function workspaceHost(root: string): PatchHost {
  return {
    async resolve(p: string): Promise<HostPath> {
      if (p === '') throw new PatchError('A hunk has an empty path.');
      const real = await resolveInWorkspace(root, p);
      if (!real.ok) throw new PatchError(real.message);
      if (real.path.rel === '') throw new PatchError(`Path ${JSON.stringify(p)} is the workspace root folder, not a file.`);
      const link = await resolveInWorkspace(root, p, { followLast: false });
      if (!link.ok) throw new PatchError(link.message);
      return { abs: real.path.abs, linkAbs: link.path.abs, display: displayPath(link.path.rel) };
    },
    async kind(abs: string) {
      try {
        const st = await fs.stat(abs);
        return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
      } catch (err) {
        const code = errorCode(err);
        if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
        throw err;
      }
    },
    async readFile(abs: string) {
      try {
        return await fs.readFile(abs);
      } catch (err) {
        const code = errorCode(err);
        if (code === 'EACCES' || code === 'EPERM' || code === 'EISDIR' || code === 'ELOOP') throw new PatchError(`Failed to read ${abs}: ${code}.`);
        throw err;
      }
    },
  };
}
