import { describe, expect, it } from 'vitest';
import { bubblewrapArgs, bubblewrapWrapper, type PathInfo, type SandboxPolicy } from '../../../src/sandbox/index.ts';

const policy = (over: Partial<SandboxPolicy> = {}): SandboxPolicy => ({
  mode: 'workspace-write',
  workspace: '/home/u/src/app',
  writableRoots: [],
  hiddenPaths: [],
  privateTmp: '/tmp/agent-runner-scratch-x/tmp',
  ...over,
});

/** A file system where only `present` exists (path → what it resolves to). */
const view = (present: Record<string, PathInfo>) => (p: string) => present[p];
const none = view({});
const FEATURES = { disableUserns: true };

const BASE = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--bind', '/tmp/agent-runner-scratch-x/tmp', '/tmp'];
const ENV = ['--setenv', 'HOME', '/tmp/home', '--setenv', 'TMPDIR', '/tmp'];
const NS = ['--unshare-user', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try'];
const TAIL = ['--die-with-parent', '--new-session', '--cap-drop', 'ALL'];

describe('bubblewrapArgs', () => {
  it('workspace-write: root read-only, private /tmp, the workspace writable, shared network, no capabilities', () => {
    expect(bubblewrapArgs(policy(), '/home/u/src/app', none, FEATURES)).toEqual([
      ...BASE, '--bind', '/home/u/src/app', '/home/u/src/app', '--chdir', '/home/u/src/app', ...ENV, ...NS, '--disable-userns', ...TAIL,
    ]);
  });

  it('offline adds a network namespace; read-only also binds the workspace read-only and drops writable roots', () => {
    expect(bubblewrapArgs(policy({ mode: 'offline', writableRoots: ['/srv/cache'] }), '/home/u/src/app', none, FEATURES)).toEqual([
      ...BASE, '--bind', '/home/u/src/app', '/home/u/src/app', '--bind', '/srv/cache', '/srv/cache', '--chdir', '/home/u/src/app', ...ENV, ...NS, '--unshare-net', '--disable-userns', ...TAIL,
    ]);
    expect(bubblewrapArgs(policy({ mode: 'read-only', writableRoots: ['/srv/cache'] }), '/home/u/src/app', none, { disableUserns: false })).toEqual([
      ...BASE, '--ro-bind', '/home/u/src/app', '/home/u/src/app', '--chdir', '/home/u/src/app', ...ENV, ...NS, '--unshare-net', ...TAIL,
    ]);
  });

  it('hides existing folders with an empty read-only tmpfs and files with /dev/null, at their real paths, after the workspace', () => {
    const hiddenPaths = ['/home/u/.aws', '/home/u/.netrc', '/home/u/.ssh', '/home/u/src/app/.npmrc', '/run/docker.sock'];
    const lookup = view({
      '/home/u/.aws': { real: '/home/u/.aws', dir: true },
      '/home/u/.netrc': { real: '/home/u/dotfiles/netrc', dir: false },
      '/home/u/src/app/.npmrc': { real: '/home/u/src/app/.npmrc', dir: false },
      '/run/docker.sock': { real: '/run/docker.sock', dir: false },
    });
    expect(bubblewrapArgs(policy({ hiddenPaths }), '/home/u/src/app', lookup, FEATURES)).toEqual([
      ...BASE, '--bind', '/home/u/src/app', '/home/u/src/app',
      '--tmpfs', '/home/u/.aws', '--remount-ro', '/home/u/.aws',
      '--ro-bind', '/dev/null', '/home/u/dotfiles/netrc',
      '--ro-bind', '/dev/null', '/home/u/src/app/.npmrc',
      '--ro-bind', '/dev/null', '/run/docker.sock',
      '--chdir', '/home/u/src/app', ...ENV, ...NS, '--disable-userns', ...TAIL,
    ]);
  });

  it("skips hidden paths under the host's /tmp (not visible anyway) unless bound into the sandbox", () => {
    const lookup = view({
      '/tmp/home/.aws': { real: '/tmp/home/.aws', dir: true },
      '/tmp/ws/.ssh': { real: '/tmp/ws/.ssh', dir: true },
    });
    expect(bubblewrapArgs(policy({ workspace: '/tmp/ws', hiddenPaths: ['/tmp/home/.aws', '/tmp/ws/.ssh'] }), '/tmp/ws', lookup, FEATURES)).toEqual([
      ...BASE, '--bind', '/tmp/ws', '/tmp/ws', '--tmpfs', '/tmp/ws/.ssh', '--remount-ro', '/tmp/ws/.ssh', '--chdir', '/tmp/ws', ...ENV, ...NS, '--disable-userns', ...TAIL,
    ]);
  });

  it("shows the runner's installation read-only when it lies under the host's /tmp, before a workspace inside it, hidden paths in it still hidden", () => {
    const lookup = view({ '/tmp/ci/.env': { real: '/tmp/ci/.env', dir: false } });
    const p = policy({ workspace: '/tmp/ci/ws', readOnlyRoots: ['/usr/local/lib/node', '/tmp/ci'], hiddenPaths: ['/tmp/ci/.env'] });
    expect(bubblewrapArgs(p, '/tmp/ci/ws', lookup, FEATURES)).toEqual([
      ...BASE, '--ro-bind', '/tmp/ci', '/tmp/ci', '--bind', '/tmp/ci/ws', '/tmp/ci/ws', '--ro-bind', '/dev/null', '/tmp/ci/.env', '--chdir', '/tmp/ci/ws', ...ENV, ...NS, '--disable-userns', ...TAIL,
    ]);
  });
});

describe('bubblewrapWrapper', () => {
  it('puts bwrap and its arguments before the command, keeping cwd and environment', () => {
    const wrap = bubblewrapWrapper('/usr/bin/bwrap', policy(), FEATURES, none);
    const cmd = { argv: ['/bin/sh', '-c', 'echo hi'], cwd: '/home/u/src/app/sub', env: { PATH: '/usr/bin' } };
    expect(wrap(cmd)).toEqual({
      argv: ['/usr/bin/bwrap', ...bubblewrapArgs(policy(), '/home/u/src/app/sub', none, FEATURES), '--', '/bin/sh', '-c', 'echo hi'],
      cwd: '/home/u/src/app/sub',
      env: { PATH: '/usr/bin' },
    });
  });
});
