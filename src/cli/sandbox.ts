import os from 'node:os';
import { createToolRegistry, defaultTools, type ToolRegistry } from '../agent/tools/index.ts';
import {
  buildSandboxPolicy, bubblewrapWrapper, findBubblewrap, hiddenPathsFor, parseSandboxMode, probeSandbox, resolveSandboxMode,
  SandboxConfigError, SandboxUnavailableError, type CommandWrapper, type SandboxMode, type SandboxSettings,
} from '../sandbox/index.ts';
import { UsageError } from './errors.ts';

export interface LocalSandboxOptions {
  /** `--sandbox` as given. */
  flag?: string;
  settings: SandboxSettings;
  /** Real path of the workspace. */
  workspace: string;
  /** An empty folder of the run's own, to be the sandbox's /tmp (and HOME's parent). */
  privateTmp: string;
  /** The runner's environment (HOME, PATH to find bwrap, variables naming credential files). */
  env: NodeJS.ProcessEnv;
  /** The tools' environment, for the probe. */
  toolEnv: Record<string, string>;
  platform: NodeJS.Platform;
  uid?: number;
  /** The configuration file in use, hidden too. */
  configPath?: string;
  /** The runner's installation (Node's folder, the package): readable inside even under /tmp. */
  runnerRoots?: string[];
}

export interface LocalSandbox {
  /** The mode asked for (by flag, configuration or default). */
  mode: SandboxMode;
  /** Wraps every tool command; absent when commands run unsandboxed. */
  wrapCommand?: CommandWrapper;
  /** Said once on stderr: the sandbox is off, or unavailable and the configuration lets the run go on. */
  notices: string[];
  /** `read-only`: the tools that cannot write (shell, read_file, list_files, search); else the defaults. */
  tools?: ToolRegistry;
}

const OPT_OUT = 'To run them unsandboxed, as you, on purpose: --sandbox off, or sandbox_unavailable = "run-unsandboxed" in the configuration file.';
const HINTS: Record<SandboxUnavailableError['kind'], (platform: string) => string> = {
  'not-installed': () => 'Install bubblewrap: sudo apt-get install bubblewrap (Debian, Ubuntu), sudo dnf install bubblewrap (Fedora), sudo pacman -S bubblewrap (Arch).',
  'cannot-run': () => 'bubblewrap needs unprivileged user namespaces: sysctl user.max_user_namespaces above 0, kernel.unprivileged_userns_clone=1 (older Debian kernels), kernel.apparmor_restrict_unprivileged_userns=0 (Ubuntu 24.04); inside a container, run agent-runner outside it or let the container create namespaces.',
  'unsupported-platform': (platform) => `There is no sandbox for ${platform} yet; run agent-runner in a Linux VM or container.`,
};

/** Commander's parser for `--sandbox`: the value as given once it names a mode, else a UsageError listing them. */
export function sandboxModeArg(value: string): string {
  try {
    parseSandboxMode(value, '--sandbox');
    return value;
  } catch (err) {
    if (err instanceof SandboxConfigError) throw new UsageError(err.message, { cause: err });
    throw err;
  }
}

/**
 * Decides how `agent-runner run` runs the model's commands: resolves the mode (flag, then
 * configuration, then `workspace-write`), and for a sandboxed mode finds bubblewrap, builds the
 * policy (workspace, private /tmp and HOME, hidden credential locations) and starts one empty
 * command through it. Where bubblewrap cannot run, the run goes on unsandboxed only when the
 * configuration says `sandbox_unavailable = "run-unsandboxed"`, with a notice; otherwise a
 * UsageError says why and how to install bubblewrap or opt out. Bad settings are UsageErrors.
 */
export function setUpLocalSandbox(opts: LocalSandboxOptions): LocalSandbox {
  try {
    const mode = resolveSandboxMode(opts.flag, opts.settings);
    const tools = mode === 'read-only' ? createToolRegistry(defaultTools().filter((t) => t.readOnly || t.name === 'shell')) : undefined;
    if (mode === 'off') {
      return { mode, notices: ["sandbox off: the model's commands run unsandboxed, as you: they can read your keys (~/.ssh, ~/.aws...), write wherever you can and use the network"] };
    }
    const home = opts.env.HOME || os.homedir();
    try {
      const bwrap = findBubblewrap({ platform: opts.platform, pathEnv: opts.env.PATH });
      const policy = buildSandboxPolicy({
        mode,
        workspace: opts.workspace,
        home,
        writableRoots: opts.settings.writableRoots,
        hiddenPaths: hiddenPathsFor({ home, env: opts.env, uid: opts.uid, also: opts.configPath ? [opts.configPath] : [], extra: opts.settings.hiddenPaths }),
        privateTmp: opts.privateTmp,
        readOnlyRoots: opts.runnerRoots,
      });
      const wrapCommand = bubblewrapWrapper(bwrap.path, policy, bwrap.features);
      probeSandbox(wrapCommand, opts.workspace, opts.toolEnv);
      return { mode, wrapCommand, notices: [], ...(tools ? { tools } : {}) };
    } catch (err) {
      if (!(err instanceof SandboxUnavailableError)) throw err;
      if (opts.settings.whenUnavailable !== 'run-unsandboxed') {
        throw new UsageError(`${err.message}.\n  ${HINTS[err.kind](opts.platform)}\n  ${OPT_OUT}`, { cause: err });
      }
      const notice = `sandbox unavailable (${err.reason}); the model's commands run unsandboxed, as you, because the configuration sets sandbox_unavailable = "run-unsandboxed"`;
      return { mode, notices: [notice], ...(tools ? { tools } : {}) };
    }
  } catch (err) {
    if (err instanceof SandboxConfigError) throw new UsageError(err.message, { cause: err });
    throw err;
  }
}
