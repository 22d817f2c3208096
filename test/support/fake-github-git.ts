/** The fake GitHub's git object store: blobs, trees and commits by sha, and tarballs of a commit. */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

export interface Entry {
  name: string;
  mode: string;
  type: 'blob' | 'tree';
  sha: string;
}

export interface Commit {
  tree: string;
  parents: string[];
  message: string;
}

const sha1 = (data: Buffer | string) => createHash('sha1').update(data).digest('hex');

/** Git's blob id of `content`. */
export const blobSha = (content: Buffer) => sha1(Buffer.concat([Buffer.from(`blob ${content.length}\0`), content]));

export class GitObjects {
  readonly blobs = new Map<string, Buffer>();
  readonly trees = new Map<string, Entry[]>();
  readonly commits = new Map<string, Commit>();
  private nextId = 1;

  putBlob(content: Buffer): string {
    const sha = blobSha(content);
    this.blobs.set(sha, content);
    return sha;
  }

  putTree(entries: Entry[]): string {
    const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const sha = sha1(`tree ${JSON.stringify(sorted)}`);
    this.trees.set(sha, sorted);
    return sha;
  }

  putCommit(commit: Commit): string {
    const sha = sha1(`commit ${JSON.stringify(commit)} ${this.nextId++}`);
    this.commits.set(sha, commit);
    return sha;
  }

  flatten(tree: string, prefix = '', out = new Map<string, { mode: string; sha: string }>()): Map<string, { mode: string; sha: string }> {
    for (const e of this.trees.get(tree) ?? []) {
      if (e.type === 'tree') this.flatten(e.sha, `${prefix}${e.name}/`, out);
      else out.set(prefix + e.name, { mode: e.mode, sha: e.sha });
    }
    return out;
  }

  buildTree(flat: Map<string, { mode: string; sha: string }>): string {
    const here: Entry[] = [];
    const dirs = new Map<string, Map<string, { mode: string; sha: string }>>();
    for (const [path, e] of flat) {
      const slash = path.indexOf('/');
      if (slash < 0) here.push({ name: path, mode: e.mode, type: 'blob', sha: e.sha });
      else {
        const dir = path.slice(0, slash);
        if (!dirs.has(dir)) dirs.set(dir, new Map());
        dirs.get(dir)!.set(path.slice(slash + 1), e);
      }
    }
    for (const [dir, sub] of dirs) here.push({ name: dir, mode: '040000', type: 'tree', sha: this.buildTree(sub) });
    return this.putTree(here);
  }

  isAncestor(ancestor: string, sha: string): boolean {
    const seen = new Set<string>();
    const todo = [sha];
    while (todo.length) {
      const s = todo.pop()!;
      if (s === ancestor) return true;
      if (seen.has(s)) continue;
      seen.add(s);
      todo.push(...(this.commits.get(s)?.parents ?? []));
    }
    return false;
  }

  /** A gzip tar of the commit's files under the folder `root` (ending in `/`). */
  tarball(root: string, sha: string): Buffer {
    const blocks: Buffer[] = [tarHeader(root, 0, '5', '755')];
    for (const [path, e] of this.flatten(this.commits.get(sha)!.tree)) {
      const content = this.blobs.get(e.sha)!;
      if (e.mode === '120000') {
        blocks.push(tarHeader(root + path, 0, '2', '777', content.toString('utf8')));
        continue;
      }
      blocks.push(tarHeader(root + path, content.length, '0', e.mode === '100755' ? '755' : '644'), content, Buffer.alloc((512 - (content.length % 512)) % 512));
    }
    blocks.push(Buffer.alloc(1024));
    return gzipSync(Buffer.concat(blocks));
  }
}

function tarHeader(path: string, size: number, type: string, mode: string, linkname = ''): Buffer {
  const h = Buffer.alloc(512);
  let name = path;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = path.lastIndexOf('/', path.length - 2);
    prefix = path.slice(0, cut);
    name = path.slice(cut + 1);
  }
  h.write(name, 0, 100);
  h.write(`${mode.padStart(7, '0')}\0`, 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write(type, 156);
  h.write(linkname, 157, 100);
  h.write('ustar\0', 257);
  h.write('00', 263);
  h.write(prefix, 345, 155);
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}
