import { UsageError } from './errors.ts';

/** A commander argument parser for a positive whole number; a UsageError naming `flag` otherwise. */
export function positiveInt(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} must be a positive whole number, got ${JSON.stringify(v)}`);
    return n;
  };
}

/** A commander argument parser for a positive number; a UsageError naming `flag` otherwise. */
export function positiveNumber(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number, got ${JSON.stringify(v)}`);
    return n;
  };
}
