/** Workspaces the benchmarks run on: a small project, and a generated one of a given size. */
import fs from 'node:fs';
import path from 'node:path';

const WORDS = ['const', 'value', 'return', 'await', 'export', 'function', 'result', 'items', 'config', 'index', 'length', 'string', 'number', 'task', 'event', 'store'];

/** Deterministic source-like text of about `bytes` bytes (seeded, so every run reads the same files). */
export function sourceText(bytes: number, seed: number): string {
  let x = seed * 2654435761 || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const n = 3 + Math.floor(next() * 8);
    const line = `${'  '.repeat(Math.floor(next() * 3))}${Array.from({ length: n }, () => WORDS[Math.floor(next() * WORDS.length)]).join(' ')}; // ${i}`;
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join('\n') + '\n';
}

/** A small project: a README, a .gitignore and `files` source files of about 1.5 KB each. */
export function writeSmallRepo(dir: string, files = 10): string[] {
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'README.md'), '# sample\n\nA small project for the benchmarks.\n');
  fs.writeFileSync(path.join(dir, '.gitignore'), 'node_modules/\n');
  const names: string[] = [];
  for (let i = 0; i < files; i++) {
    const name = `src/module-${i}.ts`;
    fs.writeFileSync(path.join(dir, name), sourceText(1500, i + 1));
    names.push(name);
  }
  return names;
}

/** A project of about `totalBytes` in files of about 20 KB under a few folders; returns the file names. */
export function writeSizedRepo(dir: string, totalBytes: number): string[] {
  const per = 20 * 1024;
  const count = Math.ceil(totalBytes / per);
  const names: string[] = [];
  fs.writeFileSync(path.join(dir, 'README.md'), '# generated\n\nA generated project for the memory benchmark.\n');
  for (let i = 0; i < count; i++) {
    const name = `pkg-${i % 8}/src/part-${Math.floor(i / 8)}/file-${i}.ts`;
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), sourceText(per, i + 101));
    names.push(name);
  }
  return names;
}
