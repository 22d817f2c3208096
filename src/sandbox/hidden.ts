import path from 'node:path';
import { SandboxConfigError } from './errors.ts';

/**
 * Credential and key locations under the user's home, hidden from every sandboxed command: cloud
 * and registry credentials, SSH and GPG keys, tokens of git, gh, Docker, Kubernetes, npm, PyPI,
 * Cargo, Terraform and Vault, password stores and keyrings, browser profiles (session cookies),
 * shell histories (tokens typed on command lines), and agent-runner's own configuration and runs.
 */
export const HOME_CREDENTIAL_PATHS = [
  '.aws', '.ssh', '.gnupg', '.config/gh', '.config/hub', '.docker', '.kube', '.netrc', '.npmrc', '.git-credentials',
  '.config/git/credentials', '.pypirc', '.cargo/credentials', '.cargo/credentials.toml', '.terraform.d', '.vault-token',
  '.config/gcloud', '.azure', '.password-store', '.local/share/keyrings', '.mozilla', '.config/google-chrome',
  '.config/chromium', '.bash_history', '.zsh_history', '.agent-runner',
] as const;

/** Sockets that act with their owner's authority (a Docker daemon is root on the host). */
const AUTHORITY_SOCKETS = ['/run/docker.sock', '/var/run/docker.sock', '/run/podman/podman.sock'];

/** Variables naming credential files, agent sockets or per-user runtime folders (keyrings, D-Bus). */
const PATH_VARIABLES = ['AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE', 'SSH_AUTH_SOCK', 'GNUPGHOME', 'DOCKER_CONFIG', 'KUBECONFIG', 'XDG_RUNTIME_DIR'];

/** `~` and `~/x` against `home`; absolute paths as they are. Throws SandboxConfigError for anything else. */
export function expandHome(p: string, home: string, setting: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return path.join(home, p.slice(2));
  if (path.isAbsolute(p)) return path.normalize(p);
  throw new SandboxConfigError(setting, `${setting}: ${JSON.stringify(p)} must be an absolute path or start with ~/`);
}

/**
 * Every location to hide for a user with `home` and environment `env`: HOME_CREDENTIAL_PATHS,
 * the files and sockets the environment names (AWS_SHARED_CREDENTIALS_FILE, SSH_AUTH_SOCK,
 * KUBECONFIG, XDG_RUNTIME_DIR or else /run/user/<uid>...), container daemons' sockets, `also`
 * (the runner's configuration file, say) and the configured `extra` (`~/` expanded). Sorted, no
 * duplicates; they need not exist.
 */
export function hiddenPathsFor(opts: { home: string; env: Record<string, string | undefined>; uid?: number; also?: string[]; extra?: string[] }): string[] {
  const out = new Set<string>();
  for (const rel of HOME_CREDENTIAL_PATHS) out.add(path.join(opts.home, rel));
  for (const name of PATH_VARIABLES) {
    for (const p of (opts.env[name] ?? '').split(':')) if (path.isAbsolute(p)) out.add(path.normalize(p));
  }
  if (!opts.env.XDG_RUNTIME_DIR && opts.uid !== undefined) out.add(`/run/user/${opts.uid}`);
  for (const p of AUTHORITY_SOCKETS) out.add(p);
  for (const p of opts.also ?? []) if (path.isAbsolute(p)) out.add(path.normalize(p));
  for (const p of opts.extra ?? []) out.add(expandHome(p, opts.home, 'sandbox_hidden_paths'));
  return [...out].sort();
}
