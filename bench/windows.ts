/** The turns of a long task the per-turn figures stand for, and the window each averages over. */
import type { Figure } from './types.ts';

/** [turn named, first turn, last turn] of each window. */
export const TURN_WINDOWS: [number, number, number][] = [
  [10, 6, 15],
  [100, 96, 105],
  [200, 191, 200],
];

/** One figure per window: keys `<key>@<turn>`, one table row labelled `label`. */
export function perWindow(key: string, label: string, unit: string, digits: number, target?: string): Figure[] {
  return TURN_WINDOWS.map(([at]) => ({ key: `${key}@${at}`, label: `${label} at turn ${at}`, row: label, turn: at, unit, digits, ...(target ? { target } : {}) }));
}
