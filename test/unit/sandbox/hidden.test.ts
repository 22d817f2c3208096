import { describe, expect, it } from 'vitest';
import { expandHome, hiddenPathsFor, HOME_CREDENTIAL_PATHS, SandboxConfigError } from '../../../src/sandbox/index.ts';

describe('hiddenPathsFor', () => {
  it("hides the issue's credential locations under HOME, container sockets and the user's runtime folder", () => {
    const hidden = hiddenPathsFor({ home: '/home/u', env: {}, uid: 1000 });
    for (const p of ['.aws', '.ssh', '.config/gh', '.docker', '.netrc', '.npmrc', '.git-credentials']) expect(hidden).toContain(`/home/u/${p}`);
    expect(hidden).toEqual([...HOME_CREDENTIAL_PATHS.map((p) => `/home/u/${p}`), '/run/docker.sock', '/run/podman/podman.sock', '/run/user/1000', '/var/run/docker.sock'].sort());
  });

  it('adds the locations the environment names, the configuration file and the configured paths (~ expanded)', () => {
    const env = {
      AWS_SHARED_CREDENTIALS_FILE: '/secrets/aws-creds',
      AWS_CONFIG_FILE: 'relative/ignored',
      SSH_AUTH_SOCK: '/tmp/ssh-x/agent.1',
      KUBECONFIG: '/etc/kube/a:/etc/kube/b',
      XDG_RUNTIME_DIR: '/run/user/1000',
    };
    const hidden = hiddenPathsFor({ home: '/home/u', env, uid: 1000, also: ['/etc/agent-runner.toml'], extra: ['~/.config/op', '/opt/vault/token'] });
    const added = hidden.filter((p) => !HOME_CREDENTIAL_PATHS.some((h) => p === `/home/u/${h}`) && !p.includes('docker.sock') && !p.includes('podman'));
    expect(added).toEqual(['/etc/agent-runner.toml', '/etc/kube/a', '/etc/kube/b', '/home/u/.config/op', '/opt/vault/token', '/run/user/1000', '/secrets/aws-creds', '/tmp/ssh-x/agent.1']);
  });
});

describe('expandHome', () => {
  it('expands ~ and ~/, keeps absolute paths, refuses relative ones', () => {
    expect([expandHome('~', '/h', 's'), expandHome('~/a/b', '/h', 's'), expandHome('/x/../y', '/h', 's')]).toEqual(['/h', '/h/a/b', '/y']);
    expect(() => expandHome('a/b', '/h', 'sandbox_hidden_paths')).toThrow(new SandboxConfigError('sandbox_hidden_paths', 'sandbox_hidden_paths: "a/b" must be an absolute path or start with ~/'));
  });
});
