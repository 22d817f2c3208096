import { afterEach, describe, expect, it } from 'vitest';
import { listFilesTool } from '../../../../src/agent/tools/index.ts';
import { makeCtx, makeWorkspace, removeWorkspaces } from './helpers.ts';

afterEach(removeWorkspaces);

describe('list_files', () => {
  const files = { '.gitignore': 'dist/\n', 'README.md': '', 'src/a.ts': '', 'src/a.test.ts': '', 'src/lib/b.ts': '', 'dist/a.js': '', 'docs/x.md': '' };

  it('lists every file, workspace-relative and sorted, without ignored ones', async () => {
    const root = await makeWorkspace(files);
    expect(await listFilesTool.run({}, makeCtx(root))).toEqual({
      status: 'success',
      output: ['.gitignore', 'README.md', 'docs/x.md', 'src/a.test.ts', 'src/a.ts', 'src/lib/b.ts'].join('\n'),
    });
  });

  it('filters by glob: a pattern without / matches basenames anywhere', async () => {
    const root = await makeWorkspace(files);
    expect((await listFilesTool.run({ pattern: '*.ts' }, makeCtx(root))).output).toBe('src/a.test.ts\nsrc/a.ts\nsrc/lib/b.ts');
    expect((await listFilesTool.run({ pattern: 'src/*.ts' }, makeCtx(root))).output).toBe('src/a.test.ts\nsrc/a.ts');
    expect((await listFilesTool.run({ pattern: '*.{md,js}' }, makeCtx(root))).output).toBe('README.md\ndocs/x.md');
  });

  it('lists under a folder; patterns with / may be relative to it', async () => {
    const root = await makeWorkspace(files);
    expect((await listFilesTool.run({ path: 'src' }, makeCtx(root))).output).toBe('src/a.test.ts\nsrc/a.ts\nsrc/lib/b.ts');
    expect((await listFilesTool.run({ path: 'src', pattern: 'lib/*.ts' }, makeCtx(root))).output).toBe('src/lib/b.ts');
  });

  it('says when nothing matches, and errors on a missing folder or an escape', async () => {
    const root = await makeWorkspace(files);
    expect(await listFilesTool.run({ pattern: '*.py' }, makeCtx(root))).toEqual({
      status: 'success',
      output: 'No files matching "*.py" under . (git-ignored files and .git/ are left out).',
    });
    expect(await listFilesTool.run({ path: 'nope' }, makeCtx(root))).toEqual({ status: 'error', output: 'Folder not found: nope. List the parent folder to see what exists.' });
    expect((await listFilesTool.run({ path: '..' }, makeCtx(root))).status).toBe('error');
  });

  it('caps the listing at 2000 paths with a note', async () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 2100; i++) many[`f/${String(i).padStart(4, '0')}.txt`] = '';
    const root = await makeWorkspace(many);
    const lines = (await listFilesTool.run({}, makeCtx(root))).output.split('\n');
    expect(lines.length).toBe(2002);
    expect(lines[1999]).toBe('f/1999.txt');
    expect(lines[2001]).toBe('(2100 files in all; the first 2000 are shown. Narrow the listing with path or pattern.)');
    const small = (await listFilesTool.run({}, makeCtx(root, { maxOutputBytes: 1024 }))).output;
    expect(Buffer.byteLength(small)).toBeLessThanOrEqual(1024);
    const smallLines = small.split('\n');
    const shown = smallLines.length - 2;
    expect(smallLines.slice(0, shown)).toEqual(Array.from({ length: shown }, (_, i) => `f/${String(i).padStart(4, '0')}.txt`));
    expect(smallLines[shown + 1]).toBe(`(2100 files in all; the first ${shown} are shown. Narrow the listing with path or pattern.)`);
  });
});
