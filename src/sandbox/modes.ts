import { SandboxConfigError } from './errors.ts';
import type { SandboxMode, SandboxSettings } from './types.ts';

/** Every name `--sandbox` and `sandbox_mode` accept: ours, and Codex's (`danger-full-access` is `off`). */
export const SANDBOX_MODE_NAMES = ['workspace-write', 'offline', 'read-only', 'off', 'danger-full-access'] as const;
export type SandboxModeName = (typeof SANDBOX_MODE_NAMES)[number];

/** The default where nothing chooses: the sandbox on, with network. */
export const DEFAULT_SANDBOX_MODE: SandboxMode = 'workspace-write';

/** True when `value` is one of SANDBOX_MODE_NAMES. */
export function isSandboxModeName(value: unknown): value is SandboxModeName {
  return typeof value === 'string' && (SANDBOX_MODE_NAMES as readonly string[]).includes(value);
}

/** The mode a name stands for; throws SandboxConfigError naming `setting` for anything else. */
export function parseSandboxMode(value: string, setting: string): SandboxMode {
  if (!isSandboxModeName(value)) {
    throw new SandboxConfigError(setting, `${setting} ${JSON.stringify(value)} is not a sandbox mode; use one of ${SANDBOX_MODE_NAMES.join(', ')}`);
  }
  return value === 'danger-full-access' ? 'off' : value;
}

/**
 * The mode of a run: the `--sandbox` flag when given (whole: `workspace-write` there means with
 * network), else the configured mode, where `[sandbox_workspace_write] network_access = false`
 * turns `workspace-write` into `offline`, else DEFAULT_SANDBOX_MODE.
 */
export function resolveSandboxMode(flag: string | undefined, settings: Pick<SandboxSettings, 'mode' | 'networkAccess'>): SandboxMode {
  if (flag !== undefined) return parseSandboxMode(flag, '--sandbox');
  const configured = settings.mode === undefined ? DEFAULT_SANDBOX_MODE : parseSandboxMode(settings.mode, 'sandbox_mode');
  return configured === 'workspace-write' && settings.networkAccess === false ? 'offline' : configured;
}
