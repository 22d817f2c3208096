/** Errors of the sandbox module. */
export class SandboxError extends Error {
  override name = 'SandboxError';
}

/** A sandbox setting that cannot be used (unknown mode, relative path, a workspace the sandbox would hide). */
export class SandboxConfigError extends SandboxError {
  override name = 'SandboxConfigError';
  /** The setting at fault (`--sandbox`, `sandbox_mode`, `sandbox_hidden_paths`...). */
  readonly setting: string;
  constructor(setting: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.setting = setting;
  }
}

/** bubblewrap cannot run here: not Linux, not installed, or no user namespaces. */
export class SandboxUnavailableError extends SandboxError {
  override name = 'SandboxUnavailableError';
  /** Off Linux; bwrap missing or broken; present but unable to make namespaces or mounts here. */
  readonly kind: 'unsupported-platform' | 'not-installed' | 'cannot-run';
  /** Why, in one line (`bubblewrap (bwrap) is not installed, or not on PATH`). */
  readonly reason: string;
  constructor(kind: SandboxUnavailableError['kind'], reason: string, options?: { cause?: unknown }) {
    super(`cannot sandbox the model's commands: ${reason}`, options);
    this.kind = kind;
    this.reason = reason;
  }
}
