import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeToolchain, detectToolchain } from '../../../src/worker/toolchain.ts';

let bin: string;
let other: string;
beforeEach(async () => {
  bin = await fs.mkdtemp(path.join(os.tmpdir(), 'toolchain-bin-'));
  other = await fs.mkdtemp(path.join(os.tmpdir(), 'toolchain-other-'));
});
afterEach(async () => {
  await fs.rm(bin, { recursive: true, force: true });
  await fs.rm(other, { recursive: true, force: true });
});

async function program(dir: string, name: string, mode = 0o755): Promise<void> {
  await fs.writeFile(path.join(dir, name), '#!/bin/sh\nexit 0\n', { mode });
}

describe('toolchain detection', () => {
  it('finds the executables on PATH in PATH order; a folder, a non-executable file or a relative entry does not count', async () => {
    await program(bin, 'git');
    await program(bin, 'python3');
    await program(bin, 'pip3');
    await program(other, 'git');
    await program(other, 'go');
    await program(bin, 'cargo', 0o644);
    await fs.mkdir(path.join(bin, 'java'));
    const t = await detectToolchain({ PATH: `${bin}:relative/dir:${other}` });
    expect(t).toEqual({
      found: [
        { label: 'git', path: path.join(bin, 'git') },
        { label: 'python3', path: path.join(bin, 'python3') },
        { label: 'pip', path: path.join(bin, 'pip3') },
        { label: 'go', path: path.join(other, 'go') },
      ],
      missing: ['node', 'npm', 'make', 'g++', 'java', 'cargo'],
    });
  });

  it('tells the model what it has and what it does not', () => {
    const text = describeToolchain({ found: [{ label: 'node', path: '/var/lang/bin/node' }, { label: 'npm', path: '/var/lang/bin/npm' }], missing: ['git', 'python3', 'pip'] });
    expect(text.split('\n')).toEqual([
      'Programs found on the PATH of your shell: node, npm.',
      'Not found here: git, python3, pip. You cannot run them; do not guess what they would print. When a check needs one of them, say in your summary that you could not run it.',
      "Run the repository's own build and tests with what is there before you finish. There is no root access: install packages under the workspace (git-ignored) or $HOME, e.g. a Python venv, not system-wide.",
    ]);
  });
});
