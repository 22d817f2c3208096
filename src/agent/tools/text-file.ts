import type { FileHandle } from 'node:fs/promises';

/** How many leading bytes are checked for a NUL byte to call a file binary (like git and grep). */
export const BINARY_SNIFF_BYTES = 8192;

/** Whether the buffer's first 8 KiB hold a NUL byte. */
export function looksBinary(buf: Buffer): boolean {
  return buf.subarray(0, BINARY_SNIFF_BYTES).includes(0);
}

/** Whether an open file's first 8 KiB hold a NUL byte. */
export async function fileLooksBinary(fh: FileHandle): Promise<boolean> {
  const buf = Buffer.alloc(BINARY_SNIFF_BYTES);
  const { bytesRead } = await fh.read(buf, 0, BINARY_SNIFF_BYTES, 0);
  return looksBinary(buf.subarray(0, bytesRead));
}

/** Whether the text's dominant line ending is CRLF. */
export function usesCrlf(text: string): boolean {
  let crlf = 0;
  let lf = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    if (i > 0 && text.charCodeAt(i - 1) === 13) crlf++;
    else lf++;
  }
  return crlf > 0 && crlf >= lf;
}

/** `cat -n` style: the line number right-aligned in 6 columns, a tab, the text. */
export function numberLine(n: number, text: string): string {
  return `${String(n).padStart(6)}\t${text}`;
}
