import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isolatedStdio } from '../../../src/security/index.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Runs `code` (ESM, may import the repo's TypeScript) in a child that inherits /dev/zero as fd 20. */
function childWithInheritedFd(code: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // A shell redirection leaves the descriptor open across exec, as a parent process would (bash:
    // dash cannot name descriptors above 9, and Node marks low inherited ones close-on-exec).
    const child = spawn('bash', ['-c', 'exec 20</dev/zero; exec "$0" --import tsx --input-type=module -e "$1"', process.execPath, code], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (status) => (status === 0 ? resolve(out) : reject(new Error(err))));
  });
}

describe('inheritableDescriptors and isolatedStdio', () => {
  it('find a descriptor the process inherited and keep it from a grandchild', async () => {
    const out = await childWithInheritedFd(`
      import { spawnSync } from 'node:child_process';
      import { inheritableDescriptors, isolatedStdio } from './src/security/index.ts';
      const fds = inheritableDescriptors();
      const list = (stdio) => spawnSync('/bin/sh', ['-c', 'readlink /proc/$$/fd/20 || echo closed'], { stdio }).stdout.toString().trim();
      console.log(JSON.stringify({ fds: fds.includes(20), plain: list(['ignore', 'pipe', 'ignore']), isolated: list(isolatedStdio(['ignore', 'pipe', 'ignore'], fds)) }));
    `);
    expect(JSON.parse(out)).toEqual({ fds: true, plain: '/dev/zero', isolated: '/dev/null' });
  });

  it('changes nothing when nothing is inherited', () => {
    expect(isolatedStdio(['ignore', 'pipe', 'ignore'], [])).toEqual(['ignore', 'pipe', 'ignore']);
  });
});
