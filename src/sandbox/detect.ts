import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { BubblewrapFeatures } from './bwrap.ts';
import { SandboxUnavailableError } from './errors.ts';
import type { CommandWrapper } from './types.ts';

/** An installed bubblewrap. */
export interface Bubblewrap {
  /** Absolute path of `bwrap`. */
  path: string;
  features: BubblewrapFeatures;
}

const PROBE_TIMEOUT_MS = 15_000;

/**
 * Finds `bwrap` on `pathEnv` (the runner's PATH) and reads which options it has. Throws
 * SandboxUnavailableError (`unsupported-platform` off Linux, `not-installed` when missing or
 * not runnable).
 */
export function findBubblewrap(opts: { platform: NodeJS.Platform; pathEnv: string | undefined }): Bubblewrap {
  if (opts.platform !== 'linux') throw new SandboxUnavailableError('unsupported-platform', `the sandbox uses bubblewrap, which runs only on Linux (this is ${opts.platform})`);
  const found = (opts.pathEnv ?? '')
    .split(path.delimiter)
    .filter((dir) => path.isAbsolute(dir))
    .map((dir) => path.join(dir, 'bwrap'))
    .find((file) => {
      try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
      } catch {
        return false;
      }
    });
  if (!found) throw new SandboxUnavailableError('not-installed', 'bubblewrap (bwrap) is not installed, or not on PATH');
  const help = spawnSync(found, ['--help'], { encoding: 'utf8', timeout: PROBE_TIMEOUT_MS });
  if (help.error || help.status !== 0) {
    throw new SandboxUnavailableError('not-installed', `${found} --help failed: ${help.error?.message ?? firstLine(help.stderr)}`, { cause: help.error });
  }
  return { path: found, features: { disableUserns: help.stdout.includes('--disable-userns') } };
}

/**
 * Starts one empty command through `wrap` in `cwd`, as every tool command will start; throws
 * SandboxUnavailableError (`cannot-run`) with bubblewrap's own message when it fails (no user
 * namespaces, a kernel or a container that forbids them, a mount it cannot make).
 */
export function probeSandbox(wrap: CommandWrapper, cwd: string, env: Record<string, string>): void {
  const cmd = wrap({ argv: ['/bin/sh', '-c', ':'], cwd, env });
  const r = spawnSync(cmd.argv[0], cmd.argv.slice(1), { cwd: cmd.cwd, env: cmd.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: PROBE_TIMEOUT_MS });
  if (r.error || r.status !== 0) {
    const why = r.error?.message ?? (firstLine(r.stderr) || `exit status ${r.status ?? r.signal}`);
    throw new SandboxUnavailableError('cannot-run', `bubblewrap cannot create a sandbox here: ${why}`, { cause: r.error });
  }
}

function firstLine(s: string | undefined): string {
  return (s ?? '').trim().split('\n')[0].slice(0, 300);
}
