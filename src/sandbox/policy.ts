import fs from 'node:fs';
import path from 'node:path';
import { isWithin, lookupPath, SANDBOX_HOME, type PathLookup } from './bwrap.ts';
import { SandboxConfigError } from './errors.ts';
import { expandHome } from './hidden.ts';
import type { SandboxMode, SandboxPolicy } from './types.ts';

export interface PolicyOptions {
  mode: Exclude<SandboxMode, 'off'>;
  /** Real path of the workspace. */
  workspace: string;
  /** The user's home, for `~/` in writable roots. */
  home: string;
  /** `[sandbox_workspace_write] writable_roots` as configured. */
  writableRoots: string[];
  /** Every location to hide (hiddenPathsFor). */
  hiddenPaths: string[];
  /** An empty host folder owned by the run (mode 0700), to be the sandbox's /tmp. */
  privateTmp: string;
  /** The runner's installation (SandboxPolicy.readOnlyRoots); missing ones are left out. */
  readOnlyRoots?: string[];
}

/**
 * Checks the options and makes the policy: writable roots must exist (they are used by real
 * path), and neither the workspace nor a writable root may lie inside a hidden location, which
 * would hide it. Creates HOME inside `privateTmp`. Throws SandboxConfigError naming the setting.
 */
export function buildSandboxPolicy(opts: PolicyOptions, lookup: PathLookup = lookupPath): SandboxPolicy {
  const writableRoots = opts.writableRoots.map((p) => {
    const info = lookup(expandHome(p, opts.home, 'writable_roots'));
    if (!info?.dir) throw new SandboxConfigError('writable_roots', `writable_roots: ${p} is not an existing folder`);
    return info.real;
  });
  for (const [setting, target] of [['workspace', opts.workspace], ...writableRoots.map((r) => ['writable_roots', r])]) {
    const hider = opts.hiddenPaths.find((h) => isWithin(lookup(h)?.real ?? h, target));
    if (hider) throw new SandboxConfigError(setting, `${setting} ${target} is inside ${hider}, which the sandbox hides; choose a folder outside it`);
  }
  fs.mkdirSync(path.join(opts.privateTmp, path.relative('/tmp', SANDBOX_HOME)), { recursive: true, mode: 0o700 });
  const readOnlyRoots = (opts.readOnlyRoots ?? []).flatMap((p) => {
    const info = lookup(p);
    return info?.dir ? [info.real] : [];
  });
  return { mode: opts.mode, workspace: opts.workspace, writableRoots, hiddenPaths: [...opts.hiddenPaths], privateTmp: opts.privateTmp, ...(readOnlyRoots.length ? { readOnlyRoots } : {}) };
}
