import { Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';

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

/** The Log view of a Powertools Logger (its extra-attribute type is narrower than ours). */
export function powertoolsLog(logger: Logger): Log {
  const extra = (e?: Record<string, unknown>): LogAttributes[] => (e ? [e as LogAttributes] : []);
  return {
    debug: (m, e) => logger.debug(m, ...extra(e)),
    info: (m, e) => logger.info(m, ...extra(e)),
    warn: (m, e) => logger.warn(m, ...extra(e)),
    error: (m, e) => logger.error(m, ...extra(e)),
    appendKeys: (k) => logger.appendKeys(k as LogAttributes),
    removeKeys: (k) => logger.removeKeys(k),
  };
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
