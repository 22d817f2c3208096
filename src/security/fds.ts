import fs from 'node:fs';
import type { IOType, StdioNull, StdioPipe } from 'node:child_process';

type StdioEntry = IOType | StdioNull | StdioPipe | number;

const O_CLOEXEC = 0o2000000;

/**
 * Descriptors of this process, 3 and up, that a child would inherit (opened without O_CLOEXEC,
 * so not by Node, whose descriptors all carry it: inherited from whatever started the process,
 * such as Lambda's telemetry log pipe). Empty where /proc is missing.
 */
export function inheritableDescriptors(procSelf = '/proc/self'): number[] {
  let names: string[];
  try {
    names = fs.readdirSync(`${procSelf}/fd`);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const name of names) {
    const fd = Number(name);
    if (!Number.isInteger(fd) || fd < 3) continue;
    try {
      const flags = /^flags:\s*([0-7]+)/m.exec(fs.readFileSync(`${procSelf}/fdinfo/${fd}`, 'utf8'));
      if (flags && (Number.parseInt(flags[1], 8) & O_CLOEXEC) === 0) out.push(fd);
    } catch {
      // Closed since the listing (the listing's own descriptor, for one).
    }
  }
  return out.sort((a, b) => a - b);
}

let devNull: number | undefined;

/**
 * `base` (the child's stdin, stdout, stderr) extended so that every descriptor in `inherited` is
 * replaced by /dev/null in the child: Node's spawn (libuv) closes nothing on its own, so without
 * this a tool process would get the runner's inherited descriptors.
 */
export function isolatedStdio(base: [StdioEntry, StdioEntry, StdioEntry], inherited: readonly number[]): StdioEntry[] {
  const stdio: StdioEntry[] = [...base];
  if (inherited.length === 0) return stdio;
  devNull ??= fs.openSync('/dev/null', 'r');
  for (let fd = 3; fd <= inherited[inherited.length - 1]; fd++) stdio[fd] = inherited.includes(fd) ? devNull : 'ignore';
  return stdio;
}
