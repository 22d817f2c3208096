import { describe, expect, it } from 'vitest';
import { parsePatch, PatchParseError, type Hunk } from '../../../../src/agent/patch/index.ts';

const wrap = (body: string) => `*** Begin Patch\n${body}\n*** End Patch`;

describe('parsePatch', () => {
  it('parses add, delete and update hunks with a move and @@ contexts', () => {
    const patch = wrap(
      [
        '*** Add File: path/add.py',
        '+abc',
        '+def',
        '*** Delete File: path/delete.py',
        '*** Update File: path/update.py',
        '*** Move to: path/update2.py',
        '@@ def f():',
        '-    pass',
        '+    return 123',
        '@@',
        ' ctx',
        '-old',
        '+new',
        '*** End of File',
      ].join('\n'),
    );
    const expected: Hunk[] = [
      { type: 'add', path: 'path/add.py', contents: 'abc\ndef\n', line: 2 },
      { type: 'delete', path: 'path/delete.py', line: 5 },
      {
        type: 'update',
        path: 'path/update.py',
        movePath: 'path/update2.py',
        line: 6,
        chunks: [
          { contexts: ['def f():'], oldLines: ['    pass'], newLines: ['    return 123'], endOfFile: false },
          { contexts: [], oldLines: ['ctx', 'old'], newLines: ['ctx', 'new'], endOfFile: true },
        ],
      },
    ];
    expect(parsePatch(patch)).toEqual(expected);
  });

  it('accepts a first chunk without @@, CRLF, padded markers and a heredoc wrapper', () => {
    const expected: Hunk[] = [{ type: 'update', path: 'f.py', movePath: undefined, line: 2, chunks: [{ contexts: [], oldLines: ['import foo'], newLines: ['import foo', 'bar'], endOfFile: false }] }];
    expect(parsePatch('*** Begin Patch\r\n*** Update File: f.py\r\n import foo\r\n+bar\r\n*** End Patch\r\n')).toEqual(expected);
    expect(parsePatch("<<'EOF'\n *** Begin Patch \n  *** Update File: f.py\n import foo\n+bar\n*** End Patch \nEOF\n")).toEqual(expected);
  });

  it('stacks several @@ contexts and ignores unified-diff line ranges', () => {
    const hunks = parsePatch(wrap('*** Update File: a\n@@ class A\n@@ def m(self):\n-x\n+y\n@@ -10,2 +10,3 @@\n-p\n+q'));
    expect(hunks[0].type === 'update' && hunks[0].chunks.map((c) => c.contexts)).toEqual([['class A', 'def m(self):'], []]);
  });

  it('treats empty lines inside a chunk as empty context lines', () => {
    const hunks = parsePatch(wrap('*** Update File: a\n@@\n a\n\n-b\n+c'));
    expect(hunks[0].type === 'update' && hunks[0].chunks[0]).toEqual({ contexts: [], oldLines: ['a', '', 'b'], newLines: ['a', '', 'c'], endOfFile: false });
  });

  it('returns no hunks for an empty patch', () => {
    expect(parsePatch('*** Begin Patch\n*** End Patch')).toEqual([]);
  });

  const bad: [string, string][] = [
    ['bad', "Invalid patch: The first line of the patch must be '*** Begin Patch'."],
    ['*** Begin Patch\n*** Add File: a\n+x', "Invalid patch: The last line of the patch must be '*** End Patch'."],
    [wrap('*** Frobnicate File: foo'), "Invalid patch hunk on line 2: '*** Frobnicate File: foo' is not a valid hunk header."],
    [wrap('*** Update File: test.py'), "Invalid patch hunk on line 2: Update file hunk for path 'test.py' is empty"],
    [wrap('*** Update File: a\n@@\n-x\n+y\nbogus'), "Invalid patch hunk on line 6: Expected update hunk to start with a @@ context marker, got: 'bogus'."],
    [wrap('*** Update File: a\n@@\nbogus'), "Invalid patch hunk on line 4: Unexpected line found in update hunk: 'bogus'."],
    [wrap('*** Update File: a\n@@\n-x\n@@'), 'Invalid patch hunk on line 6: Update hunk does not contain any lines.'],
  ];
  it.each(bad)('rejects %j', (patch, message) => {
    let error: unknown;
    try {
      parsePatch(patch);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PatchParseError);
    expect((error as Error).message.startsWith(message)).toBe(true);
  });
});
