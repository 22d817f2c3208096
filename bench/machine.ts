/** The machine and code a benchmark ran on, recorded with its results. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface Machine {
  cpu: string;
  cores: number;
  ramGiB: number;
  os: string;
  node: string;
  /** 1-minute load average when the run started and ended: other work on the machine skews the figures. */
  load: [number, number];
}

export interface CodeVersion {
  commit: string;
  /** Uncommitted changes in the working tree when it ran. */
  dirty: boolean;
}

/** CPU model, logical cores, RAM, OS and Node version of this machine; `loadAtStart` is os.loadavg()[0] then. */
export function describeMachine(loadAtStart: number): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    ramGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    load: [round2(loadAtStart), round2(os.loadavg()[0])],
  };
}

/** One line for people: `AMD EPYC, 2 cores, 23.5 GiB RAM, Linux 6.8.0 x64, Node v22.23.3 (load 0.2 → 1.1)`. */
export function machineLine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores, ${m.ramGiB} GiB RAM, ${m.os}, Node ${m.node} (load average ${m.load[0]} at the start, ${m.load[1]} at the end)`;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** The checked-out commit (read-only git commands); `unknown` outside a git checkout. */
export function codeVersion(root: string): CodeVersion {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).trim() !== '';
    return { commit, dirty };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}
