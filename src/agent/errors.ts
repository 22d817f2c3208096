/** Errors of the agent loop. */

export class AgentError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AgentError';
    this.code = code;
  }
}

/** The run was cancelled from outside (Ctrl-C, the worker's deadline). */
export class CancelledError extends AgentError {
  constructor(message = 'the run was cancelled', options?: { cause?: unknown }) {
    super('cancelled', message, options);
    this.name = 'CancelledError';
  }
}

/** A checkpoint cannot be restored (missing or unreadable parts, a workspace patch that no longer applies). */
export class ResumeError extends AgentError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('resume_failed', message, options);
    this.name = 'ResumeError';
  }
}
