import { describe, expect, it } from 'vitest';
import { blobOid } from '../../../../src/agent/diff/binary.ts';
import { diffSnapshots } from '../../../../src/agent/diff/diff.ts';
import { makeSnapshot } from '../../../../src/agent/diff/memory.ts';
import { corpus } from './corpus.ts';
import { gitApply, plain, rng } from './helpers.ts';

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

describe('diffSnapshots: speed', () => {
  it('diffs a 100k-line file with scattered edits and a fully rewritten 20k-line file quickly', () => {
    const big = Array.from({ length: 100_000 }, (_, i) => `const v${i} = ${i % 7};\n`);
    const edited = big.slice();
    for (let i = 50; i < edited.length; i += 997) edited[i] = `// changed ${i}\n`;
    edited.splice(5000, 0, '}\n', '}\n');
    const rewrittenA = Array.from({ length: 20_000 }, (_, i) => `a ${i % 50}\n`).join('');
    const rewrittenB = Array.from({ length: 20_000 }, (_, i) => `b ${i % 50}\n`).join('');
    const before = makeSnapshot({ 'big.js': big.join(''), 'rw.txt': rewrittenA });
    const after = makeSnapshot({ 'big.js': edited.join(''), 'rw.txt': rewrittenB });
    const started = performance.now();
    const { patch, stats } = diffSnapshots(before, after);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(3000);
    // 101 edited lines (i = 50, 1047, ... 99747) plus 2 inserted; every line of rw.txt replaced.
    expect(stats).toEqual({ files: 2, additions: 103 + 20_000, deletions: 101 + 20_000 });
    expect(plain(gitApply(before, patch).tree)).toEqual(plain(after));
  });

  it('keeps the diff small on a file without unique lines when the edit budget runs out', () => {
    const r = rng(1);
    const a = Array.from({ length: 50_000 }, () => ['{', '}', '', 'x'][Math.floor(r() * 4)]);
    const b = a.slice();
    for (let i = 0; i < 3000; i++) b[Math.floor(r() * b.length)] = ['{', '}', '', 'x', 'y'][Math.floor(r() * 5)];
    const before = makeSnapshot({ 'r.txt': a.join('\n') });
    const after = makeSnapshot({ 'r.txt': b.join('\n') });
    const started = performance.now();
    const { patch, stats } = diffSnapshots(before, after);
    expect(performance.now() - started).toBeLessThan(2000);
    // At most 3000 lines were replaced; a replace-everything fallback would report 50000.
    expect(stats.additions).toBeLessThanOrEqual(3000);
    const applied = gitApply(before, patch);
    expect(plain(applied.tree)).toEqual(plain(after));
    expect(stats).toEqual(applied.numstat);
  });

  it('encodes a 5 MB binary file quickly', () => {
    const r = rng(2);
    const big = Buffer.alloc(5_000_000);
    for (let i = 0; i < big.length; i++) big[i] = Math.floor(r() * 256);
    const started = performance.now();
    const { stats } = diffSnapshots(makeSnapshot({ 'b.bin': big }), makeSnapshot({ 'b.bin': Buffer.concat([big, Buffer.from([1])]) }));
    expect(performance.now() - started).toBeLessThan(3000);
    expect(stats).toEqual({ files: 1, additions: 0, deletions: 0 });
  });
});
