/** Errors of the watch page (capability links, the page's server side). */

export class ViewError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ViewError';
    this.code = code;
  }
}

/** The signing key is missing or unusable (too short, unreadable secret). */
export class ViewKeyError extends ViewError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('view_key', message, options);
    this.name = 'ViewKeyError';
  }
}

/** A link cannot be made: bad base URL, task id or lifetime. */
export class ViewLinkError extends ViewError {
  readonly field: string;
  constructor(field: string, message: string) {
    super('view_link', message);
    this.name = 'ViewLinkError';
    this.field = field;
  }
}
