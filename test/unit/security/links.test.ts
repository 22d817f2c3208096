import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveLinkInside } from '../../../src/security/links.ts';

let tmp: string;
let root: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'links-test-'));
  root = path.join(tmp, 'ws');
  fs.mkdirSync(path.join(root, 'sub', 'deep'), { recursive: true });
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const link = (rel: string, target: string) => fs.symlinkSync(target, path.join(root, rel));

describe('resolveLinkInside', () => {
  it('follows the links a path passes through, as the kernel does', () => {
    link('sub/up', '..');
    link('escape', 'sub/up/../..');
    link('fine', 'sub/up/sub/deep');
    link('sub/deep/abs', '/etc');
    link('dangling', 'missing/../sub');
    expect(['sub/up', 'escape', 'fine', 'sub/deep/abs', 'dangling'].map((rel) => resolveLinkInside(root, rel))).toEqual([
      { inside: true },
      { inside: false, reason: 'escapes' },
      { inside: true },
      { inside: false, reason: 'absolute' },
      { inside: true },
    ]);
    // What the kernel makes of `escape`: the folder above the root.
    expect(fs.realpathSync.native(path.join(root, 'escape'))).toBe(fs.realpathSync.native(path.dirname(tmp)));
  });

  it('reports a loop after 40 links', () => {
    link('a', 'b');
    link('b', 'a');
    expect(resolveLinkInside(root, 'a')).toEqual({ inside: false, reason: 'loop' });
  });
});
