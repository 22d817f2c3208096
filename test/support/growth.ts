/**
 * Linearity checks that hold on a loaded machine: how much more work a larger input takes, as a
 * ratio of measurements taken in the same test, never an absolute time. What is measured is the
 * process's CPU time (other processes' load does not count), interleaved, the least of each size
 * kept.
 */

/**
 * The ratio of `run`'s time on `large` to its time on `small`. For inputs 4 times apart, linear
 * work gives about 4 and quadratic work about 16.
 */
export function growthRatio<T>(small: T, large: T, run: (input: T) => unknown, reps = 3): number {
  const best = { small: Infinity, large: Infinity };
  for (let i = 0; i < reps; i++) {
    for (const size of ['small', 'large'] as const) {
      const started = process.cpuUsage();
      run(size === 'small' ? small : large);
      const used = process.cpuUsage(started);
      best[size] = Math.min(best[size], (used.user + used.system) / 1000);
    }
  }
  return best.large / Math.max(best.small, 0.01);
}

/**
 * Linear within noise, for inputs 4 times apart: a ratio under 10. Linear work gives about 4 (up
 * to 8 where a larger heap costs the garbage collector more); quadratic work gives 16.
 */
export const LINEAR_4X = 10;
