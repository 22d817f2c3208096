/** Where the user's configuration file lives. */
import path from 'node:path';

/** `<home>/.agent-runner/config.toml`: the user's file, outside any workspace. */
export function defaultConfigPath(home: string): string {
  return path.join(home, '.agent-runner', 'config.toml');
}
