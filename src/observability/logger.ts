import { Logger } from '@aws-lambda-powertools/logger';

/** What src/ needs of a logger: structured JSON lines, with per-task keys appended and removed. */
export interface Log {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
  appendKeys(keys: Record<string, unknown>): void;
  removeKeys(keys: string[]): void;
}

/**
 * A Powertools Logger (JSON lines; level from POWERTOOLS_LOG_LEVEL / the function's log level
 * unless given). Built once at module scope by each function.
 */
export function createLogger(opts: { serviceName: string; logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT' }): Logger {
  return new Logger({ serviceName: opts.serviceName, ...(opts.logLevel ? { logLevel: opts.logLevel } : {}) });
}

/** A logger that drops everything (tests, library use). */
export const silentLog: Log = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  appendKeys: () => undefined,
  removeKeys: () => undefined,
};

/** Runs `fn` with `keys` appended to every log line, removing them afterwards. */
export async function withLogKeys<T>(log: Log, keys: Record<string, unknown>, fn: () => Promise<T>): Promise<T> {
  log.appendKeys(keys);
  try {
    return await fn();
  } finally {
    log.removeKeys(Object.keys(keys));
  }
}
