import { describe, expect, it } from 'vitest';
import { parseSandboxMode, resolveSandboxMode, SandboxConfigError } from '../../../src/sandbox/index.ts';

describe('resolveSandboxMode', () => {
  it('defaults to workspace-write', () => {
    expect(resolveSandboxMode(undefined, {})).toBe('workspace-write');
  });

  it("maps Codex's names: danger-full-access is off, read-only and workspace-write are themselves", () => {
    expect(['workspace-write', 'offline', 'read-only', 'off', 'danger-full-access'].map((m) => parseSandboxMode(m, '--sandbox'))).toEqual(['workspace-write', 'offline', 'read-only', 'off', 'off']);
  });

  it('turns a configured workspace-write without network access into offline; the flag wins whole', () => {
    expect(resolveSandboxMode(undefined, { mode: 'workspace-write', networkAccess: false })).toBe('offline');
    expect(resolveSandboxMode(undefined, { networkAccess: false })).toBe('offline');
    expect(resolveSandboxMode(undefined, { mode: 'read-only', networkAccess: true })).toBe('read-only');
    expect(resolveSandboxMode('workspace-write', { mode: 'off', networkAccess: false })).toBe('workspace-write');
    expect(resolveSandboxMode('danger-full-access', { mode: 'offline' })).toBe('off');
  });

  it('refuses an unknown mode, naming the setting and the modes', () => {
    let err: unknown;
    try {
      resolveSandboxMode(undefined, { mode: 'strict' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SandboxConfigError);
    expect({ setting: (err as SandboxConfigError).setting, message: (err as Error).message }).toEqual({
      setting: 'sandbox_mode',
      message: 'sandbox_mode "strict" is not a sandbox mode; use one of workspace-write, offline, read-only, off, danger-full-access',
    });
  });
});
