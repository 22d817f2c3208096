import type { Dirent } from 'node:fs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';

/** The ignore rules of one file, relative to the folder `base` ('' for the root). */
interface Rules {
  base: string;
  ig: Ignore;
}

export interface WalkOptions {
  /** Only this workspace-relative folder (or file); posix or native separators. */
  under?: string;
  signal?: AbortSignal;
}

/**
 * The files and symlinks of the workspace as sorted posix paths relative to `root`, leaving out
 * `.git` and what git ignores: root and nested `.gitignore` files and `.git/info/exclude`, deeper
 * files taking precedence, negations honoured, ignored folders not descended into. Symlinks are
 * listed, never followed. Unreadable folders are skipped. Throws the signal's reason on abort.
 */
export async function walkWorkspace(root: string, opts: WalkOptions = {}): Promise<string[]> {
  const signal = opts.signal;
  const rules: Rules[] = [];
  const exclude = await readRules(path.join(root, '.git', 'info', 'exclude'), '');
  if (exclude) rules.push(exclude);
  const rootRules = await readRules(path.join(root, '.gitignore'), '');
  if (rootRules) rules.push(rootRules);

  const parts = normaliseUnder(opts.under);
  let dir = '';
  for (const [i, part] of parts.entries()) {
    const rel = dir ? `${dir}/${part}` : part;
    if (part === '.git') return [];
    let st;
    try {
      st = await fs.lstat(path.join(root, rel));
    } catch {
      return [];
    }
    const isDir = st.isDirectory();
    if (isIgnored(rel, isDir, rules)) return [];
    if (!isDir) return i === parts.length - 1 && (st.isFile() || st.isSymbolicLink()) ? [rel] : [];
    const own = await readRules(path.join(root, rel, '.gitignore'), rel);
    if (own) rules.push(own);
    dir = rel;
  }

  const out: string[] = [];
  await walkDir(root, dir, rules, out, signal, true);
  return out.sort();
}

function normaliseUnder(under: string | undefined): string[] {
  if (!under) return [];
  return under.split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
}

async function walkDir(root: string, dir: string, rules: Rules[], out: string[], signal: AbortSignal | undefined, rulesLoaded: boolean): Promise<void> {
  signal?.throwIfAborted();
  let entries: Dirent[];
  try {
    entries = await fs.readdir(dir ? path.join(root, dir) : root, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (dir !== '' && (code === 'EACCES' || code === 'ENOENT' || code === 'ENOTDIR' || code === 'EPERM')) return;
    throw err;
  }
  let active = rules;
  if (!rulesLoaded && entries.some((e) => e.name === '.gitignore' && e.isFile())) {
    const own = await readRules(path.join(root, dir, '.gitignore'), dir);
    if (own) active = [...rules, own];
  }
  const subdirs: string[] = [];
  for (const entry of entries) {
    if (entry.name === '.git') continue;
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    const isDir = entry.isDirectory();
    if (!isDir && !entry.isFile() && !entry.isSymbolicLink()) continue;
    if (active.length > 0 && isIgnored(rel, isDir, active)) continue;
    if (isDir) subdirs.push(rel);
    else out.push(rel);
  }
  await Promise.all(subdirs.map((sub) => walkDir(root, sub, active, out, signal, false)));
}

/** Git's precedence: the deepest rules file that has a say decides; within a file the last match. */
function isIgnored(rel: string, isDir: boolean, rules: Rules[]): boolean {
  for (let i = rules.length - 1; i >= 0; i--) {
    const { base, ig } = rules[i];
    const sub = base === '' ? rel : rel.slice(base.length + 1);
    const verdict = ig.test(isDir ? `${sub}/` : sub);
    if (verdict.ignored) return true;
    if (verdict.unignored) return false;
  }
  return false;
}

async function readRules(file: string, base: string): Promise<Rules | undefined> {
  let text: string;
  try {
    const st = await fs.lstat(file);
    if (!st.isFile()) return undefined; // like git, a symlinked .gitignore is not followed
    text = await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  return { base, ig: ignore({ ignorecase: false }).add(text) };
}
