/** This process's peak RSS in KiB: VmHWM where /proc exists, else `process.resourceUsage().maxRSS`. */
export function peakRssKb(): number;
