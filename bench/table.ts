/**
 * The results as Markdown (what the README shows): per measurement, figures taken at turns of a
 * long task as one row each with a column per turn, then the others with median, min and max.
 */
import type { Summary } from './stats.ts';
import type { Figure } from './types.ts';

export interface FigureResult extends Figure, Summary {}

export interface MeasurementResult {
  id: string;
  title: string;
  method: string;
  runs: number;
  seconds: number;
  figures: FigureResult[];
  error?: string;
  /** Why it did not run on this machine (not an error). */
  skipped?: string;
}

function format(v: number, digits: number): string {
  if (!Number.isFinite(v)) return '–';
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** `4.28 (3.90–6.31)`: the median with the range of the runs (just the median for one run). */
function cell(f: FigureResult): string {
  const d = f.digits ?? 1;
  const m = format(f.median, d);
  if (f.n < 2) return m;
  const lo = format(f.min, d);
  const hi = format(f.max, d);
  return lo === hi ? m : `${m} (${lo}–${hi})`;
}

function turnTable(figures: FigureResult[]): string[] {
  const turns = [...new Set(figures.map((f) => f.turn!))].sort((a, b) => a - b);
  const rows = [...new Set(figures.map((f) => f.row ?? f.label))];
  const lines = [`| Per turn | ${turns.map((t) => `turn ${t}`).join(' | ')} | Target |`, `|---|${turns.map(() => '---:').join('|')}|---|`];
  for (const row of rows) {
    const of = figures.filter((f) => (f.row ?? f.label) === row);
    const cells = turns.map((t) => {
      const f = of.find((x) => x.turn === t);
      return f ? cell(f) : '';
    });
    lines.push(`| ${row} (${of[0].unit}) | ${cells.join(' | ')} | ${of[0].target ?? ''} |`);
  }
  return lines;
}

function plainTable(figures: FigureResult[]): string[] {
  const lines = ['| Figure | Median | Min | Max | Target |', '|---|---:|---:|---:|---|'];
  for (const f of figures) {
    const d = f.digits ?? 1;
    lines.push(`| ${f.label} (${f.unit}) | ${format(f.median, d)} | ${format(f.min, d)} | ${format(f.max, d)} | ${f.target ?? ''} |`);
  }
  return lines;
}

/** The Markdown of one measurement: a heading, its table(s), or the error that stopped it. */
export function renderMeasurement(m: MeasurementResult): string {
  const head = `#### ${m.title} (${m.runs === 1 ? '1 run' : `median of ${m.runs} runs`})`;
  if (m.error ?? m.skipped) return `${head}\n\nnot measured: ${m.error ?? m.skipped}\n`;
  const perTurn = m.figures.filter((f) => f.turn !== undefined);
  const others = m.figures.filter((f) => f.turn === undefined);
  const parts = [head, ''];
  if (perTurn.length > 0) parts.push(...turnTable(perTurn), '');
  if (others.length > 0) parts.push(...plainTable(others), '');
  return parts.join('\n');
}

/** Every measurement's tables, in order. */
export function renderTables(results: MeasurementResult[]): string {
  return results.map(renderMeasurement).join('\n');
}
