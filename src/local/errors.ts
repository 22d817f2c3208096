/** Errors of the local Lambda runtime (src/local). */
export class LocalError extends Error {
  override name = 'LocalError';
}

/**
 * What a local function needs to run is missing or unusable (the RIC, Node.js 22, Docker, an
 * image): the function cannot run. `code` says which; the message says how to get it.
 */
export class LocalRuntimeError extends LocalError {
  override name = 'LocalRuntimeError';
  readonly code: 'ric_missing' | 'node_missing' | 'bundle_missing' | 'docker_missing' | 'image_missing';

  constructor(code: LocalRuntimeError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
