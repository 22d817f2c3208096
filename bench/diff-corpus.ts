/**
 * Pairs of real file versions for the text-diff comparison: Codex's apply_patch scenarios
 * (input → expected), every file modified in this repository's git history, and the packages
 * installed at two versions in node_modules (the nested copy against the top-level one).
 */
import { isUtf8 } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface FilePair {
  /** Where the pair comes from: `apply_patch`, `git history`, `node_modules`. */
  source: string;
  before: string;
  after: string;
}

const SCENARIOS = '/work/shared/external/apply-patch';

const isText = (b: Buffer): boolean => !b.includes(0) && isUtf8(b);

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

function pairOf(source: string, a: Buffer, b: Buffer): FilePair | undefined {
  if (a.equals(b) || !isText(a) || !isText(b)) return undefined;
  return { source, before: a.toString('utf8'), after: b.toString('utf8') };
}

function scenarioPairs(): FilePair[] {
  if (!fs.existsSync(SCENARIOS)) return [];
  const out: FilePair[] = [];
  for (const s of fs.readdirSync(SCENARIOS)) {
    const input = path.join(SCENARIOS, s, 'input');
    const expected = path.join(SCENARIOS, s, 'expected');
    for (const rel of new Set([...filesUnder(input), ...filesUnder(expected)])) {
      const read = (dir: string): Buffer => (fs.existsSync(path.join(dir, rel)) ? fs.readFileSync(path.join(dir, rel)) : Buffer.alloc(0));
      const p = pairOf('apply_patch', read(input), read(expected));
      if (p) out.push(p);
    }
  }
  return out;
}

/** Reads many blobs through one `git cat-file --batch`. */
function readBlobs(root: string, oids: string[]): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  if (oids.length === 0) return out;
  const raw = execFileSync('git', ['-C', root, 'cat-file', '--batch'], { input: oids.join('\n') + '\n', maxBuffer: 1 << 30 });
  let at = 0;
  while (at < raw.length) {
    const nl = raw.indexOf(10, at);
    const [oid, , size] = raw.subarray(at, nl).toString('latin1').split(' ');
    const n = Number(size);
    out.set(oid, raw.subarray(nl + 1, nl + 1 + n));
    at = nl + 1 + n + 1;
  }
  return out;
}

function historyPairs(root: string): FilePair[] {
  let log: string;
  try {
    log = execFileSync('git', ['-C', root, 'log', '--raw', '--no-renames', '--no-abbrev', '--format=', 'HEAD'], { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return []; // not a git checkout
  }
  const changes: [string, string][] = [];
  for (const line of log.split('\n')) {
    const m = /^:\d+ \d+ ([0-9a-f]{40}) ([0-9a-f]{40}) M\t/.exec(line);
    if (m) changes.push([m[1], m[2]]);
  }
  const blobs = readBlobs(root, [...new Set(changes.flat())]);
  return changes.map(([a, b]) => pairOf('git history', blobs.get(a)!, blobs.get(b)!)).filter((p) => p !== undefined);
}

/** Packages installed twice at different versions: `node_modules/x` and `node_modules/y/node_modules/x`. */
function nodeModulesPairs(root: string): FilePair[] {
  const top = path.join(root, 'node_modules');
  const out: FilePair[] = [];
  const version = (dir: string): string | undefined => {
    try {
      return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string }).version;
    } catch {
      return undefined;
    }
  };
  const seen = new Set<string>();
  for (const owner of fs.readdirSync(top)) {
    const owners = owner.startsWith('@') ? fs.readdirSync(path.join(top, owner)).map((s) => `${owner}/${s}`) : [owner];
    for (const o of owners) {
      const nested = path.join(top, o, 'node_modules');
      if (!fs.existsSync(nested)) continue;
      for (const n of fs.readdirSync(nested)) {
        const names = n.startsWith('@') ? fs.readdirSync(path.join(nested, n)).map((s) => `${n}/${s}`) : [n];
        for (const name of names) {
          const older = path.join(nested, name);
          const v1 = version(older);
          const v2 = version(path.join(top, name));
          if (!v1 || !v2 || v1 === v2 || seen.has(`${name}@${v1}`)) continue;
          seen.add(`${name}@${v1}`);
          for (const rel of filesUnder(older)) {
            const newer = path.join(top, name, rel);
            if (!fs.existsSync(newer)) continue;
            const p = pairOf('node_modules', fs.readFileSync(path.join(older, rel)), fs.readFileSync(newer));
            if (p) out.push(p);
          }
        }
      }
    }
  }
  return out;
}

/** Every pair of text file versions the comparison runs on. */
export function collectPairs(root: string): FilePair[] {
  return [...scenarioPairs(), ...historyPairs(root), ...nodeModulesPairs(root)];
}
