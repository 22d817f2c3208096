/** Errors of the GitHub integration (webhook ingest and publisher). */

export class GitHubError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  constructor(code: string, message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GitHubError';
    this.code = code;
    this.retryable = options?.retryable ?? false;
  }
}

/**
 * A GitHub REST call answered with a non-2xx status (or never answered: status 0). `data` is the
 * body GitHub answered; `rateLimited` says a rate limit refused it, `retryAfterMs` how long GitHub
 * asked to wait.
 */
export class GitHubApiError extends GitHubError {
  readonly statusCode: number;
  readonly method: string;
  readonly path: string;
  readonly data: unknown;
  readonly rateLimited: boolean;
  readonly retryAfterMs: number | undefined;
  constructor(method: string, path: string, statusCode: number, detail: string, options?: { cause?: unknown; data?: unknown; rateLimited?: boolean; retryAfterMs?: number }) {
    const rateLimited = options?.rateLimited ?? false;
    const retryable = statusCode === 0 || statusCode === 429 || statusCode >= 500 || rateLimited;
    super('github_api', `GitHub ${method} ${path} answered ${statusCode || 'nothing'}: ${detail}`, { cause: options?.cause, retryable });
    this.name = 'GitHubApiError';
    this.statusCode = statusCode;
    this.method = method;
    this.path = path;
    this.data = options?.data;
    this.rateLimited = rateLimited;
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** Missing or contradictory configuration (environment, secrets). */
export class GitHubConfigError extends GitHubError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('github_config', message, options);
    this.name = 'GitHubConfigError';
  }
}

/** A task's diff cannot be turned into GitHub changes (does not parse or no longer applies). */
export class PublishConflictError extends GitHubError {
  readonly filePath: string | undefined;
  constructor(message: string, filePath?: string, options?: { cause?: unknown }) {
    super('publish_conflict', message, options);
    this.name = 'PublishConflictError';
    this.filePath = filePath;
  }
}

/** A pull request's stored record kept changing under a compare-and-swap (too many concurrent writers). */
export class PullStateConflictError extends GitHubError {
  readonly key: string;
  constructor(key: string, attempts: number) {
    super('pull_state_conflict', `the record ${key} changed under ${attempts} attempts to update it`, { retryable: true });
    this.name = 'PullStateConflictError';
    this.key = key;
  }
}
