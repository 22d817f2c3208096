import { describe, expect, it } from 'vitest';
import { diffSnapshots, makeSnapshot } from '../../../../src/agent/diff/index.ts';
import type { PublishConflictError } from '../../../../src/github/errors.ts';
import { changedFiles, planChanges, type BaseFile } from '../../../../src/github/publish/apply.ts';

type Files = Parameters<typeof makeSnapshot>[0];

function reader(files: Record<string, BaseFile>) {
  const reads: string[] = [];
  return { reads, read: async (path: string) => (reads.push(path), files[path]) };
}

const base: Files = {
  'README.md': 'Hello\nWorld\n',
  'old.txt': 'gone soon\n',
  'src/a.ts': 'export const a = 1;\nexport const b = 2;\nexport const c = 3;\n',
  'run.sh': { content: '#!/bin/sh\necho hi\n', mode: '100644' },
  'link': { content: 'README.md', mode: '120000' },
};
const after: Files = {
  'README.md': 'Hello\nthere, World\n',
  'src/b.ts': 'export const a = 1;\nexport const b = 2;\nexport const c = 3;\n',
  'src/new.ts': 'export {};\n',
  'run.sh': { content: '#!/bin/sh\necho hi\n', mode: '100755' },
  'link': { content: 'README.md', mode: '120000' },
};

function baseFiles(files: Files): Record<string, BaseFile> {
  return Object.fromEntries([...makeSnapshot(files)].map(([p, e]) => [p, { content: e.content, mode: e.mode }]));
}

describe('planChanges', () => {
  it('turns a diff into new contents, modes and removals for exactly the files it touches', async () => {
    const { patch } = diffSnapshots(makeSnapshot(base), makeSnapshot(after));
    const { reads, read } = reader(baseFiles(base));
    const planned = await planChanges(patch, read);
    const byPath = Object.fromEntries(planned.changes.map((c) => [c.path, 'deleted' in c ? 'deleted' : { mode: c.mode, content: c.content.toString() }]));
    expect(byPath).toEqual({
      'README.md': { mode: '100644', content: 'Hello\nthere, World\n' },
      'old.txt': 'deleted',
      'src/a.ts': 'deleted',
      'src/b.ts': { mode: '100644', content: 'export const a = 1;\nexport const b = 2;\nexport const c = 3;\n' },
      'src/new.ts': { mode: '100644', content: 'export {};\n' },
      'run.sh': { mode: '100755', content: '#!/bin/sh\necho hi\n' },
    });
    expect([planned.files, planned.heldBack]).toEqual([changedFiles(patch).files, []]);
    expect(planned.files.map((f) => f.path).sort()).toEqual(['README.md', 'old.txt', 'run.sh', 'src/b.ts', 'src/new.ts']);
    expect(reads).not.toContain('link');
  });

  it('applies a type change (deletion then creation of one path) and binary files', async () => {
    const before: Files = { x: 'plain\n', 'img.bin': Buffer.from([0, 1, 2, 3, 255]) };
    const later: Files = { x: { content: 'target', mode: '120000' }, 'img.bin': Buffer.from([0, 1, 2, 4, 255, 0]) };
    const { patch } = diffSnapshots(makeSnapshot(before), makeSnapshot(later));
    const planned = await planChanges(patch, reader(baseFiles(before)).read);
    expect(planned.changes.map((c) => ('deleted' in c ? [c.path, 'deleted'] : [c.path, c.mode, c.content.toString('hex')])).sort()).toEqual([
      ['img.bin', '100644', '00010204ff00'],
      ['x', '120000', Buffer.from('target').toString('hex')],
    ]);
  });

  it('refuses a diff that no longer applies, naming the file', async () => {
    const { patch } = diffSnapshots(makeSnapshot(base), makeSnapshot(after));
    const moved = baseFiles({ ...base, 'README.md': 'Hi\nWorld\n' });
    const added = baseFiles({ ...base, 'src/new.ts': 'already\n' });
    const missing = baseFiles(base);
    delete missing['old.txt'];
    const errors = await Promise.all([moved, added, missing].map((files) => planChanges(patch, reader(files).read).catch((e: PublishConflictError) => [e.name, e.filePath])));
    expect(errors).toEqual([
      ['PublishConflictError', 'README.md'],
      ['PublishConflictError', 'src/new.ts'],
      ['PublishConflictError', 'old.txt'],
    ]);
  });

  it('refuses a diff that does not parse', async () => {
    await expect(planChanges('diff --git a/x b/x\n@@ nonsense\n', reader({}).read)).rejects.toMatchObject({ name: 'PublishConflictError', code: 'publish_conflict' });
  });
});
