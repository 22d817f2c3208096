/** The resident memory of a process and its descendants, sampled from /proc while they run (Linux). */
import fs from 'node:fs';

function status(pid: number): { rssKb: number; hwmKb: number } | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(text)?.[1] ?? 0);
    return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

function children(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export interface TreeMemory {
  /** Stops sampling; the peak of the whole tree in KiB: the largest sum of resident memory seen, or the root's own peak (VmHWM) if larger. */
  stop(): number;
}

/** Samples `rootPid`'s tree every `everyMs` (and once at once). */
export function watchTreeMemory(rootPid: number, everyMs = 5): TreeMemory {
  let peakSum = 0;
  let rootHwm = 0;
  const sample = () => {
    const root = status(rootPid);
    if (!root) return;
    rootHwm = Math.max(rootHwm, root.hwmKb);
    let sum = root.rssKb;
    const stack = children(rootPid);
    while (stack.length > 0) {
      const pid = stack.pop() as number;
      sum += status(pid)?.rssKb ?? 0;
      stack.push(...children(pid));
    }
    peakSum = Math.max(peakSum, sum);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peakSum, rootHwm);
    },
  };
}
