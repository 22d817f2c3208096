import fs from 'node:fs';
import path from 'node:path';
import type { CommandWrapper, SandboxPolicy } from './types.ts';

/** HOME inside the sandbox: in the run's private /tmp, so it lasts as long as the run. */
export const SANDBOX_HOME = '/tmp/home';

/** Options of the installed bubblewrap that the arguments depend on. */
export interface BubblewrapFeatures {
  /** `--disable-userns` (bubblewrap 0.8): no nested user namespaces inside. */
  disableUserns: boolean;
}

/** What a path is on the host right now: its real path and whether that is a folder. */
export interface PathInfo {
  real: string;
  dir: boolean;
}
export type PathLookup = (p: string) => PathInfo | undefined;

/** The host's view of `p`, symlinks resolved; undefined when it does not exist (or cannot be seen). */
export function lookupPath(p: string): PathInfo | undefined {
  try {
    const real = fs.realpathSync(p);
    return { real, dir: fs.statSync(real).isDirectory() };
  } catch {
    return undefined;
  }
}

/** True when `p` is `dir` or below it (both absolute and normalised). */
export function isWithin(dir: string, p: string): boolean {
  const rel = path.relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * The bubblewrap arguments (everything before `--`) that run a command in `cwd` under `policy`:
 * the host's file system read-only, a new /dev and /proc (its own PID namespace: the runner is not
 * in it), the run's private /tmp with HOME in it, the workspace (and writable roots) writable
 * unless `read-only`, every hidden path that exists (per `lookup`) replaced by an empty read-only
 * folder or /dev/null, its own user, IPC, UTS and cgroup namespaces, a new network namespace
 * unless `workspace-write`, no capabilities, a new session, and killed with its parent.
 */
export function bubblewrapArgs(policy: SandboxPolicy, cwd: string, lookup: PathLookup, features: BubblewrapFeatures): string[] {
  const readOnly = policy.mode === 'read-only';
  const roots = readOnly ? [] : policy.writableRoots;
  // The runner's installation under the host's /tmp comes back read-only over the private /tmp,
  // before the workspace and writable roots, which may lie inside it and stay writable.
  const shown = (policy.readOnlyRoots ?? []).filter((r) => isWithin('/tmp', r));
  const bound = [policy.workspace, ...roots, ...shown];
  const args = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--bind', policy.privateTmp, '/tmp'];
  for (const root of shown) args.push('--ro-bind', root, root);
  args.push(readOnly ? '--ro-bind' : '--bind', policy.workspace, policy.workspace);
  for (const root of roots) args.push('--bind', root, root);
  for (const p of policy.hiddenPaths) {
    const info = lookup(p);
    if (!info) continue;
    // The host's /tmp is not visible at all, except what is bound into the private one.
    if (isWithin('/tmp', info.real) && !bound.some((b) => isWithin(b, info.real))) continue;
    if (info.dir) args.push('--tmpfs', info.real, '--remount-ro', info.real);
    else args.push('--ro-bind', '/dev/null', info.real);
  }
  args.push('--chdir', cwd, '--setenv', 'HOME', SANDBOX_HOME, '--setenv', 'TMPDIR', '/tmp');
  args.push('--unshare-user', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try');
  if (policy.mode !== 'workspace-write') args.push('--unshare-net');
  if (features.disableUserns) args.push('--disable-userns');
  // Root in the sandbox keeps no capabilities, so it cannot undo a mount that hides a path.
  args.push('--die-with-parent', '--new-session', '--cap-drop', 'ALL');
  return args;
}

/**
 * A CommandWrapper running every command under bubblewrap (`bwrap`, an absolute path) with
 * `policy`; hidden paths are looked up again for each command, so one removed meanwhile is skipped
 * rather than failing the command. The environment is passed through (HOME and TMPDIR are set
 * inside).
 */
export function bubblewrapWrapper(bwrap: string, policy: SandboxPolicy, features: BubblewrapFeatures, lookup: PathLookup = lookupPath): CommandWrapper {
  return (cmd) => ({ argv: [bwrap, ...bubblewrapArgs(policy, cmd.cwd, lookup, features), '--', ...cmd.argv], cwd: cmd.cwd, env: cmd.env });
}
