/**
 * Git's binary patch encoding: zlib-deflated payload, cut into lines of at most 52 bytes, each
 * written as a length character and git's base85 (not Ascii85: git has its own alphabet).
 */
import { createHash } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import type { BinaryHunk } from './types.ts';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

const LINE_BYTES = 52;

/** The all-zero object id git uses for "no file". */
export const NULL_OID = '0'.repeat(40);

/** Git's blob object id (SHA-1 of `blob <len>\0<content>`). */
export function blobOid(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

const ALPHABET_CODES = Buffer.from(ALPHABET, 'latin1');

/** Writes git's base85 of `data` into `out` at `at`: every 4 bytes (zero-padded) become 5 characters. */
function writeBase85(data: Buffer, out: Buffer, at: number): number {
  for (let i = 0; i < data.length; i += 4) {
    let acc = ((data[i] << 24) | ((i + 1 < data.length ? data[i + 1] : 0) << 16) | ((i + 2 < data.length ? data[i + 2] : 0) << 8) | (i + 3 < data.length ? data[i + 3] : 0)) >>> 0;
    for (let j = 4; j >= 0; j--) {
      out[at + j] = ALPHABET_CODES[acc % 85];
      acc = Math.floor(acc / 85);
    }
    at += 5;
  }
  return at;
}

/** Encodes bytes in git's base85. */
export function encodeBase85(data: Buffer): string {
  const out = Buffer.alloc(Math.ceil(data.length / 4) * 5);
  writeBase85(data, out, 0);
  return out.toString('latin1');
}

/** Decodes `length` bytes from git's base85; undefined when the text is malformed. */
export function decodeBase85(text: string, length: number): Buffer | undefined {
  if (text.length !== Math.ceil(length / 4) * 5) return undefined;
  const out = Buffer.alloc(Math.ceil(length / 4) * 4);
  for (let i = 0, o = 0; i < text.length; i += 5, o += 4) {
    let acc = 0;
    for (let j = 0; j < 5; j++) {
      const code = text.charCodeAt(i + j);
      const v = code < 128 ? DECODE[code] : -1;
      if (v < 0) return undefined;
      acc = acc * 85 + v;
    }
    if (acc > 0xffffffff) return undefined;
    out.writeUInt32BE(acc, o);
  }
  return out.subarray(0, length);
}

/** One `literal` hunk (header, data lines, closing empty line) for `content`. */
export function encodeLiteralHunk(content: Buffer): string {
  const deflated = deflateSync(content);
  const full = Math.floor(deflated.length / LINE_BYTES);
  const rest = deflated.length % LINE_BYTES;
  // Each line: a length character, the base85 text and a newline.
  const out = Buffer.alloc(full * (2 + (LINE_BYTES / 4) * 5) + (rest > 0 ? 2 + Math.ceil(rest / 4) * 5 : 0));
  let at = 0;
  for (let i = 0; i < deflated.length; i += LINE_BYTES) {
    const chunk = deflated.subarray(i, i + LINE_BYTES);
    const n = chunk.length;
    out[at++] = n <= 26 ? 64 + n : 96 + n - 26;
    at = writeBase85(chunk, out, at);
    out[at++] = 10;
  }
  return `literal ${content.length}\n${out.toString('latin1')}\n`;
}

/** Decodes one data line's bytes; undefined when malformed. */
export function decodeBinaryLine(line: string): Buffer | undefined {
  if (line.length < 6) return undefined;
  const c = line.charCodeAt(0);
  let n: number;
  if (c >= 65 && c <= 90) n = c - 64;
  else if (c >= 97 && c <= 122) n = c - 96 + 26;
  else return undefined;
  return decodeBase85(line.slice(1), n);
}

/** Inflates a hunk's collected payload; undefined when it is corrupt or its size is wrong. */
export function inflateHunk(kind: BinaryHunk['kind'], size: number, deflated: Buffer): BinaryHunk | undefined {
  try {
    const data = inflateSync(deflated);
    if (data.length !== size) return undefined;
    return { kind, size, data };
  } catch {
    return undefined;
  }
}

function readVarint(buf: Buffer, pos: { at: number }): number {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (pos.at >= buf.length) throw new Error('truncated delta header');
    const byte = buf[pos.at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(byte & 0x80)) return value;
  }
}

/** Applies a git pack delta to `base`. Throws a plain Error when the delta does not fit the base. */
export function applyGitDelta(base: Buffer, delta: Buffer): Buffer {
  const pos = { at: 0 };
  const srcSize = readVarint(delta, pos);
  const dstSize = readVarint(delta, pos);
  if (srcSize !== base.length) throw new Error(`delta expects a ${srcSize}-byte base, got ${base.length} bytes`);
  const out = Buffer.alloc(dstSize);
  let o = 0;
  while (pos.at < delta.length) {
    const cmd = delta[pos.at++];
    if (cmd & 0x80) {
      let offset = 0;
      let size = 0;
      for (let i = 0; i < 4; i++) if (cmd & (1 << i)) offset += delta[pos.at++] * 2 ** (8 * i);
      for (let i = 0; i < 3; i++) if (cmd & (0x10 << i)) size += delta[pos.at++] * 2 ** (8 * i);
      if (size === 0) size = 0x10000;
      if (offset + size > base.length || o + size > dstSize) throw new Error('delta copy out of range');
      base.copy(out, o, offset, offset + size);
      o += size;
    } else if (cmd) {
      if (pos.at + cmd > delta.length || o + cmd > dstSize) throw new Error('delta insert out of range');
      delta.copy(out, o, pos.at, pos.at + cmd);
      pos.at += cmd;
      o += cmd;
    } else {
      throw new Error('delta opcode 0 is reserved');
    }
  }
  if (o !== dstSize) throw new Error(`delta produced ${o} bytes, expected ${dstSize}`);
  return out;
}
