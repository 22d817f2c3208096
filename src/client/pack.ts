import fs from 'node:fs';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { create as createTar } from 'tar';
import { walkWorkspace } from '../agent/tools/walk.ts';
import { UploadTooLargeError, type FolderSize } from './errors.ts';

export interface PackOptions {
  /** Where the gzip tar goes (a file outside the workspace). */
  outFile: string;
  /** Refuse when the archive grows beyond this many bytes. */
  maxBytes: number;
  signal?: AbortSignal;
  /** Lists the files to pack, relative to the root (default: walkWorkspace, gitignore-aware). */
  list?: (root: string, opts: { signal?: AbortSignal }) => Promise<string[]>;
}

export interface PackResult {
  file: string;
  /** Size of the archive. */
  bytes: number;
  /** Number of entries packed. */
  files: number;
  /** Sum of the packed files' sizes. */
  rawBytes: number;
}

const MB = 1024 * 1024;

/**
 * Packs the working tree under `root` into a gzip tar at `outFile`: the files `list` gives (by
 * default those tracked or not ignored by `.gitignore`, never `.git/`), entries relative to the
 * root, no enclosing folder, modes kept, owner data left out. Stops as soon as the archive passes
 * `maxBytes` and throws UploadTooLargeError naming the largest folders.
 */
export async function packWorkspace(root: string, opts: PackOptions): Promise<PackResult> {
  const list = opts.list ?? walkWorkspace;
  const files = (await list(root, { signal: opts.signal })).filter((f) => f !== '' && !isGitPath(f)).sort();
  const sizes = await statAll(root, files);
  const rawBytes = sizes.reduce((a, b) => a + b, 0);
  let bytes = 0;
  let tooLarge = false;
  const counter = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      bytes += chunk.length;
      if (bytes > opts.maxBytes) {
        tooLarge = true;
        cb(new Error('archive too large'));
        return;
      }
      cb(null, chunk);
    },
  });
  if (files.length === 0) {
    // tar refuses an empty list; an archive is its end marker, two zero blocks.
    const empty = gzipSync(Buffer.alloc(1024));
    fs.writeFileSync(opts.outFile, empty);
    return { file: opts.outFile, bytes: empty.length, files: 0, rawBytes: 0 };
  }
  const tar = createTar({ gzip: true, cwd: root, portable: true, follow: false, noDirRecurse: true }, files);
  try {
    await pipeline(tar, counter, fs.createWriteStream(opts.outFile), opts.signal ? { signal: opts.signal } : {});
  } catch (err) {
    fs.rmSync(opts.outFile, { force: true });
    if (tooLarge) {
      const largest = largestFolders(files, sizes);
      throw new UploadTooLargeError(tooLargeMessage(opts.maxBytes, rawBytes, largest), opts.maxBytes, largest);
    }
    throw err;
  }
  return { file: opts.outFile, bytes, files: files.length, rawBytes };
}

function isGitPath(rel: string): boolean {
  return rel === '.git' || rel.startsWith('.git/') || rel.includes('/.git/');
}

async function statAll(root: string, files: string[]): Promise<number[]> {
  const out = new Array<number>(files.length).fill(0);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      try {
        const st = await fs.promises.lstat(path.join(root, files[i]));
        out[i] = st.isFile() ? st.size : 0;
      } catch {
        out[i] = 0;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(32, files.length) }, worker));
  return out;
}

/**
 * The five largest folders, one and two levels deep (a parent and its heaviest child both show,
 * which says where to look), with the files at the root as `(files at the root)`.
 */
export function largestFolders(files: string[], sizes: number[], count = 5): FolderSize[] {
  const totals = new Map<string, number>();
  const add = (k: string, n: number) => totals.set(k, (totals.get(k) ?? 0) + n);
  files.forEach((f, i) => {
    const parts = f.split('/');
    if (parts.length === 1) add('(files at the root)', sizes[i]);
    else {
      add(parts[0], sizes[i]);
      if (parts.length > 2) add(`${parts[0]}/${parts[1]}`, sizes[i]);
    }
  });
  return [...totals.entries()]
    .map(([path, bytes]) => ({ path, bytes }))
    .sort((a, b) => b.bytes - a.bytes || a.path.localeCompare(b.path))
    .slice(0, count);
}

function tooLargeMessage(maxBytes: number, rawBytes: number, largest: FolderSize[]): string {
  const folders = largest.map((f) => `${f.path} (${formatBytes(f.bytes)})`).join(', ');
  return `the working tree is too large to upload: the archive passes the limit of ${formatBytes(maxBytes)} (${formatBytes(rawBytes)} of files); largest folders: ${folders}; add them to .gitignore or raise --max-upload-mb`;
}

/** Bytes for people: `512 B`, `1.5 KB`, `200.0 MB` (powers of 1024). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < MB) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 * MB) return `${(n / MB).toFixed(1)} MB`;
  return `${(n / (1024 * MB)).toFixed(2)} GB`;
}
