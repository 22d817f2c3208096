/** Named before/after tree pairs covering what a workspace diff must carry. */
import { makeSnapshot } from '../../../../src/agent/diff/memory.ts';
import type { Snapshot } from '../../../../src/agent/diff/types.ts';

const lines = (n: number, tag = 'line'): string => Array.from({ length: n }, (_, i) => `${tag} ${i + 1}\n`).join('');
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, ...Array.from({ length: 300 }, (_, i) => (i * 37) % 256)]);

export interface Case {
  name: string;
  before: Snapshot;
  after: Snapshot;
}

export const corpus: Case[] = [
  {
    name: 'modification in the middle of a long file (two hunks)',
    before: makeSnapshot({ 'src/a.txt': lines(40), 'keep.txt': 'same\n' }),
    after: makeSnapshot({ 'src/a.txt': lines(40).replace('line 5\n', 'line five\n').replace('line 30\n', 'line 30\nline 30b\n'), 'keep.txt': 'same\n' }),
  },
  {
    name: 'additions in new folders',
    before: makeSnapshot({ 'README.md': '# x\n' }),
    after: makeSnapshot({ 'README.md': '# x\n', 'deep/er/new.ts': 'export const x = 1;\n', 'deep/other.txt': 'o\n' }),
  },
  {
    name: 'deletions (folder emptied)',
    before: makeSnapshot({ 'a/b/c.txt': 'c\n', 'a/d.txt': lines(3), 'z.txt': 'z\n' }),
    after: makeSnapshot({ 'z.txt': 'z\n' }),
  },
  {
    name: 'exact renames, also into a new folder and with a mode change',
    before: makeSnapshot({ 'old.txt': lines(5), 'lib/util.js': 'module.exports = 1;\n', 'run.sh': { content: '#!/bin/sh\necho hi\n' } }),
    after: makeSnapshot({ 'new.txt': lines(5), 'src/lib/util.js': 'module.exports = 1;\n', 'bin/run.sh': { content: '#!/bin/sh\necho hi\n', mode: '100755' } }),
  },
  {
    name: 'mode changes (chmod +x, chmod -x, with content change)',
    before: makeSnapshot({ 'a.sh': 'echo a\n', 'b.sh': { content: 'echo b\n', mode: '100755' }, 'c.sh': 'echo c\n' }),
    after: makeSnapshot({ 'a.sh': { content: 'echo a\n', mode: '100755' }, 'b.sh': 'echo b\n', 'c.sh': { content: 'echo c2\n', mode: '100755' } }),
  },
  {
    name: 'symlinks added, retargeted, removed, and file/symlink type changes',
    before: makeSnapshot({ 't.txt': 't\n', 'l1': { content: 't.txt', mode: '120000' }, 'l2': { content: 'gone', mode: '120000' }, 'f': 'file\n', 'l3': { content: 't.txt', mode: '120000' } }),
    after: makeSnapshot({ 't.txt': 't\n', 'l1': { content: 'sub/t.txt', mode: '120000' }, 'new-link': { content: '../outside', mode: '120000' }, 'f': { content: 't.txt', mode: '120000' }, 'l3': 'now a file\n' }),
  },
  {
    name: 'binary files added, changed, removed, and text turned binary',
    before: makeSnapshot({ 'img.png': png, 'old.bin': Buffer.from([1, 2, 0, 3]), 'latin1.txt': 'plain\n' }),
    after: makeSnapshot({ 'img.png': Buffer.concat([png, Buffer.from([0, 1, 2])]), 'new.bin': Buffer.alloc(5000, 0), 'latin1.txt': Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]) }),
  },
  {
    name: 'files without trailing newline',
    before: makeSnapshot({ 'a.txt': 'one\ntwo', 'b.txt': 'x\ny\n', 'c.txt': 'same last', 'd.txt': 'keep\nlast' }),
    after: makeSnapshot({ 'a.txt': 'one\ntwo\n', 'b.txt': 'x\ny', 'c.txt': 'first\nsame last', 'd.txt': 'keep\nlast changed', 'e.txt': 'new without eol' }),
  },
  {
    name: 'empty files created, emptied, filled, deleted',
    before: makeSnapshot({ 'empty-gone': '', 'to-empty.txt': 'a\nb\n', 'to-fill': '' }),
    after: makeSnapshot({ 'empty-new': '', 'to-empty.txt': '', 'to-fill': 'filled\n', 'dir/.gitkeep': '' }),
  },
  {
    name: 'CRLF files',
    before: makeSnapshot({ 'win.txt': 'a\r\nb\r\nc\r\n', 'mixed.txt': 'a\nb\r\nc' }),
    after: makeSnapshot({ 'win.txt': 'a\r\nB\r\nc\r\nd\r\n', 'mixed.txt': 'a\r\nb\nc\r\n', 'new.txt': 'x\r\ny\r\n' }),
  },
  {
    name: 'unicode and awkward names',
    before: makeSnapshot({ 'héllo wörld.txt': 'a\n', '日本/ファイル.md': 'b\n', 'with space.txt': 's\n', 'quote"back\\slash.txt': 'q\n', 'tab\tname.txt': 't\n' }),
    after: makeSnapshot({ 'héllo wörld.txt': 'a2\n', '日本/名前.md': 'b\n', 'with space.txt': 's2\n', 'quote"back\\slash.txt': 'q2\n', 'tab\tname.txt': 't2\n', 'emoji 😀.txt': 'e\n' }),
  },
  {
    name: 'directory replaced by a file and a file by a directory',
    before: makeSnapshot({ 'x/y.txt': 'y\n', 'f': 'f\n' }),
    after: makeSnapshot({ 'x': 'x is a file\n', 'f/inner.txt': 'inner\n' }),
  },
  {
    name: 'a renamed file whose old path becomes a folder',
    before: makeSnapshot({ 'doc': lines(4, 'doc') }),
    after: makeSnapshot({ 'doc.md': lines(4, 'doc'), 'doc/index.md': 'index\n' }),
  },
  {
    name: 'repetitive content and whole rewrite',
    before: makeSnapshot({ 'r.txt': '}\n}\n\n}\n\n'.repeat(50), 'w.txt': lines(200, 'old') }),
    after: makeSnapshot({ 'r.txt': '}\n\n}\n}\n\n'.repeat(50), 'w.txt': lines(150, 'new') }),
  },
  {
    name: 'unicode content and a byte-order mark',
    before: makeSnapshot({ 'u.txt': '\ufeffzéro\nun\n', 'e.txt': 'emoji 😀\n' }),
    after: makeSnapshot({ 'u.txt': '\ufeffzéro\ndeux\n', 'e.txt': 'emoji 😀😀\n' }),
  },
];
