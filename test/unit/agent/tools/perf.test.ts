import { beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll } from 'vitest';
import { searchTool, walkWorkspace } from '../../../../src/agent/tools/index.ts';
import { makeCtx, makeWorkspace, removeWorkspaces } from './helpers.ts';

/** A generated tree: 100 folders × 100 files of ~40 lines, plus an ignored folder of 500 files. */
let root: string;
beforeAll(async () => {
  root = await makeWorkspace({ '.gitignore': 'vendor/\n*.tmp\n' });
  const body = Array.from({ length: 40 }, (_, i) => `export const value${i} = ${i}; // some ordinary source text`).join('\n');
  const jobs: Promise<void>[] = [];
  for (let d = 0; d < 100; d++) {
    const dir = path.join(root, `pkg${d}`, 'src');
    await fs.mkdir(dir, { recursive: true });
    for (let f = 0; f < 100; f++) {
      const marker = d === 42 && f === 7 ? '\nconst needleInHaystack = true;\n' : '';
      jobs.push(fs.writeFile(path.join(dir, `file${f}.ts`), body + marker));
    }
  }
  await fs.mkdir(path.join(root, 'vendor'), { recursive: true });
  for (let f = 0; f < 500; f++) jobs.push(fs.writeFile(path.join(root, 'vendor', `v${f}.ts`), 'const needleInHaystack = 1;\n'));
  await Promise.all(jobs);
}, 60_000);
afterAll(removeWorkspaces);

describe('on a 10,000-file tree', () => {
  it('walkWorkspace lists it in well under a second', async () => {
    await walkWorkspace(root); // warm the file-system cache
    const t0 = performance.now();
    const files = await walkWorkspace(root);
    const ms = performance.now() - t0;
    console.log(`walkWorkspace: ${files.length} files in ${ms.toFixed(0)} ms`);
    expect(files.length).toBe(10_001);
    expect(ms).toBeLessThan(2000);
  });

  it('search finds the one match quickly', async () => {
    const t0 = performance.now();
    const r = await searchTool.run({ pattern: 'needleIn\\w+' }, makeCtx(root));
    const ms = performance.now() - t0;
    console.log(`search: 10,001 files in ${ms.toFixed(0)} ms`);
    expect(r).toEqual({ status: 'success', output: 'pkg42/src/file7.ts:41:const needleInHaystack = true;' });
    expect(ms).toBeLessThan(5000);
  });
});
