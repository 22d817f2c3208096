import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveInWorkspace } from '../../../../src/agent/tools/index.ts';
import { makeWorkspace, removeWorkspaces } from './helpers.ts';

afterEach(removeWorkspaces);

describe('resolveInWorkspace', () => {
  it('resolves relative paths, existing or not, against the root', async () => {
    const root = await makeWorkspace({ 'src/a.ts': 'x' });
    expect(await resolveInWorkspace(root, 'src/a.ts')).toEqual({ ok: true, path: { abs: path.join(root, 'src/a.ts'), rel: 'src/a.ts' } });
    expect(await resolveInWorkspace(root, './new/deep/b.ts')).toEqual({ ok: true, path: { abs: path.join(root, 'new/deep/b.ts'), rel: 'new/deep/b.ts' } });
    expect(await resolveInWorkspace(root, '.')).toEqual({ ok: true, path: { abs: root, rel: '' } });
  });

  it('accepts absolute paths inside the workspace', async () => {
    const root = await makeWorkspace({ 'a.txt': 'x' });
    expect(await resolveInWorkspace(root, path.join(root, 'a.txt'))).toEqual({ ok: true, path: { abs: path.join(root, 'a.txt'), rel: 'a.txt' } });
  });

  it('refuses .. escapes and absolute paths outside', async () => {
    const root = await makeWorkspace();
    for (const p of ['../x', 'a/../../x', '/etc/passwd', path.dirname(root)]) {
      const r = await resolveInWorkspace(root, p);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.message).toContain('outside the workspace');
    }
  });

  it('refuses a symlink pointing outside, a symlinked folder escaping, and a dangling link to outside', async () => {
    const outside = await makeWorkspace({ 'secret.txt': 'top secret' });
    const root = await makeWorkspace();
    await fs.symlink(path.join(outside, 'secret.txt'), path.join(root, 'link.txt'));
    await fs.symlink(outside, path.join(root, 'escape'));
    await fs.symlink(path.join(outside, 'not-yet.txt'), path.join(root, 'dangling.txt'));
    for (const p of ['link.txt', 'escape', 'escape/secret.txt', 'escape/new/file.txt', 'dangling.txt']) {
      const r = await resolveInWorkspace(root, p);
      expect(r.ok, p).toBe(false);
      expect(!r.ok && r.message).toContain('symbolic link');
    }
  });

  it('refuses a sibling folder whose name starts with the workspace\'s (ws-evil beside ws)', async () => {
    const root = await makeWorkspace();
    const sibling = `${root}-evil`;
    await fs.mkdir(sibling);
    try {
      await fs.writeFile(path.join(sibling, 'secret.txt'), 'top secret');
      await fs.symlink(sibling, path.join(root, 'to-sibling'));
      const refused = [];
      for (const p of [`../${path.basename(sibling)}/secret.txt`, path.join(sibling, 'secret.txt'), sibling, 'to-sibling/secret.txt']) {
        const r = await resolveInWorkspace(root, p);
        refused.push([p, r.ok]);
      }
      expect(refused.every(([, ok]) => ok === false)).toBe(true);
    } finally {
      await fs.rm(sibling, { recursive: true, force: true });
    }
  });

  it('follows symlinks that stay inside', async () => {
    const root = await makeWorkspace({ 'real/file.txt': 'x' });
    await fs.symlink('real', path.join(root, 'alias'));
    expect(await resolveInWorkspace(root, 'alias/file.txt')).toEqual({ ok: true, path: { abs: path.join(root, 'real/file.txt'), rel: 'real/file.txt' } });
  });

  it('with followLast false, names a symlink itself (even one pointing outside)', async () => {
    const outside = await makeWorkspace({ 'x.txt': 'x' });
    const root = await makeWorkspace();
    await fs.symlink(path.join(outside, 'x.txt'), path.join(root, 'out.txt'));
    expect(await resolveInWorkspace(root, 'out.txt', { followLast: false })).toEqual({ ok: true, path: { abs: path.join(root, 'out.txt'), rel: 'out.txt' } });
  });

  it('refuses symlink loops', async () => {
    const root = await makeWorkspace();
    await fs.symlink('b', path.join(root, 'a'));
    await fs.symlink('a', path.join(root, 'b'));
    const r = await resolveInWorkspace(root, 'a/file');
    expect(r.ok).toBe(false);
  });
});
