/** Test helpers: materialise snapshots on disk, read trees back, run real git. */
import { spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FileTree, Snapshot } from '../../../../src/agent/diff/types.ts';

export function tempDir(prefix = 'diff-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes every entry of the snapshot under `dir`. */
export function materialise(snapshot: Snapshot, dir: string): void {
  for (const [rel, e] of snapshot) {
    if (!('content' in e)) throw new Error(`${rel} is kept by blob id only: its content cannot be written`);
    const abs = path.join(dir, rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    if (e.mode === '120000') symlinkSync(e.content.toString('utf8'), abs);
    else {
      writeFileSync(abs, e.content);
      chmodSync(abs, e.mode === '100755' ? 0o755 : 0o644);
    }
  }
}

/** Reads a tree back (everything but `.git/`), independently of the code under test. */
export function readTree(dir: string): FileTree {
  const out: FileTree = new Map();
  const walk = (rel: string): void => {
    for (const name of readdirSync(path.join(dir, rel))) {
      const r = rel ? `${rel}/${name}` : name;
      if (r === '.git') continue;
      const abs = path.join(dir, r);
      const st = lstatSync(abs);
      if (st.isSymbolicLink()) out.set(r, { mode: '120000', content: Buffer.from(readlinkSync(abs)) });
      else if (st.isDirectory()) walk(r);
      else out.set(r, { mode: st.mode & 0o100 ? '100755' : '100644', content: readFileSync(abs) });
    }
  };
  walk('');
  return out;
}

/**
 * Plain-object form of a snapshot for whole-object comparison (sorted, content as base64; a file
 * kept by blob id only as `blob:<id>`).
 */
export function plain(snapshot: Snapshot): Record<string, { mode: string; content: string }> {
  const out: Record<string, { mode: string; content: string }> = {};
  for (const key of [...snapshot.keys()].sort()) {
    const e = snapshot.get(key)!;
    out[key] = { mode: e.mode, content: 'content' in e ? e.content.toString('base64') : `blob:${e.oid}` };
  }
  return out;
}

/** Lists empty folders (which git cannot represent; a correct applier leaves none behind). */
export function emptyDirs(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    const names = readdirSync(path.join(dir, rel));
    if (rel && names.length === 0) out.push(rel);
    for (const name of names) {
      const r = rel ? `${rel}/${name}` : name;
      if (r !== '.git' && lstatSync(path.join(dir, r)).isDirectory()) walk(r);
    }
  };
  walk('');
  return out;
}

export function gitRaw(args: string[], cwd: string): Buffer {
  const r = spawnSync('git', ['-c', 'core.autocrlf=false', '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
    cwd,
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CEILING_DIRECTORIES: path.dirname(cwd) },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

export function git(args: string[], cwd: string, input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('git', ['-c', 'init.defaultBranch=main', '-c', 'core.autocrlf=false', '-c', 'core.safecrlf=false', '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
    cwd,
    input,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0', GIT_CEILING_DIRECTORIES: path.dirname(cwd) },
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** {files, additions, deletions} from `git apply --numstat` output. */
export function numstatTotals(out: string): { files: number; additions: number; deletions: number } {
  let files = 0;
  let additions = 0;
  let deletions = 0;
  for (const line of out.split('\n')) {
    const m = /^(\d+|-)\t(\d+|-)\t/.exec(line);
    if (!m) continue;
    files++;
    if (m[1] !== '-') additions += Number(m[1]);
    if (m[2] !== '-') deletions += Number(m[2]);
  }
  return { files, additions, deletions };
}

/**
 * Applies `patch` with real `git apply` to a git-initialised copy of `before`; returns the tree
 * it produced and the numstat totals. Throws with git's message when the check fails.
 */
export function gitApply(before: Snapshot, patch: string): { tree: FileTree; numstat: { files: number; additions: number; deletions: number }; emptyDirs: string[] } {
  const base = tempDir('git-apply-');
  const repo = path.join(base, 'repo');
  try {
    mkdirSync(repo);
    materialise(before, repo);
    git(['init', '-q'], repo);
    const patchFile = path.join(base, 'diff.patch');
    writeFileSync(patchFile, patch);
    const check = git(['apply', '--check', '--whitespace=nowarn', patchFile], repo);
    if (check.code !== 0) throw new Error(`git apply --check failed: ${check.stderr}`);
    const apply = git(['apply', '--whitespace=nowarn', patchFile], repo);
    if (apply.code !== 0) throw new Error(`git apply failed: ${apply.stderr}`);
    const numstat = git(['apply', '--numstat', patchFile], repo);
    return { tree: readTree(repo), numstat: numstatTotals(numstat.stdout), emptyDirs: emptyDirs(repo) };
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

/** Small deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
