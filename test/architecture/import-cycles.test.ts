/** Arrows between the top-level modules of src/ point one way: no module imports one that imports it back. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

interface ImportGraph {
  describeCycles(srcDir: string): string[];
}

const ROOT = path.resolve(import.meta.dirname, '../..');
const load = async () => (await import(pathToFileURL(path.join(ROOT, 'scripts/import-graph.mjs')).href)) as ImportGraph;

describe('import graph of src/', () => {
  let tmp: string | undefined;
  afterEach(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    tmp = undefined;
  });

  it('has no cycle between its top-level modules', async () => {
    const { describeCycles } = await load();
    expect(describeCycles(path.join(ROOT, 'src'))).toEqual([]);
  });

  it('reports a cycle closed through type-only and dynamic imports, with the imports that make it', async () => {
    const { describeCycles } = await load();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'import-graph-'));
    const write = (file: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(tmp!, file)), { recursive: true });
      fs.writeFileSync(path.join(tmp!, file), text);
    };
    write('a/index.ts', "import { b } from '../b/index.ts';\nexport const a = b;\n");
    write('b/index.ts', "import type { C } from '../c/types.ts';\nexport const b: C = 1;\n");
    write('c/types.ts', "export type C = number;\nexport const load = () => import('../a/index.ts');\n");
    write('d/index.ts', "import { a } from '../a/index.ts';\nimport { x } from './x.ts';\nexport const d = [a, x];\n");
    write('d/x.ts', 'export const x = 1;\n');
    write('top.ts', "import { d } from './d/index.ts';\nexport { d };\n");
    expect(describeCycles(tmp)).toEqual([
      'cycle: a, b, c\n  a -> b: a/index.ts -> ../b/index.ts\n  b -> c: b/index.ts -> ../c/types.ts\n  c -> a: c/types.ts -> ../a/index.ts',
    ]);
  });
});
