import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { applyPatchTool } from '../../../../src/agent/tools/index.ts';
import { makeCtx, makeWorkspace, removeWorkspaces } from '../tools/helpers.ts';

afterEach(removeWorkspaces);

const SCENARIOS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/apply-patch');

/** Every folder and file under `root`, files with their bytes as hex (so endings show exactly). */
async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string) => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const abs = path.join(dir, entry.name);
      const rel = path.relative(root, abs);
      if (entry.isDirectory()) {
        out[`${rel}/`] = 'dir';
        await walk(abs);
      } else {
        out[rel] = JSON.stringify((await fs.readFile(abs)).toString('utf8'));
      }
    }
  };
  if (await fs.stat(root).then((s) => s.isDirectory(), () => false)) await walk(root);
  return out;
}

const names = (await fs.readdir(SCENARIOS, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();

describe('apply_patch scenarios (Codex)', () => {
  it('finds all 23 scenarios', () => {
    expect(names.length).toBe(23);
  });

  it.each(names)('%s', async (name) => {
    const dir = path.join(SCENARIOS, name);
    const root = await makeWorkspace();
    await fs.cp(path.join(dir, 'input'), root, { recursive: true }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    const patch = await fs.readFile(path.join(dir, 'patch.txt'), 'utf8');
    const result = await applyPatchTool.run({ patch }, makeCtx(root));
    expect(await snapshot(root)).toEqual(await snapshot(path.join(dir, 'expected')));
    // The scenarios that change nothing or stop early must say so with an error result.
    const failing = /rejects|fails|requires|failure/.test(name);
    expect(result.status).toBe(failing ? 'error' : 'success');
  });
});
