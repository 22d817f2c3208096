import { describe, expect, it } from 'vitest';
import { diffSnapshots, makeSnapshot } from '../../../../src/agent/diff/index.ts';
import { createRedactor } from '../../../../src/security/index.ts';
import { parseDiff, splitRows } from '../../../../src/view/page/diff.ts';

/** A diff as the worker writes it (diff.patch). */
function workerDiff(before: Record<string, string | Buffer | { content: string; mode?: '100755' }>, after: typeof before): string {
  return diffSnapshots(makeSnapshot(before), makeSnapshot(after)).patch;
}

describe('parseDiff', () => {
  it('reads added, deleted, modified, renamed and binary files from a worker diff, with counts the worker agrees on', () => {
    const before = { 'keep.txt': 'a\nb\nc\n', 'gone.txt': 'bye\n', 'old/name.md': 'same content here\nline two\nline three\n', 'img.bin': Buffer.from([0, 1, 2, 3]), 'run.sh': 'echo hi\n' };
    const after = {
      'keep.txt': 'a\nB\nc\nd',
      'new.txt': 'hello\n',
      'new/name.md': 'same content here\nline two\nline three\n',
      'img.bin': Buffer.from([0, 1, 2, 4]),
      'run.sh': { content: 'echo hi\n', mode: '100755' as const },
    };
    const { patch, stats } = diffSnapshots(makeSnapshot(before), makeSnapshot(after));
    const files = parseDiff(patch);
    expect(files.map((f) => [f.path, f.change, f.binary, f.additions, f.deletions, f.oldPath ?? null, f.notes])).toEqual([
      ['gone.txt', 'deleted', false, 0, 1, 'gone.txt', []],
      ['img.bin', 'modified', true, 0, 0, 'img.bin', []],
      ['keep.txt', 'modified', false, 2, 1, 'keep.txt', []],
      ['new.txt', 'added', false, 1, 0, null, []],
      ['new/name.md', 'renamed', false, 0, 0, 'old/name.md', []],
      ['run.sh', 'modified', false, 0, 0, 'run.sh', ['old mode 100644', 'new mode 100755']],
    ]);
    const text = files.filter((f) => !f.binary);
    expect([text.reduce((n, f) => n + f.additions, 0), text.reduce((n, f) => n + f.deletions, 0)]).toEqual([stats.additions, stats.deletions]);
    expect(files[2].hunks).toEqual([
      {
        header: '@@ -1,3 +1,4 @@',
        lines: [
          { op: ' ', text: 'a', oldNo: 1, newNo: 1 },
          { op: '-', text: 'b', oldNo: 2 },
          { op: '+', text: 'B', newNo: 2 },
          { op: ' ', text: 'c', oldNo: 3, newNo: 3 },
          { op: '+', text: 'd', newNo: 4, noEol: true },
        ],
      },
    ]);
  });

  it('takes lines that look like headers as content while the hunk header counts them', () => {
    const patch = workerDiff({ 'a.md': 'x\n-- sig\n++ plus\n' }, { 'a.md': 'x\n--- sig\n+++ plus\n' });
    const [file] = parseDiff(patch);
    expect(file.hunks[0].lines.map((l) => `${l.op}${l.text}`)).toEqual([' x', '--- sig', '-++ plus', '+--- sig', '++++ plus']);
    expect([file.additions, file.deletions]).toEqual([2, 2]);
  });

  it('shows what it can of a redacted diff whose hunk counts no longer add up', () => {
    const key = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx4Xl0cM1i9g7W0xq0Z0VbX2pH1o1\n-----END RSA PRIVATE KEY-----\n';
    const patch = createRedactor().text(workerDiff({ 'k.pem': 'x\n' }, { 'k.pem': `x\n${key}`, 'z.txt': 'z\n' }));
    expect(patch).toContain('[REDACTED:');
    expect(parseDiff(patch).map((f) => [f.path, f.change])).toEqual([
      ['k.pem', 'modified'],
      ['z.txt', 'added'],
    ]);
  });

  it('reads a plain unified diff without git headers', () => {
    expect(parseDiff('--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-int a;\n+int b;\n').map((f) => [f.path, f.change, f.additions, f.deletions])).toEqual([['x.c', 'modified', 1, 1]]);
    expect(parseDiff('')).toEqual([]);
  });
});

describe('splitRows', () => {
  it('pairs removed with added lines in order and keeps context on both sides', () => {
    const [file] = parseDiff(workerDiff({ f: '1\n2\n3\n4\n' }, { f: '1\nA\nB\nC\n4\n' }));
    expect(splitRows(file.hunks[0]).map((r) => [r.left ? `${r.left.op}${r.left.text}` : null, r.right ? `${r.right.op}${r.right.text}` : null])).toEqual([
      [' 1', ' 1'],
      ['-2', '+A'],
      ['-3', '+B'],
      [null, '+C'],
      [' 4', ' 4'],
    ]);
  });
});
