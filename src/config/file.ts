/** Where the user's configuration file lives, and reading it. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './errors.ts';

/** `<home>/.agent-runner/config.toml`: the user's file, outside any workspace. */
export function defaultConfigPath(home: string): string {
  return path.join(home, '.agent-runner', 'config.toml');
}

/**
 * The text of the configuration file at `file`. A missing file gives undefined unless
 * `required` (a path the user named with `--config`), in which case it is a ConfigError, as is
 * any other read failure (a folder, no permission).
 */
export function readConfigFile(file: string, opts: { required?: boolean } = {}): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !opts.required) return undefined;
    const why = code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new ConfigError(`cannot read configuration file ${file}: ${why}`, { file, cause: err });
  }
}
