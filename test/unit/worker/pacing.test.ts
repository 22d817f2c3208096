import { describe, expect, it } from 'vitest';
import { maxContinuationsFor, pauseMarginFor } from '../../../src/worker/index.ts';

const budget = (invocationMs: number, over = {}) => ({ invocationMs, hardMarginMs: Math.min(15_000, invocationMs / 8), shellTimeoutMs: 120_000, ...over });

describe('pauseMarginFor', () => {
  it('keeps back what the next turn can need on top of the deadline margin: the longest turn, bounded by the shell timeout, plus the longest save', () => {
    expect([
      pauseMarginFor(budget(900_000), { longestTurnMs: 1000, longestSaveMs: 200 }),
      pauseMarginFor(budget(900_000), { longestTurnMs: 60_000, longestSaveMs: 500 }),
      pauseMarginFor(budget(900_000, { shellTimeoutMs: 30_000 }), { longestTurnMs: 100_000, longestSaveMs: 500 }),
    ]).toEqual([16_200, 75_500, 45_500]);
  });

  it('never keeps back more than a quarter of the invocation, nor more than the configured cap', () => {
    expect([
      pauseMarginFor(budget(120_000), { longestTurnMs: 600_000, longestSaveMs: 5000 }),
      pauseMarginFor(budget(900_000), { longestTurnMs: 600_000, longestSaveMs: 5000 }),
      pauseMarginFor(budget(900_000, { capMs: 40_000 }), { longestTurnMs: 60_000, longestSaveMs: 0 }),
    ]).toEqual([30_000, 140_000, 40_000]);
  });
});

describe('maxContinuationsFor', () => {
  it('allows twice the continuations the time limit needs, plus two', () => {
    expect([maxContinuationsFor(3600, 900_000), maxContinuationsFor(3600, 120_000), maxContinuationsFor(600, 120_000), maxContinuationsFor(60, 1)]).toEqual([10, 62, 12, 122]);
  });
});
