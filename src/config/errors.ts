/** Errors of the configuration: what the user wrote (or set in the environment) is wrong. */

export class ConfigError extends Error {
  /** The offending key as a dotted path (`profiles.fast.limits.max_turns`) or variable name. */
  readonly key?: string;
  /** The configuration file (or `environment`, `overrides`) the key came from. */
  readonly file?: string;
  constructor(message: string, opts: { key?: string; file?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ConfigError';
    this.key = opts.key;
    this.file = opts.file;
  }
}
