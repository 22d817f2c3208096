/**
 * Malicious source archives: each is built byte by byte and unpacked with the real extractor;
 * each must be refused with a SourceError naming the problem, and nothing may land outside the
 * workspace folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractTarball, type ExtractOptions } from '../../src/sources/index.ts';
import { buildTar, chunks, sourceError, type RawEntry } from '../unit/sources/tar-builder.ts';
import { securityReport } from './report.ts';

const report = securityReport('archives');
let tmp: string;
let dest: string;
let outside: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sec-archives-'));
  dest = path.join(tmp, 'ws');
  outside = path.join(tmp, 'outside');
  fs.mkdirSync(outside);
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));
afterAll(() => report.flush());

/** A pax extended header record (`<len> key=value\n`, the length counting itself). */
function pax(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return `${len}${body}`;
}

async function refusal(archive: Buffer | AsyncIterable<Uint8Array>, opts: ExtractOptions = {}): Promise<{ code: string; message: string }> {
  const input = Buffer.isBuffer(archive) ? chunks(archive) : archive;
  const err = await sourceError(extractTarball(input, dest, opts));
  return { code: err.code, message: err.message };
}

/** Records the attack, asserts the refusal, and that nothing was written beside the workspace. */
async function expectRefused(attack: string, archive: Buffer, wanted: { code: string; message: string }, opts: ExtractOptions = {}): Promise<void> {
  const got = await refusal(archive, opts);
  const leftovers = fs.readdirSync(outside).concat(fs.readdirSync(tmp).filter((n) => n !== 'ws' && n !== 'outside'));
  report.check(attack, `refused (${wanted.code}), nothing written outside`, { ...got, leftovers }, { ...wanted, leftovers: [] });
}

describe('archive entries that try to leave the workspace', () => {
  it('refuses ../ traversal, absolute paths and traversal hidden in pax and GNU long-name headers', async () => {
    await expectRefused('entry ../evil.txt', buildTar([{ path: '../evil.txt', type: 'File', body: 'x' }]), {
      code: 'unsafe_archive',
      message: 'entry "../evil.txt" escapes the workspace',
    });
    await expectRefused('entry a/../../evil.txt', buildTar([{ path: 'a/../../evil.txt', type: 'File', body: 'x' }]), {
      code: 'unsafe_archive',
      message: 'entry "a/../../evil.txt" escapes the workspace',
    });
    await expectRefused(`entry with an absolute path ${outside}/abs.txt`, buildTar([{ path: `${outside}/abs.txt`, type: 'File', body: 'x' }]), {
      code: 'unsafe_archive',
      message: `entry "${outside}/abs.txt" has an absolute path`,
    });
    const paxArchive = buildTar([
      { path: 'PaxHeader/innocent.txt', type: 'ExtendedHeader', body: pax('path', '../../pax-evil.txt') },
      { path: 'innocent.txt', type: 'File', body: 'x' },
    ]);
    await expectRefused('pax header renaming innocent.txt to ../../pax-evil.txt', paxArchive, {
      code: 'unsafe_archive',
      message: 'entry "../../pax-evil.txt" escapes the workspace',
    });
    const longName = buildTar([
      { path: '././@LongLink', type: 'NextFileHasLongPath', body: '../../gnu-evil.txt\0' },
      { path: 'short.txt', type: 'File', body: 'x' },
    ]);
    await expectRefused('GNU long-name header renaming short.txt to ../../gnu-evil.txt', longName, {
      code: 'unsafe_archive',
      message: 'entry "../../gnu-evil.txt" escapes the workspace',
    });
  });

  it('refuses symlinks leaving the folder, directly, through a chain of links, or written through', async () => {
    await expectRefused(`symlink to the absolute ${outside}`, buildTar([{ path: 'l', type: 'SymbolicLink', linkpath: outside }]), {
      code: 'unsafe_archive',
      message: `symlink "l" points to ${JSON.stringify(outside)}, outside the workspace`,
    });
    await expectRefused('symlink to ../outside', buildTar([{ path: 'l', type: 'SymbolicLink', linkpath: '../outside' }]), {
      code: 'unsafe_archive',
      message: 'symlink "l" points to "../outside", outside the workspace',
    });
    const escapeThenWrite = buildTar([
      { path: 'l', type: 'SymbolicLink', linkpath: '../outside' },
      { path: 'l/pwned.txt', type: 'File', body: 'x' },
    ]);
    await expectRefused('symlink to ../outside, then a file l/pwned.txt written through it', escapeThenWrite, {
      code: 'unsafe_archive',
      message: 'symlink "l" points to "../outside", outside the workspace',
    });
    const insideThenWrite = buildTar([
      { path: 'sub/', type: 'Directory' },
      { path: 'l', type: 'SymbolicLink', linkpath: 'sub' },
      { path: 'l/x.txt', type: 'File', body: 'x' },
    ]);
    await expectRefused('symlink l -> sub (inside), then l/x.txt written through it', insideThenWrite, {
      code: 'unsafe_archive',
      message: 'entry path "l" passes through the symlink "l"',
    });
    // Each link alone stays inside by its text; followed on disk, escape climbs two levels out.
    const chain = buildTar([
      { path: 'sub/', type: 'Directory' },
      { path: 'sub/link', type: 'SymbolicLink', linkpath: '..' },
      { path: 'escape', type: 'SymbolicLink', linkpath: 'sub/link/../..' },
    ]);
    await expectRefused('symlink chain: sub/link -> .., escape -> sub/link/../..', chain, {
      code: 'unsafe_archive',
      message: 'symlink "escape" points to "sub/link/../..", which leads outside the workspace through other links',
    });
    const loop = buildTar([
      { path: 'a', type: 'SymbolicLink', linkpath: 'b' },
      { path: 'b', type: 'SymbolicLink', linkpath: 'a' },
    ]);
    await expectRefused('symlink loop a -> b -> a', loop, { code: 'unsafe_archive', message: 'symlink "a" starts a chain of more than 40 links' });
  });

  it('refuses hard links to files outside, or through a symlink', async () => {
    await expectRefused('hard link to /etc/passwd', buildTar([{ path: 'h', type: 'Link', linkpath: '/etc/passwd' }]), {
      code: 'unsafe_archive',
      message: 'hard link "h" points to "/etc/passwd", outside the workspace',
    });
    await expectRefused('hard link to ../../../etc/passwd', buildTar([{ path: 'h', type: 'Link', linkpath: '../../../etc/passwd' }]), {
      code: 'unsafe_archive',
      message: 'hard link "h" points to "../../../etc/passwd", outside the workspace',
    });
    const throughLink = buildTar([
      { path: 'sub/', type: 'Directory' },
      { path: 'sub/f.txt', type: 'File', body: 'x' },
      { path: 'l', type: 'SymbolicLink', linkpath: 'sub' },
      { path: 'h', type: 'Link', linkpath: 'l/f.txt' },
    ]);
    await expectRefused('hard link h -> l/f.txt through the symlink l', throughLink, {
      code: 'unsafe_archive',
      message: 'hard link "h" must point to a file extracted before it, not "l/f.txt"',
    });
  });

  it('refuses device files and FIFOs', async () => {
    await expectRefused('character device (/dev/null, 1:3)', buildTar([{ path: 'null', type: 'CharacterDevice', devmaj: 1, devmin: 3 }]), {
      code: 'unsafe_archive',
      message: 'entry "null" is a device file',
    });
    await expectRefused('block device (8:0)', buildTar([{ path: 'sda', type: 'BlockDevice', devmaj: 8, devmin: 0 }]), {
      code: 'unsafe_archive',
      message: 'entry "sda" is a device file',
    });
    await expectRefused('FIFO', buildTar([{ path: 'pipe', type: 'FIFO' }]), { code: 'unsafe_archive', message: 'entry "pipe" is a FIFO' });
  });
});

describe('archives that expand past the limits', () => {
  it('refuses a gzip bomb past maxBytes, and one past tar\'s decompression ratio, without hanging', async () => {
    const zeros = (mb: number) => zlib.gzipSync(buildTar([{ path: 'zeros', type: 'File', body: Buffer.alloc(mb * 1024 * 1024) }], { gzip: false }), { level: 9 });
    await expectRefused('8 MiB of zeros (8 KiB gzipped) with maxBytes 1 MiB', zeros(8), { code: 'archive_too_large', message: 'the archive unpacks to more than 1048576 bytes' }, { maxBytes: 1024 * 1024 });
    // Refused, not hung (a hang would outlast the test's time).
    const ratio = await refusal(chunks(zeros(16), 64 * 1024));
    report.check('16 MiB of zeros gzipped 1000:1, default limits', 'refused (archive_too_large) as a decompression bomb', { code: ratio.code, ratio: /decompression bomb/.test(ratio.message) }, { code: 'archive_too_large', ratio: true });
  });

  it('refuses too many files, and floods of entries that unpack to nothing', async () => {
    const many: RawEntry[] = Array.from({ length: 51 }, (_, i) => ({ path: `f${i}`, type: 'File', body: '' }));
    await expectRefused('51 files with maxFiles 50', buildTar(many), { code: 'archive_too_large', message: 'the archive holds more than 50 entries' }, { maxFiles: 50 });
    const dots: RawEntry[] = Array.from({ length: 1001 }, () => ({ path: './', type: 'Directory' }));
    await expectRefused('1001 "./" entries (no file counted)', buildTar(dots), { code: 'archive_too_large', message: 'the archive holds more than 1000 entries that unpack to nothing' });
  });

  it('still unpacks a well-behaved archive with inside links', async () => {
    const ok = buildTar([
      { path: 'src/', type: 'Directory' },
      { path: 'src/a.txt', type: 'File', body: 'a' },
      { path: 'src/up', type: 'SymbolicLink', linkpath: '../src' },
      { path: 'alias', type: 'SymbolicLink', linkpath: 'src/up/a.txt' },
      { path: 'hard', type: 'Link', linkpath: 'src/a.txt' },
    ]);
    const stats = await extractTarball(chunks(ok), dest);
    expect([stats, fs.readFileSync(path.join(dest, 'alias'), 'utf8'), fs.readFileSync(path.join(dest, 'hard'), 'utf8')]).toEqual([{ files: 5, bytes: 1 }, 'a', 'a']);
  });
});
