/** Seeded random trees and random edits of them, for property tests of the diff. */
import type { FileMode, FileTree as Snapshot } from '../../../../src/agent/diff/types.ts';
import { rng } from './helpers.ts';

const NAMES = ['a', 'b', 'src', 'lib', 'test', 'doc', 'x y', 'é', 'ñame', '数据', 'main.ts', 'README.md', 'util.js', 'run.sh', 'data.bin', 'notes.txt', 'z-last'];
const WORDS = ['{', '}', '', 'return x;', 'const a = 1;', 'if (ok) {', '  // comment', 'end', 'éàü', '\t tab', 'x'];

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

function textLines(r: Rand, n: number): string[] {
  return Array.from({ length: n }, () => (r() < 0.5 ? pick(r, WORDS) : `line ${int(r, 1, 40)}`));
}

function join(r: Rand, lines: string[]): string {
  const eol = r() < 0.15 ? '\r\n' : '\n';
  const text = lines.map((l) => l + eol).join('');
  return r() < 0.15 && text.length > 0 ? text.slice(0, -eol.length) : text;
}

function content(r: Rand): { mode: FileMode; content: Buffer } {
  const kind = r();
  if (kind < 0.08) return { mode: '120000', content: Buffer.from(pick(r, ['a', '../b', 'src/main.ts', 'missing target'])) };
  if (kind < 0.16) return { mode: '100644', content: Buffer.from(Array.from({ length: int(r, 1, 400) }, () => int(r, 0, 255))) };
  if (kind < 0.22) return { mode: '100644', content: Buffer.alloc(0) };
  return { mode: r() < 0.15 ? '100755' : '100644', content: Buffer.from(join(r, textLines(r, int(r, 1, 60)))) };
}

/** True when `p` can be added without a file/folder clash. */
function fits(tree: Snapshot, p: string): boolean {
  if (tree.has(p)) return false;
  for (const other of tree.keys()) if (other.startsWith(p + '/') || p.startsWith(other + '/')) return false;
  return true;
}

function randomPath(r: Rand, tree: Snapshot): string | undefined {
  for (let tries = 0; tries < 20; tries++) {
    const depth = int(r, 1, 3);
    const p = Array.from({ length: depth }, () => pick(r, NAMES)).join('/');
    if (fits(tree, p)) return p;
  }
  return undefined;
}

export function randomTree(seed: number): Snapshot {
  const r = rng(seed);
  const tree: Snapshot = new Map();
  const n = int(r, 3, 25);
  for (let i = 0; i < n; i++) {
    const p = randomPath(r, tree);
    if (p) tree.set(p, content(r));
  }
  return tree;
}

function editText(r: Rand, text: string): string {
  const lines = text.split('\n');
  const edits = int(r, 1, 6);
  for (let i = 0; i < edits; i++) {
    const at = int(r, 0, lines.length);
    const op = r();
    if (op < 0.35) lines.splice(at, 0, ...textLines(r, int(r, 1, 4)));
    else if (op < 0.7) lines.splice(at, int(r, 1, 3));
    else lines.splice(at, 1, ...textLines(r, int(r, 1, 2)));
  }
  return lines.join('\n');
}

/** A random edit of `before`: content edits, adds, deletes, renames, mode and type changes. */
export function randomEdit(before: Snapshot, seed: number): Snapshot {
  const r = rng(seed ^ 0x5eed);
  const after: Snapshot = new Map([...before].map(([k, v]) => [k, { ...v }]));
  const ops = int(r, 1, 8);
  for (let i = 0; i < ops; i++) {
    const keys = [...after.keys()].sort();
    const op = r();
    const key = keys.length > 0 ? pick(r, keys) : undefined;
    if (op < 0.35 && key) {
      const e = after.get(key)!;
      if (e.mode !== '120000' && !e.content.includes(0)) after.set(key, { mode: e.mode, content: Buffer.from(editText(r, e.content.toString('utf8'))) });
      else after.set(key, content(r));
    } else if (op < 0.5) {
      const p = randomPath(r, after);
      if (p) after.set(p, content(r));
    } else if (op < 0.62 && key) {
      after.delete(key);
    } else if (op < 0.8 && key) {
      const e = after.get(key)!;
      after.delete(key);
      const p = randomPath(r, after);
      after.set(p ?? key, r() < 0.3 && e.mode !== '120000' ? { mode: e.mode === '100755' ? '100644' : '100755', content: e.content } : e);
    } else if (op < 0.9 && key) {
      const e = after.get(key)!;
      if (e.mode !== '120000') after.set(key, { mode: e.mode === '100755' ? '100644' : '100755', content: e.content });
    } else if (key) {
      const e = after.get(key)!;
      after.set(key, e.mode === '120000' ? { mode: '100644', content: Buffer.from('was a link\n') } : { mode: '120000', content: Buffer.from('a') });
    }
  }
  return after;
}
