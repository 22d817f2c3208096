/** A mistake the user can fix (bad flag, unknown profile, no credentials): one line, exit 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** Exit codes of the contract (section 3). */
export const EXIT = { succeeded: 0, failed: 1, usage: 2, limit_reached: 3, rejected: 1, interrupted: 130, terminated: 143 } as const;

/** The exit code for a task status. */
export function exitCodeFor(status: string): number {
  if (status === 'succeeded') return EXIT.succeeded;
  if (status === 'limit_reached') return EXIT.limit_reached;
  return EXIT.failed;
}
