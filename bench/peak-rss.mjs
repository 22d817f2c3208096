// The peak resident memory of this process, in KiB. /proc/self/status's VmHWM belongs to this
// process's own memory; getrusage's maxRSS does not on Linux: it survives exec, so a child spawned
// by a bigger parent reports at least the parent's size at the fork.
import fs from 'node:fs';

/** This process's peak RSS in KiB: VmHWM where /proc exists, else `process.resourceUsage().maxRSS`. */
export function peakRssKb() {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]);
  } catch {
    // no /proc: fall back
  }
  return process.resourceUsage().maxRSS;
}
