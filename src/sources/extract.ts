import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { Parser, type ReadEntry } from 'tar';
import { resolveLinkInside } from '../security/links.ts';
import { SourceError } from './errors.ts';

/** Bounds on what a source may unpack to. */
export interface ExtractLimits {
  /** Total bytes of file content. */
  maxBytes: number;
  /** Entries of any kind (files, folders, links). */
  maxFiles: number;
}

export const DEFAULT_EXTRACT_LIMITS: ExtractLimits = { maxBytes: 2 * 1024 * 1024 * 1024, maxFiles: 200_000 };

export interface ExtractOptions extends Partial<ExtractLimits> {
  /** Leading path components to drop (GitHub tarballs hold one top folder). */
  strip?: number;
  signal?: AbortSignal;
}

export interface ExtractStats {
  files: number;
  bytes: number;
}

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);
/** Entries that unpack to nothing (`./`, the stripped top folder) beyond this many are refused. */
const MAX_EMPTY_ENTRIES = 1000;
const DIR_TYPES = new Set(['Directory', 'GNUDumpDir']);
/** Longest entry path kept (Linux allows 4096 bytes with the workspace's own path in front). */
const MAX_ENTRY_PATH_BYTES = 4000;
/** Longest name of one path component (NAME_MAX). */
const MAX_NAME_BYTES = 255;

/**
 * Unpacks a tar archive (gzip-compressed or not; detected from its first bytes) into `dest`,
 * streaming, never holding the archive in memory or on disk. Refuses, with a SourceError, entries
 * that would escape `dest` (absolute paths, `..`, writing through a symlink, symlinks or hard links
 * pointing outside, also through a chain of links), device files and FIFOs, and archives beyond
 * the byte or entry limits or expanding more than tar's decompression ratio (1000). On failure
 * `dest` may hold part of the archive: the caller wipes it.
 */
export async function extractTarball(
  input: AsyncIterable<Uint8Array>,
  dest: string,
  opts: ExtractOptions = {},
): Promise<ExtractStats> {
  const limits = { maxBytes: opts.maxBytes ?? DEFAULT_EXTRACT_LIMITS.maxBytes, maxFiles: opts.maxFiles ?? DEFAULT_EXTRACT_LIMITS.maxFiles };
  const root = path.resolve(dest);
  fs.mkdirSync(root, { recursive: true });
  const writer = new EntryWriter(root, opts.strip ?? 0, limits);
  const parser = new Parser({ strict: true });
  let failure: Error | undefined;
  const fail = (err: unknown): void => {
    if (failure) return;
    failure = err instanceof Error ? err : new Error(String(err));
    writer.abort();
    // tar decorates the error it is given; keep ours intact.
    parser.abort(new Error(failure.message));
  };
  const done = new Promise<void>((resolve, reject) => {
    parser.on('end', () => resolve());
    parser.on('error', (err: Error) => reject(err));
  });
  done.catch(() => undefined);
  parser.on('entry', (entry: ReadEntry) => {
    if (failure) return void entry.resume();
    try {
      const write = writer.add(entry);
      if (write) write.catch(fail);
      else entry.resume();
    } catch (err) {
      entry.resume();
      fail(err);
    }
  });

  try {
    for await (const chunk of input) {
      if (failure) break;
      opts.signal?.throwIfAborted();
      if (!parser.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))) {
        await Promise.race([once(parser, 'drain'), done]);
      }
    }
    if (!failure) {
      parser.end();
      await done;
      await writer.settle();
      writer.checkLinks();
    }
  } catch (err) {
    if (!failure) failure = toSourceError(err);
    // An entry cut off by the failure never ends: its write must be torn down, not awaited.
    writer.abort();
  }
  await writer.settle().catch(() => undefined);
  if (failure) throw toSourceError(failure);
  return { files: writer.files, bytes: writer.bytes };
}

function toSourceError(err: unknown): SourceError {
  if (err instanceof SourceError) return err;
  const e = err as Error & { code?: string; name?: string };
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError') {
    return new SourceError('source_unavailable', `extraction stopped: ${e.message}`, { cause: err, retryable: true });
  }
  if (/max decompression ratio exceeded/.test(e?.message ?? '')) {
    return new SourceError('archive_too_large', `the archive expands more than tar allows (a decompression bomb): ${e.message}`, { cause: err });
  }
  if (e?.code === 'ENAMETOOLONG') return unsafe(`an entry's path is too long for the file system: ${e.message}`);
  if (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code) && e.code !== 'EINVAL') {
    // A local file-system fault (ENOSPC, EIO...): the host's problem, not the archive's.
    return new SourceError('source_unavailable', `cannot write the workspace: ${e.message}`, { cause: err, retryable: true });
  }
  return new SourceError('invalid_archive', `not a valid tar archive: ${e?.message ?? String(err)}`, { cause: err });
}

/** An entry's name for a message: quoted, its first 100 characters. */
function clipName(rel: string): string {
  return rel.length <= 100 ? JSON.stringify(rel) : `${JSON.stringify(rel.slice(0, 100)).slice(0, -1)}…"`;
}

function unsafe(message: string): SourceError {
  return new SourceError('unsafe_archive', message);
}

/**
 * Archive-relative path of an entry after stripping, or undefined when nothing is left (the top
 * folder itself). Throws for absolute paths, `..` components and NUL bytes.
 */
export function normaliseEntryPath(raw: string, strip: number): string | undefined {
  if (raw.includes('\0')) throw unsafe(`entry name holds a NUL byte: ${JSON.stringify(raw)}`);
  if (raw.startsWith('/') || /^[A-Za-z]:/.test(raw) || raw.startsWith('\\')) {
    throw unsafe(`entry ${JSON.stringify(raw)} has an absolute path`);
  }
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw unsafe(`entry ${JSON.stringify(raw)} escapes the workspace`);
  const kept = parts.slice(strip);
  if (kept.length === 0) return undefined;
  const rel = kept.join('/');
  // The file system would refuse these (ENAMETOOLONG), which looks like a host fault and is
  // retried: they are the archive's fault.
  const bytes = Buffer.byteLength(rel);
  if (bytes > MAX_ENTRY_PATH_BYTES) throw unsafe(`entry ${clipName(rel)} (${bytes} bytes) has a path longer than ${MAX_ENTRY_PATH_BYTES} bytes`);
  if (kept.some((p) => Buffer.byteLength(p) > MAX_NAME_BYTES)) throw unsafe(`entry ${clipName(rel)} has a name longer than ${MAX_NAME_BYTES} bytes`);
  return rel;
}

/** Writes entries one by one, checking every path against the root and the limits. */
class EntryWriter {
  files = 0;
  bytes = 0;
  private declared = 0;
  private empty = 0;
  private readonly links: string[] = [];
  private readonly knownDirs = new Set<string>(['']);
  private readonly pending: Promise<void>[] = [];
  private readonly stop = new AbortController();
  private readonly root: string;
  private readonly strip: number;
  private readonly limits: ExtractLimits;

  constructor(root: string, strip: number, limits: ExtractLimits) {
    this.root = root;
    this.strip = strip;
    this.limits = limits;
  }

  /** Creates the entry; returns the content write for files, undefined when nothing streams. */
  add(entry: ReadEntry): Promise<void> | undefined {
    const rel = normaliseEntryPath(entry.path, this.strip);
    if (rel === undefined) {
      if (++this.empty > MAX_EMPTY_ENTRIES) throw new SourceError('archive_too_large', `the archive holds more than ${MAX_EMPTY_ENTRIES} entries that unpack to nothing`);
      return undefined;
    }
    if (++this.files > this.limits.maxFiles) {
      throw new SourceError('archive_too_large', `the archive holds more than ${this.limits.maxFiles} entries`);
    }
    const type = entry.type;
    const abs = path.join(this.root, rel);
    if (DIR_TYPES.has(type)) {
      this.ensureDir(rel);
      return undefined;
    }
    if (type === 'CharacterDevice' || type === 'BlockDevice' || type === 'FIFO') {
      throw unsafe(`entry ${JSON.stringify(rel)} is a ${type === 'FIFO' ? 'FIFO' : 'device file'}`);
    }
    this.ensureDir(path.posix.dirname(rel) === '.' ? '' : path.posix.dirname(rel));
    if (FILE_TYPES.has(type)) {
      this.declared += entry.size ?? 0;
      if (this.declared > this.limits.maxBytes) throw tooLarge(this.limits.maxBytes);
      this.clearTarget(rel, abs);
      const mode = (entry.mode ?? 0o644) & 0o111 ? 0o755 : 0o644;
      // Opened now, synchronously, so a hard link in a later entry finds the file; `wx` never
      // follows a symlink planted in its place.
      const fd = fs.openSync(abs, 'wx', mode);
      const write = pipeline(entry, this.counter(), fs.createWriteStream(abs, { fd }), { signal: this.stop.signal });
      this.pending.push(write.catch(() => undefined));
      return write;
    }
    if (type === 'SymbolicLink') {
      const target = entry.linkpath ?? '';
      if (target === '' || target.startsWith('/') || target.includes('\0')) {
        throw unsafe(`symlink ${JSON.stringify(rel)} points to ${JSON.stringify(target)}, outside the workspace`);
      }
      const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(rel), target));
      if (resolved === '..' || resolved.startsWith('../')) {
        throw unsafe(`symlink ${JSON.stringify(rel)} points to ${JSON.stringify(target)}, outside the workspace`);
      }
      this.clearTarget(rel, abs);
      fs.symlinkSync(target, abs);
      this.links.push(rel);
      return undefined;
    }
    if (type === 'Link') {
      let targetRel: string | undefined;
      try {
        targetRel = normaliseEntryPath(entry.linkpath ?? '', this.strip);
      } catch {
        throw unsafe(`hard link ${JSON.stringify(rel)} points to ${JSON.stringify(entry.linkpath)}, outside the workspace`);
      }
      if (targetRel === undefined) throw unsafe(`hard link ${JSON.stringify(rel)} has no target`);
      const targetAbs = path.join(this.root, targetRel);
      const st = lstatOrUndefined(targetAbs);
      if (!st || !st.isFile() || !this.parentsAreDirs(targetRel)) {
        throw unsafe(`hard link ${JSON.stringify(rel)} must point to a file extracted before it, not ${JSON.stringify(entry.linkpath)}`);
      }
      this.clearTarget(rel, abs);
      fs.linkSync(targetAbs, abs);
      return undefined;
    }
    throw unsafe(`entry ${JSON.stringify(rel)} has an unsupported type ${type}`);
  }

  /**
   * Checks every symlink against the final tree, following the links it passes through: each
   * looked inside on its own, but `a -> sub/link/../..` with `sub/link -> ..` climbs out.
   */
  checkLinks(): void {
    for (const rel of this.links) {
      const res = resolveLinkInside(this.root, rel);
      if (res.inside) continue;
      const target = lstatOrUndefined(path.join(this.root, rel))?.isSymbolicLink() ? fs.readlinkSync(path.join(this.root, rel)) : '';
      throw unsafe(
        res.reason === 'loop'
          ? `symlink ${JSON.stringify(rel)} starts a chain of more than 40 links`
          : `symlink ${JSON.stringify(rel)} points to ${JSON.stringify(target)}, which leads outside the workspace through other links`,
      );
    }
  }

  /** Tears down the file writes in flight (after a failure their entries may never end). */
  abort(): void {
    this.stop.abort();
  }

  /** Waits for every file write started so far (their errors reach the caller through add()). */
  async settle(): Promise<void> {
    await Promise.all(this.pending);
  }

  private counter() {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    return async function* count(source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        self.bytes += chunk.length;
        if (self.bytes > self.limits.maxBytes) throw tooLarge(self.limits.maxBytes);
        yield chunk;
      }
    };
  }

  /** mkdir -p of an archive-relative folder, refusing to pass through symlinks or files. */
  private ensureDir(rel: string): void {
    if (this.knownDirs.has(rel)) return;
    let sofar = '';
    for (const part of rel.split('/')) {
      sofar = sofar ? `${sofar}/${part}` : part;
      if (this.knownDirs.has(sofar)) continue;
      const abs = path.join(this.root, sofar);
      const st = lstatOrUndefined(abs);
      if (!st) fs.mkdirSync(abs, { mode: 0o755 });
      else if (st.isSymbolicLink()) throw unsafe(`entry path ${JSON.stringify(rel)} passes through the symlink ${JSON.stringify(sofar)}`);
      else if (!st.isDirectory()) throw unsafe(`entry path ${JSON.stringify(rel)} passes through the file ${JSON.stringify(sofar)}`);
      this.knownDirs.add(sofar);
    }
  }

  private parentsAreDirs(rel: string): boolean {
    const dir = path.posix.dirname(rel);
    return dir === '.' || this.knownDirs.has(dir);
  }

  /** A later entry of the same name replaces a file or link (as tar does), never a folder. */
  private clearTarget(rel: string, abs: string): void {
    const st = lstatOrUndefined(abs);
    if (!st) return;
    if (st.isDirectory()) throw unsafe(`entry ${JSON.stringify(rel)} would replace a folder`);
    fs.unlinkSync(abs);
  }
}

function tooLarge(maxBytes: number): SourceError {
  return new SourceError('archive_too_large', `the archive unpacks to more than ${maxBytes} bytes`);
}

function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
