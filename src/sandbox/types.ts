/** The shapes of the local sandbox: what a command is, and how a wrapper rewrites it. */

/** A command to start: the program and its arguments, its working folder and its whole environment. */
export interface CommandSpec {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
}

/**
 * Rewrites a command so that it runs contained (e.g. under bubblewrap): the result is spawned as
 * is, with the caller's own stdio and process handling.
 */
export type CommandWrapper = (cmd: CommandSpec) => CommandSpec;

/**
 * How the model's commands run on a local machine.
 * - `workspace-write`: sandboxed; the workspace writable, the network as the host has it.
 * - `offline`: as `workspace-write` in a fresh network namespace (no network, not even the host's loopback).
 * - `read-only`: sandboxed, the workspace read-only too, no network (Codex's `read-only`).
 * - `off`: no sandbox; commands run as the user (Codex's `danger-full-access`).
 */
export type SandboxMode = 'workspace-write' | 'offline' | 'read-only' | 'off';

/** What a run does when bubblewrap cannot run: refuse to start, or run commands unsandboxed (saying so). */
export type WhenUnavailable = 'fail' | 'run-unsandboxed';

/** The sandbox settings of the configuration file (`sandbox_*` keys), paths as written (`~/` not expanded). */
export interface SandboxSettings {
  /** `sandbox_mode` (or the older `sandbox` key when it names a mode), as written. */
  mode?: string;
  /** `[sandbox_workspace_write] network_access`: false turns a configured `workspace-write` into `offline`. */
  networkAccess?: boolean;
  /** `[sandbox_workspace_write] writable_roots`: folders writable besides the workspace. */
  writableRoots: string[];
  /** `sandbox_hidden_paths`: hidden in addition to the built-in credential locations. */
  hiddenPaths: string[];
  /** `sandbox_unavailable`. */
  whenUnavailable: WhenUnavailable;
}

/** Everything a bubblewrap sandbox needs, paths absolute. */
export interface SandboxPolicy {
  mode: Exclude<SandboxMode, 'off'>;
  /** Real path of the workspace. */
  workspace: string;
  /** More writable folders (ignored in `read-only`). */
  writableRoots: string[];
  /**
   * The runner's own installation (Node's folder, the package), made visible read-only where it
   * lies under the host's /tmp, which the sandbox replaces: MCP servers and tools started from it
   * must find their files. Elsewhere the read-only root already shows them.
   */
  readOnlyRoots?: string[];
  /** Files and folders made empty inside the sandbox (those missing when a command starts are skipped). */
  hiddenPaths: string[];
  /** A host folder owned by the run, seen as `/tmp` inside; the sandbox's HOME is `/tmp/home`. */
  privateTmp: string;
}
