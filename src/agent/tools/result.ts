import type { ToolResult } from './types.ts';

/** A successful tool result. */
export function toolSuccess(output: string): ToolResult {
  return { status: 'success', output };
}

/** An error result: a fault the model can act on (bad input, missing file, no match...). */
export function toolError(output: string): ToolResult {
  return { status: 'error', output };
}

/** Error codes of file operations that come from the model's request, not from the host. */
const MODEL_FIXABLE_CODES: Record<string, string> = {
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'is a folder, not a file',
  EEXIST: 'already exists',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many levels of symbolic links',
  ENOTEMPTY: 'folder is not empty',
  EINVAL: 'invalid argument',
};

/**
 * The error result for a file-system error caused by the request (ENOENT, EISDIR, EACCES...),
 * or undefined for host faults (EIO, ENOSPC, EMFILE...), which the caller rethrows.
 */
export function fsErrorResult(err: unknown, displayPath: string, action: string): ToolResult | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (!code || !(code in MODEL_FIXABLE_CODES)) return undefined;
  return toolError(`Cannot ${action} ${displayPath}: ${MODEL_FIXABLE_CODES[code]} (${code}).`);
}

/** The errno-style code of an error, if any. */
export function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}
