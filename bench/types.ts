/** The shapes shared by the benchmarks, the runner and the table printer. */

/** One figure a benchmark reports: a row of the table. */
export interface Figure {
  key: string;
  label: string;
  unit: string;
  /** The goal, as people read it (`< 2 ms`); absent when the figure is context only. */
  target?: string;
  /** Decimals shown (default 1). */
  digits?: number;
  /** For a figure taken at a turn of a long task: the turn; figures of one `row` share a table row. */
  turn?: number;
  row?: string;
}

export interface BenchContext {
  /** The repository root. */
  root: string;
  /** Bundles built for this run: `<distDir>/<fn>/index.mjs`. */
  distDir: string;
  /** A scratch folder removed when the run ends. */
  tmp: string;
  quick: boolean;
  /** Progress lines for the person running the benchmark (stderr). */
  log(line: string): void;
}

/** One measurement: `measure` runs it `runs` times and returns one sample (figure key → value) per run. */
export interface Measurement {
  id: string;
  title: string;
  /** How it is measured, in a sentence or two (printed under the table and kept in the JSON). */
  method: string;
  figures: Figure[];
  /** Runs without `--runs` (the median is taken over them). */
  defaultRuns: number;
  /** Why it cannot run on this machine (a missing engine...): then it is reported as not measured, not as failed. */
  unavailable?(): string | undefined;
  measure(ctx: BenchContext, runs: number): Promise<Record<string, number>[]>;
}
