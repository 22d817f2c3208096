import { describe, expect, it } from 'vitest';
import { blobOid } from '../../../../src/agent/diff/binary.ts';
import { diffSnapshots } from '../../../../src/agent/diff/diff.ts';
import { makeSnapshot } from '../../../../src/agent/diff/memory.ts';
import { corpus } from './corpus.ts';
import { gitApply, plain, rng } from './helpers.ts';
import { growthRatio, LINEAR_4X } from '../../../support/growth.ts';

describe('diffSnapshots: exact output', () => {
  it('is empty with zero stats when nothing changed', () => {
    const s = makeSnapshot({ 'a.txt': 'a\n', 'l': { content: 'a.txt', mode: '120000' } });
    expect(diffSnapshots(s, makeSnapshot({ 'a.txt': 'a\n', 'l': { content: 'a.txt', mode: '120000' } }))).toEqual({ patch: '', stats: { files: 0, additions: 0, deletions: 0 } });
  });

  it('writes a modification with full index line, labels and a 3-line-context hunk', () => {
    const before = makeSnapshot({ 'f.txt': '1\n2\n3\n4\n5\n6\n7\n8\n' });
    const after = makeSnapshot({ 'f.txt': '1\n2\n3\n4\nfive\n6\n7\n8\n' });
    const oid1 = blobOid(before.get('f.txt')!.content);
    const oid2 = blobOid(after.get('f.txt')!.content);
    expect(diffSnapshots(before, after)).toEqual({
      patch: [
        'diff --git a/f.txt b/f.txt',
        `index ${oid1}..${oid2} 100644`,
        '--- a/f.txt',
        '+++ b/f.txt',
        '@@ -2,7 +2,7 @@',
        ' 2', ' 3', ' 4', '-5', '+five', ' 6', ' 7', ' 8', '',
      ].join('\n'),
      stats: { files: 1, additions: 1, deletions: 1 },
    });
  });

  it('writes new, deleted, renamed and mode-changed files with git headers, in path order', () => {
    const before = makeSnapshot({ 'b-old.txt': 'moved\n', 'c.txt': 'bye\n', 'd.sh': 'x\n' });
    const after = makeSnapshot({ 'a.txt': 'hi\n', 'b-new.txt': 'moved\n', 'd.sh': { content: 'x\n', mode: '100755' } });
    expect(diffSnapshots(before, after)).toEqual({
      patch: [
        'diff --git a/a.txt b/a.txt',
        'new file mode 100644',
        `index ${'0'.repeat(40)}..${blobOid(Buffer.from('hi\n'))}`,
        '--- /dev/null',
        '+++ b/a.txt',
        '@@ -0,0 +1 @@',
        '+hi',
        'diff --git a/b-old.txt b/b-new.txt',
        'similarity index 100%',
        'rename from b-old.txt',
        'rename to b-new.txt',
        'diff --git a/c.txt b/c.txt',
        'deleted file mode 100644',
        `index ${blobOid(Buffer.from('bye\n'))}..${'0'.repeat(40)}`,
        '--- a/c.txt',
        '+++ /dev/null',
        '@@ -1 +0,0 @@',
        '-bye',
        'diff --git a/d.sh b/d.sh',
        'old mode 100644',
        'new mode 100755',
        '',
      ].join('\n'),
      stats: { files: 4, additions: 1, deletions: 1 },
    });
  });

  it('marks lines without a trailing newline and quotes non-ASCII names like git', () => {
    const before = makeSnapshot({ 'é.txt': 'a' });
    const after = makeSnapshot({ 'é.txt': 'b' });
    const { patch } = diffSnapshots(before, after);
    expect(patch.split('\n').filter((l) => !l.startsWith('index '))).toEqual([
      'diff --git "a/\\303\\251.txt" "b/\\303\\251.txt"',
      '--- "a/\\303\\251.txt"',
      '+++ "b/\\303\\251.txt"',
      '@@ -1 +1 @@',
      '-a',
      '\\ No newline at end of file',
      '+b',
      '\\ No newline at end of file',
      '',
    ]);
  });

  it('writes binary changes as a GIT binary patch counted as 0/0', () => {
    const before = makeSnapshot({ 'b.bin': Buffer.from([0, 1, 2]) });
    const after = makeSnapshot({ 'b.bin': Buffer.from([0, 1, 2, 3]) });
    const { patch, stats } = diffSnapshots(before, after);
    expect(stats).toEqual({ files: 1, additions: 0, deletions: 0 });
    expect(patch).toMatch(/^diff --git a\/b\.bin b\/b\.bin\nindex [0-9a-f]{40}\.\.[0-9a-f]{40} 100644\nGIT binary patch\nliteral 4\n[^\n]+\n\nliteral 3\n[^\n]+\n\n$/);
  });
});

describe('diffSnapshots: git apply reproduces the tree', () => {
  for (const c of corpus) {
    it(c.name, () => {
      const { patch, stats } = diffSnapshots(c.before, c.after);
      expect(patch).not.toBe('');
      const result = gitApply(c.before, patch);
      expect(plain(result.tree)).toEqual(plain(c.after));
      expect(stats).toEqual(result.numstat);
    });
  }
});

describe('diffSnapshots: work linear in the size', () => {
  // CPU time for 4 times the input, as a ratio (quadratic work would be 16 times); speed itself is `npm run bench`'s.
  const scattered = (lines: number) => {
    const big = Array.from({ length: lines }, (_, i) => `const v${i} = ${i % 7};\n`);
    const edited = big.slice();
    for (let i = 50; i < edited.length; i += 997) edited[i] = `// changed ${i}\n`;
    edited.splice(lines / 20, 0, '}\n', '}\n');
    const rewritten = (tag: string) => Array.from({ length: lines / 5 }, (_, i) => `${tag} ${i % 50}\n`).join('');
    return { before: makeSnapshot({ 'big.js': big.join(''), 'rw.txt': rewritten('a') }), after: makeSnapshot({ 'big.js': edited.join(''), 'rw.txt': rewritten('b') }) };
  };

  it('diffs a file with scattered edits and a fully rewritten one (100k and 20k lines) correctly, in time linear in their size', () => {
    const large = scattered(100_000);
    const { patch, stats } = diffSnapshots(large.before, large.after);
    // 101 edited lines (i = 50, 1047, ... 99747) plus 2 inserted; every line of rw.txt replaced.
    expect(stats).toEqual({ files: 2, additions: 103 + 20_000, deletions: 101 + 20_000 });
    expect(plain(gitApply(large.before, patch).tree)).toEqual(plain(large.after));
    expect(growthRatio(scattered(12_500), scattered(50_000), (c) => diffSnapshots(c.before, c.after), 2)).toBeLessThan(LINEAR_4X);
  });

  it('keeps the diff small on a file without unique lines when the edit budget runs out, in time linear in its size', () => {
    const noUnique = (lines: number, edits: number) => {
      const r = rng(1);
      const a = Array.from({ length: lines }, () => ['{', '}', '', 'x'][Math.floor(r() * 4)]);
      const b = a.slice();
      for (let i = 0; i < edits; i++) b[Math.floor(r() * b.length)] = ['{', '}', '', 'x', 'y'][Math.floor(r() * 5)];
      return { before: makeSnapshot({ 'r.txt': a.join('\n') }), after: makeSnapshot({ 'r.txt': b.join('\n') }) };
    };
    const large = noUnique(50_000, 3000);
    const { patch, stats } = diffSnapshots(large.before, large.after);
    // At most 3000 lines were replaced; a replace-everything fallback would report 50000.
    expect(stats.additions).toBeLessThanOrEqual(3000);
    const applied = gitApply(large.before, patch);
    expect(plain(applied.tree)).toEqual(plain(large.after));
    expect(stats).toEqual(applied.numstat);
    expect(growthRatio(noUnique(12_500, 750), large, (c) => diffSnapshots(c.before, c.after), 2)).toBeLessThan(LINEAR_4X);
  });

  it('encodes a changed binary file (2 MB) in time linear in its size', () => {
    const binary = (bytes: number) => {
      const r = rng(2);
      const big = Buffer.alloc(bytes);
      for (let i = 0; i < big.length; i++) big[i] = Math.floor(r() * 256);
      return { before: makeSnapshot({ 'b.bin': big }), after: makeSnapshot({ 'b.bin': Buffer.concat([big, Buffer.from([1])]) }) };
    };
    const large = binary(2_000_000);
    expect(diffSnapshots(large.before, large.after).stats).toEqual({ files: 1, additions: 0, deletions: 0 });
    expect(growthRatio(binary(500_000), large, (c) => diffSnapshots(c.before, c.after), 2)).toBeLessThan(LINEAR_4X);
  });
});
