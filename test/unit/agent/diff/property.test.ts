import { describe, expect, it } from 'vitest';
import { applyGitDiffToSnapshot } from '../../../../src/agent/diff/apply-tree.ts';
import { diffSnapshots } from '../../../../src/agent/diff/diff.ts';
import { gitApply, plain } from './helpers.ts';
import { randomEdit, randomTree } from './random-trees.ts';

const SEEDS = Array.from({ length: 40 }, (_, i) => 1000 + i * 7919);

describe('diffSnapshots on random trees with random edits (seeded)', () => {
  it('git apply reproduces the edited tree byte for byte and numstat equals the stats', () => {
    let changedFiles = 0;
    for (const seed of SEEDS) {
      const before = randomTree(seed);
      const after = randomEdit(before, seed);
      const { patch, stats } = diffSnapshots(before, after);
      const result = gitApply(before, patch);
      expect({ seed, tree: plain(result.tree) }).toEqual({ seed, tree: plain(after) });
      expect({ seed, stats }).toEqual({ seed, stats: result.numstat });
      changedFiles += stats.files;
    }
    // The generator must actually produce changes for the property to mean anything.
    expect(changedFiles).toBeGreaterThan(SEEDS.length * 2);
  });

  it('the in-memory applier turns before into after for the same trees', () => {
    for (const seed of SEEDS) {
      const before = randomTree(seed);
      const after = randomEdit(before, seed);
      const { patch } = diffSnapshots(before, after);
      expect({ seed, tree: plain(applyGitDiffToSnapshot(before, patch)) }).toEqual({ seed, tree: plain(after) });
    }
  });
});
