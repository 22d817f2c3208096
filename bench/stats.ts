/** Summary statistics of benchmark samples. */

export interface Summary {
  median: number;
  min: number;
  max: number;
  /** How many samples the figure has. */
  n: number;
}

/** The median of `values` (the mean of the middle two for an even count); NaN when empty. */
export function median(values: number[]): number {
  return percentile(values, 50);
}

/** The p-th percentile (0..100) by linear interpolation between closest ranks; NaN when empty. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

/** Median, min and max of the samples (NaN fields when there are none). */
export function summarise(values: number[]): Summary {
  const finite = values.filter((v) => Number.isFinite(v));
  return { median: median(finite), min: finite.length ? Math.min(...finite) : NaN, max: finite.length ? Math.max(...finite) : NaN, n: finite.length };
}

/** The mean of `values`; NaN when empty. */
export function mean(values: number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Least-squares slope of y over x (NaN with fewer than two distinct x). */
export function slope(points: [number, number][]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = mean(points.map(([x]) => x));
  const my = mean(points.map(([, y]) => y));
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}

/** Mean of `perTurn[t]` over the turns `from..to` (1-based, inclusive) that have a value. */
export function windowMean(perTurn: Map<number, number>, from: number, to: number): number {
  const vals: number[] = [];
  for (let t = from; t <= to; t++) {
    const v = perTurn.get(t);
    if (v !== undefined) vals.push(v);
  }
  return mean(vals);
}
