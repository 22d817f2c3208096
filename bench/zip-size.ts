/** The size of a zip archive as `sam build`/`sam deploy` would package files. */
import fs from 'node:fs';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';

// Fixed parts of a zip archive: local file header, central directory entry, end of central directory.
const LOCAL_HEADER = 30;
const CENTRAL_ENTRY = 46;
const END_RECORD = 22;

/**
 * Bytes of a zip archive holding `files` (paths) under their base names, each stored with
 * deflate at zlib's default level 6, which is what Python's zipfile ZIP_DEFLATED (SAM's
 * packager) uses: headers plus compressed data, no extra fields.
 */
export function zipSize(files: string[]): number {
  let total = END_RECORD;
  for (const file of files) {
    const name = Buffer.byteLength(path.basename(file));
    const data = fs.readFileSync(file);
    const deflated = deflateRawSync(data, { level: 6 }).length;
    total += LOCAL_HEADER + name + Math.min(deflated, data.length) + CENTRAL_ENTRY + name;
  }
  return total;
}
