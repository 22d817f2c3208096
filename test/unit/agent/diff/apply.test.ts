import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyGitDiffToDir } from '../../../../src/agent/diff/apply-dir.ts';
import { applyGitDiffToSnapshot } from '../../../../src/agent/diff/apply-tree.ts';
import { applyFilePatch } from '../../../../src/agent/diff/apply.ts';
import { blobOid } from '../../../../src/agent/diff/binary.ts';
import { diffSnapshots } from '../../../../src/agent/diff/diff.ts';
import { PatchApplyError, PatchParseError } from '../../../../src/agent/diff/errors.ts';
import { makeSnapshot } from '../../../../src/agent/diff/memory.ts';
import { parseGitDiff } from '../../../../src/agent/diff/parse.ts';
import type { FilePatch, Snapshot } from '../../../../src/agent/diff/types.ts';
import { corpus } from './corpus.ts';
import { emptyDirs, git, gitRaw, materialise, plain, readTree, rng, tempDir } from './helpers.ts';

const dirs: string[] = [];
function treeDir(s: Snapshot): string {
  const dir = tempDir('apply-dir-');
  dirs.push(dir);
  materialise(s, dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** git's own diff (`git diff --binary -M`, so binary deltas and partial renames) from before to after. */
function gitDiff(before: Snapshot, after: Snapshot): Buffer {
  const repo = treeDir(before);
  git(['init', '-q'], repo);
  git(['add', '-A'], repo);
  git(['commit', '-q', '-m', 'before'], repo);
  for (const name of readdirSync(repo)) if (name !== '.git') rmSync(path.join(repo, name), { recursive: true });
  materialise(after, repo);
  git(['add', '-A'], repo);
  return gitRaw(['diff', '--cached', '--binary', '-M', 'HEAD'], repo);
}

describe('parseGitDiff', () => {
  it('reads headers, modes, renames, hunks and no-newline markers into file patches', () => {
    const patch = [
      'diff --git a/a.txt b/a.txt',
      'index 1111111..2222222 100644',
      '--- a/a.txt',
      '+++ b/a.txt',
      '@@ -1,2 +1,2 @@',
      ' keep',
      '-old',
      '\\ No newline at end of file',
      '+new',
      'diff --git "a/sp ace\\303\\251" "b/sp ace\\303\\251"',
      'old mode 100644',
      'new mode 100755',
      'diff --git a/from x b/to x',
      'similarity index 90%',
      'rename from from x',
      'rename to to x',
      'index 3333333..4444444',
      '--- a/from x\t',
      '+++ b/to x\t',
      '@@ -3 +3 @@',
      '-c',
      '+C',
      'diff --git a/gone b/gone',
      'deleted file mode 120000',
      'index 5555555..0000000',
      '--- a/gone',
      '+++ /dev/null',
      '@@ -1 +0,0 @@',
      '-target',
      '\\ No newline at end of file',
      '',
    ].join('\n');
    const expected: FilePatch[] = [
      {
        status: 'modified', oldPath: 'a.txt', newPath: 'a.txt', oldMode: '100644', newMode: '100644', oldOid: '1111111', newOid: '2222222',
        hunks: [{ oldStart: 1, oldLines: 2, newStart: 1, newLines: 2, lines: [{ op: ' ', text: 'keep', eol: true }, { op: '-', text: 'old', eol: false }, { op: '+', text: 'new', eol: true }] }],
      },
      { status: 'modified', oldPath: 'sp aceé', newPath: 'sp aceé', oldMode: '100644', newMode: '100755', hunks: [] },
      {
        status: 'renamed', oldPath: 'from x', newPath: 'to x', similarity: 90, oldOid: '3333333', newOid: '4444444',
        hunks: [{ oldStart: 3, oldLines: 1, newStart: 3, newLines: 1, lines: [{ op: '-', text: 'c', eol: true }, { op: '+', text: 'C', eol: true }] }],
      },
      {
        status: 'deleted', oldPath: 'gone', oldMode: '120000', newMode: undefined, oldOid: '5555555', newOid: '0000000',
        hunks: [{ oldStart: 1, oldLines: 1, newStart: 0, newLines: 0, lines: [{ op: '-', text: 'target', eol: false }] }],
      },
    ];
    expect(parseGitDiff(patch)).toEqual(expected);
  });

  it('reads a plain unified diff without git headers', () => {
    expect(parseGitDiff('--- a/x.txt\n+++ b/x.txt\n@@ -1 +1 @@\n-a\n+b\n')).toEqual([
      { status: 'modified', oldPath: 'x.txt', newPath: 'x.txt', hunks: [{ oldStart: 1, oldLines: 1, newStart: 1, newLines: 1, lines: [{ op: '-', text: 'a', eol: true }, { op: '+', text: 'b', eol: true }] }] },
    ]);
  });

  it('rejects a hunk cut short, naming the line', () => {
    const bad = 'diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n-b\n';
    expect(() => parseGitDiff(bad)).toThrow(new PatchParseError('patch ends inside a hunk', 7));
  });

  it('rejects corrupt binary data', () => {
    const bad = 'diff --git a/b b/b\nindex 1..2\nGIT binary patch\nliteral 3\nzzzzz\n\n';
    expect(() => parseGitDiff(bad)).toThrow(PatchParseError);
  });
});

describe('applyFilePatch', () => {
  const [patch] = parseGitDiff(diffSnapshots(makeSnapshot({ f: 'a\nb\nc\nd\n' }), makeSnapshot({ f: 'a\nB\nc\nd\n' })).patch);

  it('applies at the stated line and also when the hunk moved', () => {
    expect(applyFilePatch(Buffer.from('a\nb\nc\nd\n'), patch)?.toString()).toBe('a\nB\nc\nd\n');
    expect(applyFilePatch(Buffer.from('new top\nx\na\nb\nc\nd\n'), patch)?.toString()).toBe('new top\nx\na\nB\nc\nd\n');
  });

  it('keeps the bytes of untouched lines that are not UTF-8', () => {
    const old = Buffer.concat([Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from('a\nb\nc\nd\n')]);
    expect(applyFilePatch(old, patch)).toEqual(Buffer.concat([Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from('a\nB\nc\nd\n')]));
  });

  it('fails when the context does not match, or the file is missing', () => {
    expect(() => applyFilePatch(Buffer.from('a\nX\nc\nd\n'), patch)).toThrow(new PatchApplyError('f', 'hunk #1 (@@ -1,4) does not match the file'));
    expect(() => applyFilePatch(undefined, patch)).toThrow(new PatchApplyError('f', 'does not exist'));
  });

  it('returns null for a deletion and refuses a deletion of a different file', () => {
    const [del] = parseGitDiff(diffSnapshots(makeSnapshot({ f: 'x\n' }), makeSnapshot({})).patch);
    expect(applyFilePatch(Buffer.from('x\n'), del)).toBeNull();
    expect(() => applyFilePatch(Buffer.from('x\ny\n'), del)).toThrow(PatchApplyError);
  });

  it('checks a binary patch against the blob id of the file', () => {
    const before = Buffer.from([0, 1, 2]);
    const [bin] = parseGitDiff(diffSnapshots(makeSnapshot({ b: before }), makeSnapshot({ b: Buffer.from([0, 9]) })).patch);
    expect(applyFilePatch(before, bin)).toEqual(Buffer.from([0, 9]));
    expect(() => applyFilePatch(Buffer.from([0, 1, 3]), bin)).toThrow(new PatchApplyError('b', `binary patch expects blob ${blobOid(before)}, the file is ${blobOid(Buffer.from([0, 1, 3]))}`));
  });
});

describe('applyGitDiffToDir', () => {
  for (const c of corpus) {
    it(`reproduces the tree: ${c.name}`, async () => {
      const dir = treeDir(c.before);
      const { patch } = diffSnapshots(c.before, c.after);
      const touched = new Set(parseGitDiff(patch).flatMap((p) => [p.oldPath, p.newPath]).filter((p): p is string => p !== undefined));
      const { changed } = await applyGitDiffToDir(dir, patch);
      expect(plain(readTree(dir))).toEqual(plain(c.after));
      expect(changed).toEqual([...touched].sort());
      expect(emptyDirs(dir)).toEqual([]);
    });
  }

  it("applies git's own diffs (binary deltas, partial renames) for the corpus", async () => {
    const r = rng(7);
    const blob = Buffer.from(Array.from({ length: 20_000 }, () => Math.floor(r() * 256)));
    const edited = Buffer.from(blob);
    edited[100] ^= 0xff;
    edited.write('inserted', 15_000);
    const cases = [...corpus, {
      before: makeSnapshot({ 'big.bin': blob, 'doc.txt': Array.from({ length: 30 }, (_, i) => `l${i}\n`).join('') }),
      after: makeSnapshot({ 'big.bin': edited, 'moved/doc.txt': Array.from({ length: 30 }, (_, i) => (i === 3 ? 'changed\n' : `l${i}\n`)).join('') }),
    }];
    const patches = cases.map((c) => gitDiff(c.before, c.after));
    expect(patches[patches.length - 1].toString('utf8')).toMatch(/\ndelta \d+\n[\s\S]*\nsimilarity index 9\d%\nrename from doc\.txt\n/);
    for (const [i, c] of cases.entries()) {
      const dir = treeDir(c.before);
      await applyGitDiffToDir(dir, patches[i]);
      expect(plain(readTree(dir))).toEqual(plain(c.after));
    }
  });

  it('writes nothing when a later file does not match', async () => {
    const before = makeSnapshot({ 'a.txt': 'a\n', 'b.txt': 'b\n' });
    const { patch } = diffSnapshots(before, makeSnapshot({ 'a.txt': 'A\n', 'b.txt': 'B\n', 'c.txt': 'c\n' }));
    const dir = treeDir(makeSnapshot({ 'a.txt': 'a\n', 'b.txt': 'changed meanwhile\n' }));
    await expect(applyGitDiffToDir(dir, patch)).rejects.toThrow(new PatchApplyError('b.txt', 'hunk #1 (@@ -1,1) does not match the file'));
    expect(plain(readTree(dir))).toEqual(plain(makeSnapshot({ 'a.txt': 'a\n', 'b.txt': 'changed meanwhile\n' })));
  });

  it('refuses an added file that already exists and a changed file that is missing', async () => {
    const dir = treeDir(makeSnapshot({ 'new.txt': 'here\n' }));
    await expect(applyGitDiffToDir(dir, diffSnapshots(makeSnapshot({}), makeSnapshot({ 'new.txt': 'x\n' })).patch)).rejects.toThrow(new PatchApplyError('new.txt', 'already exists'));
    await expect(applyGitDiffToDir(dir, diffSnapshots(makeSnapshot({ 'm.txt': 'a\n' }), makeSnapshot({ 'm.txt': 'b\n' })).patch)).rejects.toThrow(new PatchApplyError('m.txt', 'does not exist'));
  });

  it.each([
    ['../escape.txt'],
    ['a/../../escape.txt'],
    ['.git/hooks/pre-commit'],
    ['sub/.GIT/config'],
  ])('refuses the path %s', async (name) => {
    const base = tempDir('apply-escape-');
    dirs.push(base);
    const dir = path.join(base, 'tree');
    mkdirSync(dir);
    const patch = `diff --git a/${name} b/${name}\nnew file mode 100644\n--- /dev/null\n+++ b/${name}\n@@ -0,0 +1 @@\n+x\n`;
    await expect(applyGitDiffToDir(dir, patch)).rejects.toThrow(new PatchApplyError(name, 'path is outside the tree or not allowed'));
    expect(existsSync(path.join(base, 'escape.txt'))).toBe(false);
  });

  it('refuses to write through a symlinked folder', async () => {
    const base = tempDir('apply-link-');
    dirs.push(base);
    const dir = path.join(base, 'tree');
    mkdirSync(path.join(base, 'outside'));
    mkdirSync(dir);
    symlinkSync('../outside', path.join(dir, 'link'));
    const patch = 'diff --git a/link/x b/link/x\nnew file mode 100644\n--- /dev/null\n+++ b/link/x\n@@ -0,0 +1 @@\n+x\n';
    await expect(applyGitDiffToDir(dir, patch)).rejects.toThrow(new PatchApplyError('link/x', 'path goes through the symbolic link link'));
    expect(existsSync(path.join(base, 'outside', 'x'))).toBe(false);
  });

  it('keeps an untouched file mode and sets modes of new files', async () => {
    const dir = treeDir(makeSnapshot({ 's.sh': { content: 'a\n', mode: '100755' } }));
    writeFileSync(path.join(dir, 'ignored.log'), 'not in the patch');
    const { patch } = diffSnapshots(makeSnapshot({ 's.sh': { content: 'a\n', mode: '100755' } }), makeSnapshot({ 's.sh': { content: 'b\n', mode: '100755' }, 't.sh': { content: 't\n', mode: '100755' } }));
    expect(await applyGitDiffToDir(dir, patch)).toEqual({ changed: ['s.sh', 't.sh'] });
    expect(plain(readTree(dir))).toEqual(plain(makeSnapshot({ 's.sh': { content: 'b\n', mode: '100755' }, 't.sh': { content: 't\n', mode: '100755' }, 'ignored.log': 'not in the patch' })));
    expect(readFileSync(path.join(dir, 'ignored.log'), 'utf8')).toBe('not in the patch');
  });
});

describe('applyGitDiffToSnapshot', () => {
  it('applies to files held in memory without changing the input', () => {
    const before = makeSnapshot({ 'a.txt': 'a\n', 'old.txt': 'o\n' });
    const after = makeSnapshot({ 'a.txt': 'a2\n', 'new.txt': 'o\n' });
    const result = applyGitDiffToSnapshot(before, diffSnapshots(before, after).patch);
    expect(plain(result)).toEqual(plain(after));
    expect(plain(before)).toEqual(plain(makeSnapshot({ 'a.txt': 'a\n', 'old.txt': 'o\n' })));
  });
});
