import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { auditTree } from '../../../src/sources/audit.ts';
import { SourceError } from '../../../src/sources/index.ts';

const LIMITS = { maxBytes: 1 << 20, maxFiles: 100 };
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tree(links: [string, string][]): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-'));
  dirs.push(root);
  fs.mkdirSync(path.join(root, 'sub'));
  fs.writeFileSync(path.join(root, 'sub', 'a.txt'), 'a\n');
  for (const [link, target] of links) fs.symlinkSync(target, path.join(root, link));
  return root;
}

describe('auditTree', () => {
  it('accepts links that stay inside the tree, counting files and bytes', async () => {
    expect(await auditTree(tree([['ok', 'sub/a.txt'], ['sub/up', '..']]), LIMITS)).toEqual({ files: 4, bytes: 2 });
  });

  it('refuses a link that climbs out through another link, though each link alone looks inside', async () => {
    const root = tree([['sub/link', '..'], ['escape', 'sub/link/../..']]);
    const err = await auditTree(root, LIMITS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect([(err as SourceError).code, (err as Error).message]).toEqual(['unsafe_archive', 'symlink "escape" leads outside the workspace through other links']);
  });

  it('refuses a link whose own text leaves the tree', async () => {
    await expect(auditTree(tree([['out', '../../etc/passwd']]), LIMITS)).rejects.toThrow('symlink "out" points to "../../etc/passwd", outside the workspace');
  });
});
