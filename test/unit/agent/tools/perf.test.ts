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

// How fast is `npm run bench`'s to say (tools row); here, that a large tree is handled whole and right.
describe('on a 10,000-file tree', () => {
  it('walkWorkspace lists every file but the ignored ones', async () => {
    const files = await walkWorkspace(root);
    expect([files.length, files.some((f) => f.startsWith('vendor/'))]).toEqual([10_001, false]);
  });

  it('search finds the one match outside the ignored folder', async () => {
    const r = await searchTool.run({ pattern: 'needleIn\\w+' }, makeCtx(root));
    expect(r).toEqual({ status: 'success', output: 'pkg42/src/file7.ts:41:const needleInHaystack = true;' });
  });
});
