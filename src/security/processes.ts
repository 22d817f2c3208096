/**
 * The process table as /proc shows it, and which of its processes are leftovers of tool commands.
 * Two scopes:
 *
 * - `uid`: the worker is the only legitimate process of its user (Lambda, a container). Every
 *   process of that user started after the worker is a leftover, whatever it did to hide
 *   (setsid, double fork, a cleared environment), but the worker itself and its ancestors. Those
 *   started before it (Lambda extensions, the init process) are left alone.
 * - `marked` (a developer's machine): only processes whose environment carries the worker's tag
 *   (the tool environment sets it; children inherit it) are leftovers, so nothing of the
 *   developer's is ever touched. A process that clears its environment escapes this scope.
 *
 * In both, processes tagged for a task that is still running are spared. A worker running as the
 * root of a host (not of a container or a PID namespace) always sweeps as `marked`: by user, it
 * would kill every newer root process of the machine (a shared CI runner, a developer's shell).
 */
import fs from 'node:fs';

/** The environment variable that tags tool processes: `<worker token>.<task token>`. */
export const TOOL_TAG_VARIABLE = 'AGENT_RUNNER_TOOL_TAG';

export type SweepScope = 'uid' | 'marked';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  uid: number;
  /** Start time, clock ticks after boot (`/proc/<pid>/stat` field 22): with the pid, names one process for good. */
  start: number;
  /** `/proc/<pid>/stat` state letter (Z: zombie, T: stopped). */
  state: string;
  /** The value of TOOL_TAG_VARIABLE in its environment, when readable and set. */
  tag?: string;
}

/** The fields of `/proc/<pid>/stat` (after the command name, which may hold spaces and parentheses). */
function statFields(text: string): string[] | undefined {
  const close = text.lastIndexOf(')');
  return close === -1 ? undefined : text.slice(close + 2).split(' ');
}

/** One process as /proc shows it; undefined when it is gone (or /proc does not have it). */
export function readProcess(pid: number, procRoot = '/proc'): ProcessInfo | undefined {
  try {
    const fields = statFields(fs.readFileSync(`${procRoot}/${pid}/stat`, 'utf8'));
    if (!fields) return undefined;
    const uid = Number(/^Uid:\s+(\d+)/m.exec(fs.readFileSync(`${procRoot}/${pid}/status`, 'utf8'))?.[1] ?? -1);
    // Fields from 3 on (state is field 3): state, ppid (4), ... starttime (22).
    const info: ProcessInfo = { pid, ppid: Number(fields[1]), uid, start: Number(fields[19]), state: fields[0] };
    const tag = readTag(pid, procRoot);
    if (tag !== undefined) info.tag = tag;
    return info;
  } catch {
    return undefined;
  }
}

function readTag(pid: number, procRoot: string): string | undefined {
  let environ: Buffer;
  try {
    environ = fs.readFileSync(`${procRoot}/${pid}/environ`);
  } catch {
    return undefined; // another user's, or gone
  }
  const key = Buffer.from(`${TOOL_TAG_VARIABLE}=`);
  for (let at = 0; at < environ.length; ) {
    let end = environ.indexOf(0, at);
    if (end === -1) end = environ.length;
    if (environ.subarray(at, at + key.length).equals(key)) return environ.toString('utf8', at + key.length, end);
    at = end + 1;
  }
  return undefined;
}

/** Every process in `procRoot`. */
export function listProcesses(procRoot = '/proc'): ProcessInfo[] {
  let names: string[];
  try {
    names = fs.readdirSync(procRoot);
  } catch {
    return [];
  }
  const out: ProcessInfo[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const p = readProcess(Number(name), procRoot);
    if (p) out.push(p);
  }
  return out;
}

/** The worker as the selection needs it. */
export interface SelfInfo {
  pid: number;
  uid: number;
  start: number;
  /** pids of the worker's ancestors (never touched). */
  ancestors: ReadonlySet<number>;
  /**
   * Root in the machine's first PID namespace: a host's root, never Lambda's sandbox user (nor a
   * container's root, which has a namespace of its own). Every newer root process of the machine
   * would count as a leftover by user, so such a worker sweeps only what its tools tagged.
   */
  hostRoot: boolean;
}

/** The inode of the first PID namespace, fixed by the kernel (PROC_PID_INIT_INO). */
const INITIAL_PID_NAMESPACE = 'pid:[4026531836]';

function inInitialPidNamespace(procRoot: string): boolean {
  try {
    return fs.readlinkSync(`${procRoot}/self/ns/pid`) === INITIAL_PID_NAMESPACE;
  } catch {
    return true; // unknown: assume the host, the side that kills less
  }
}

/** This process and its ancestors, from /proc. */
export function selfInfo(procRoot = '/proc'): SelfInfo | undefined {
  const self = readProcess(process.pid, procRoot);
  if (!self) return undefined;
  const ancestors = new Set<number>();
  for (let ppid = self.ppid; ppid > 0 && !ancestors.has(ppid); ) {
    ancestors.add(ppid);
    ppid = readProcess(ppid, procRoot)?.ppid ?? 0;
  }
  return { pid: self.pid, uid: self.uid, start: self.start, ancestors, hostRoot: self.uid === 0 && inInitialPidNamespace(procRoot) };
}

export interface LeftoverRule {
  scope: SweepScope;
  /** This worker's token: tags `<token>.<task>` are its tools'. */
  workerToken: string;
  /** Whether a task token belongs to a task that is still running (its processes are spared). */
  active(taskToken: string): boolean;
}

/**
 * The processes of `table` that are leftovers of tool commands under `rule` (see the module's
 * comment). Pure: the caller lists the table and signals the result. Zombies are left out (they
 * hold nothing but a pid and go with their parent).
 */
export function selectLeftovers(table: readonly ProcessInfo[], self: SelfInfo, rule: LeftoverRule): ProcessInfo[] {
  const prefix = `${rule.workerToken}.`;
  return table.filter((p) => {
    if (p.pid === self.pid || self.ancestors.has(p.pid) || p.state === 'Z' || p.uid !== self.uid) return false;
    const ours = p.tag !== undefined && p.tag.startsWith(prefix);
    if (ours && rule.active(p.tag!.slice(prefix.length))) return false;
    if (ours) return true;
    // Marked: only this worker's tags count (another local run's tools are its own to sweep). By
    // user: a tag proves nothing (a leftover may set one), the start time does.
    if (rule.scope === 'marked' || self.hostRoot) return false;
    return p.start > self.start;
  });
}
