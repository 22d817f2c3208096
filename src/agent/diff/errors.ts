/** Errors of the workspace diff and its applier. */

export class DiffError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DiffError';
  }
}

/** The patch text is not a well-formed git-style diff. `line` is 1-based. */
export class PatchParseError extends DiffError {
  readonly line: number;
  constructor(message: string, line: number) {
    super(`${message} (patch line ${line})`);
    this.name = 'PatchParseError';
    this.line = line;
  }
}

/** A file patch does not apply to the tree it was given (content mismatch, missing file, unsafe path). */
export class PatchApplyError extends DiffError {
  readonly path: string;
  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(`${path}: ${message}`, options);
    this.name = 'PatchApplyError';
    this.path = path;
  }
}
