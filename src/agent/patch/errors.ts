/** Errors of apply_patch. All are faults in the patch the model can fix. */

export class PatchError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PatchError';
  }
}

/** The patch text does not follow the format; `line` is 1-based in the patch, when known. */
export class PatchParseError extends PatchError {
  readonly line?: number;
  constructor(message: string, line?: number) {
    super(line === undefined ? `Invalid patch: ${message}` : `Invalid patch hunk on line ${line}: ${message}`);
    this.name = 'PatchParseError';
    this.line = line;
  }
}
