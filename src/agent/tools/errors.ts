/**
 * Errors of the tools. Tools have two channels: what the model can fix goes back as an error
 * result (see `toolError`); only host faults, cancellation and limits throw these.
 */

export class ToolError extends Error {
  readonly toolName: string;
  constructor(toolName: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ToolError';
    this.toolName = toolName;
  }
}

/** The host failed under the tool (EIO, ENOSPC, spawn failure, a bug): the run cannot go on. */
export class ToolHostError extends ToolError {
  readonly retryable = false;
  constructor(toolName: string, cause: unknown, message?: string) {
    super(toolName, message ?? `${toolName}: host fault: ${describe(cause)}`, { cause });
    this.name = 'ToolHostError';
  }
}

/** The run's signal was aborted (deadline, Ctrl-C) while the tool ran; its work was stopped. */
export class ToolCancelledError extends ToolError {
  constructor(toolName: string, options?: { cause?: unknown }) {
    super(toolName, `${toolName} was cancelled`, options);
    this.name = 'ToolCancelledError';
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
