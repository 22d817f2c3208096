import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ToolContext } from '../../../../src/agent/tools/types.ts';

const created: string[] = [];

/** A fresh temporary folder (real path) holding `files` (path → content). */
export async function makeWorkspace(files: Record<string, string | Buffer> = {}): Promise<string> {
  const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'tools-test-')));
  created.push(dir);
  await writeFiles(dir, files);
  return dir;
}

export async function writeFiles(root: string, files: Record<string, string | Buffer>): Promise<void> {
  const entries = Object.entries(files);
  const dirs = new Set(entries.map(([rel]) => path.dirname(path.join(root, rel))));
  for (const dir of dirs) await fs.mkdir(dir, { recursive: true });
  await Promise.all(entries.map(([rel, content]) => fs.writeFile(path.join(root, rel), content)));
}

/** Removes every folder made by makeWorkspace (call in afterEach/afterAll). */
export async function removeWorkspaces(): Promise<void> {
  for (const dir of created.splice(0)) await fs.rm(dir, { recursive: true, force: true });
}

export function makeCtx(root: string, overrides: Partial<ToolContext> = {}): ToolContext {
  return {
    root,
    signal: new AbortController().signal,
    clock: Date.now,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root, TMPDIR: os.tmpdir(), LANG: 'C.UTF-8' },
    shellTimeoutMs: 10_000,
    maxShellTimeoutMs: 20_000,
    maxOutputBytes: 32 * 1024,
    ...overrides,
  };
}

export async function readText(root: string, rel: string): Promise<string> {
  return fs.readFile(path.join(root, rel), 'utf8');
}

export async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  );
}
