import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildSandboxPolicy, SandboxConfigError } from '../../../src/sandbox/index.ts';

let dir: string;
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function tree() {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-policy-')));
  const home = path.join(dir, 'home');
  for (const d of ['home/.ssh/keys', 'home/cache', 'ws', 'tmp']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.symlinkSync(path.join(home, 'cache'), path.join(home, 'cache-link'));
  return { home, ws: path.join(dir, 'ws'), tmp: path.join(dir, 'tmp') };
}

describe('buildSandboxPolicy', () => {
  it('resolves writable roots (~ and symlinks) and makes HOME inside the private /tmp', () => {
    const t = tree();
    const p = buildSandboxPolicy({ mode: 'workspace-write', workspace: t.ws, home: t.home, writableRoots: ['~/cache-link'], hiddenPaths: [path.join(t.home, '.ssh')], privateTmp: t.tmp });
    expect(p).toEqual({ mode: 'workspace-write', workspace: t.ws, writableRoots: [path.join(t.home, 'cache')], hiddenPaths: [path.join(t.home, '.ssh')], privateTmp: t.tmp });
    expect(fs.statSync(path.join(t.tmp, 'home')).isDirectory()).toBe(true);
  });

  it('refuses a missing writable root, and a workspace or root inside a hidden location', () => {
    const t = tree();
    const opts = { mode: 'workspace-write' as const, workspace: t.ws, home: t.home, writableRoots: [], hiddenPaths: [path.join(t.home, '.ssh')], privateTmp: t.tmp };
    const error = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return err instanceof SandboxConfigError ? { setting: err.setting, message: err.message } : err;
      }
    };
    expect(error(() => buildSandboxPolicy({ ...opts, writableRoots: ['~/nope'] }))).toEqual({ setting: 'writable_roots', message: 'writable_roots: ~/nope is not an existing folder' });
    const keys = path.join(t.home, '.ssh', 'keys');
    expect(error(() => buildSandboxPolicy({ ...opts, workspace: keys }))).toEqual({ setting: 'workspace', message: `workspace ${keys} is inside ${path.join(t.home, '.ssh')}, which the sandbox hides; choose a folder outside it` });
    expect(error(() => buildSandboxPolicy({ ...opts, writableRoots: [keys] }))).toEqual({ setting: 'writable_roots', message: `writable_roots ${keys} is inside ${path.join(t.home, '.ssh')}, which the sandbox hides; choose a folder outside it` });
  });
});
