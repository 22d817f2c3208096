import { promises as fs } from 'node:fs';
import { ToolHostError } from './errors.ts';
import { createGlobMatcher } from './glob.ts';
import { displayPath, resolveInWorkspace } from './paths.ts';
import { errorCode, toolError } from './result.ts';
import type { ToolContext, ToolResult } from './types.ts';
import { walkWorkspace } from './walk.ts';

/** Which files a tool works through: a path in the workspace and an optional glob, with its messages. */
export interface FileSelection {
  path?: string;
  glob?: string;
  /** The tool, named in a host fault. */
  tool: string;
  /** How the error result names the glob (`Invalid <globLabel> "x": why`). */
  globLabel: string;
  /** The error result for a path that does not exist, given as shown to the model. */
  notFound: (shown: string) => string;
}

/**
 * The workspace files (git-ignored ones and .git/ left out) under `path` that match `glob`, in
 * path order, with the path as shown to the model; or the error result for a path outside the
 * workspace, an invalid glob or a path that does not exist. Other file-system faults throw.
 */
export async function selectFiles(sel: FileSelection, ctx: ToolContext): Promise<{ ok: true; files: string[]; shown: string } | { ok: false; result: ToolResult }> {
  const resolved = await resolveInWorkspace(ctx.root, sel.path ?? '.');
  if (!resolved.ok) return { ok: false, result: toolError(resolved.message) };
  const { abs, rel } = resolved.path;
  const shown = displayPath(rel);
  let matcher: ((p: string) => boolean) | undefined;
  try {
    matcher = sel.glob === undefined ? undefined : createGlobMatcher(sel.glob, rel);
  } catch (err) {
    return { ok: false, result: toolError(`Invalid ${sel.globLabel} ${JSON.stringify(sel.glob)}: ${(err as Error).message}`) };
  }
  try {
    await fs.stat(abs);
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, result: toolError(sel.notFound(shown)) };
    throw new ToolHostError(sel.tool, err);
  }
  const all = await walkWorkspace(ctx.root, { under: rel, signal: ctx.signal });
  return { ok: true, files: matcher ? all.filter(matcher) : all, shown };
}
