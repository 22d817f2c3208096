import zlib from 'node:zlib';
import { Header, type HeaderData } from 'tar';
import { SourceError } from '../../../src/sources/index.ts';

/** One raw tar entry; `body` only for files. */
export interface RawEntry extends HeaderData {
  body?: string | Buffer;
}

/**
 * Builds a tar archive byte by byte, so tests can write entries no well-behaved tool would
 * (absolute paths, `..`, devices, links pointing anywhere).
 */
export function buildTar(entries: RawEntry[], opts: { gzip?: boolean } = { gzip: true }): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = e.body === undefined ? Buffer.alloc(0) : Buffer.from(e.body);
    const header = new Header({
      mode: e.type === 'Directory' ? 0o755 : 0o644,
      uid: 0,
      gid: 0,
      mtime: new Date(0),
      ...e,
      size: body.length,
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block, body);
    const pad = (512 - (body.length % 512)) % 512;
    if (pad) blocks.push(Buffer.alloc(pad));
  }
  blocks.push(Buffer.alloc(1024));
  const tar = Buffer.concat(blocks);
  return opts.gzip === false ? tar : zlib.gzipSync(tar);
}

/** A readable source of the archive in small chunks (exercises streaming). */
export async function* chunks(buf: Buffer, size = 997): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

/** The SourceError a promise rejects with (fails the test when it resolves or throws another error). */
export async function sourceError(p: Promise<unknown>): Promise<SourceError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof SourceError)) throw new Error(`expected a SourceError, got ${e instanceof Error ? e.stack : String(e)}`);
  return e;
}
