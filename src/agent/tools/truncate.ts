/** Cutting long output down to its head and tail, in bytes of UTF-8, on character boundaries. */

/**
 * The leading lines that fit `maxBytes` (each counted with its newline), so a listing is cut
 * between entries rather than in the middle.
 */
export function linesWithinBudget(lines: string[], maxBytes: number): string[] {
  let used = 0;
  for (let i = 0; i < lines.length; i++) {
    used += Buffer.byteLength(lines[i]) + 1;
    if (used > maxBytes) return lines.slice(0, i);
  }
  return lines;
}

/** The note put where bytes were cut. */
export function cutNote(cutBytes: number): string {
  return `\n\n[... ${cutBytes} bytes cut ...]\n\n`;
}

/**
 * `text` unchanged when its UTF-8 form fits `maxBytes`; otherwise its head and tail with a note
 * of how many bytes were cut in between, the whole at most `maxBytes` bytes.
 */
export function truncateOutput(text: string, maxBytes: number): string {
  if (text.length <= maxBytes / 3) return text; // a UTF-16 unit is at most 3 UTF-8 bytes
  const total = Buffer.byteLength(text, 'utf8');
  if (total <= maxBytes) return text;
  const buf = Buffer.from(text, 'utf8');
  const budget = Math.max(0, maxBytes - Buffer.byteLength(cutNote(total)));
  const headEnd = charStart(buf, Math.ceil(budget / 2));
  const tailStart = charEnd(buf, total - Math.floor(budget / 2));
  const cut = tailStart - headEnd;
  return buf.toString('utf8', 0, headEnd) + cutNote(cut) + buf.toString('utf8', tailStart);
}

/** The greatest index <= i that starts a UTF-8 character (so [0, result) holds whole characters). */
function charStart(buf: Buffer, i: number): number {
  let e = Math.min(i, buf.length);
  while (e > 0 && e < buf.length && (buf[e] & 0xc0) === 0x80) e--;
  return e;
}

/** The least index >= i that starts a UTF-8 character (so [result, end) holds whole characters). */
function charEnd(buf: Buffer, i: number): number {
  let s = Math.max(0, i);
  while (s < buf.length && (buf[s] & 0xc0) === 0x80) s++;
  return s;
}

/** The length of the longest prefix of `buf` that does not end inside a UTF-8 character. */
function completePrefix(buf: Buffer): number {
  for (let back = 1; back <= 4 && back <= buf.length; back++) {
    const b = buf[buf.length - back];
    if ((b & 0xc0) === 0x80) continue;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? buf.length - back : buf.length;
  }
  return buf.length;
}

/**
 * Keeps the first `headMax` and the last `tailMax` bytes of a stream as it arrives, so a huge
 * output never sits whole in memory; counts everything.
 */
export class HeadTailCapture {
  private readonly head: Buffer[] = [];
  private headLen = 0;
  private tail: Buffer[] = [];
  private tailLen = 0;
  /** Bytes pushed in total. */
  total = 0;

  constructor(
    private readonly headMax: number,
    private readonly tailMax: number,
  ) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.headLen < this.headMax) {
      const take = Math.min(this.headMax - this.headLen, chunk.length);
      this.head.push(chunk.subarray(0, take));
      this.headLen += take;
      chunk = chunk.subarray(take);
    }
    if (chunk.length === 0) return;
    this.tail.push(chunk);
    this.tailLen += chunk.length;
    while (this.tail.length > 1 && this.tailLen - this.tail[0].length >= this.tailMax) {
      this.tailLen -= this.tail[0].length;
      this.tail.shift();
    }
  }

  /** The captured text: everything when nothing was dropped, else head, note, tail. */
  text(): string {
    const head = Buffer.concat(this.head);
    let tail = Buffer.concat(this.tail);
    if (tail.length > this.tailMax) tail = tail.subarray(tail.length - this.tailMax);
    const cut = this.total - head.length - tail.length;
    if (cut === 0) return Buffer.concat([head, tail]).toString('utf8');
    const headEnd = completePrefix(head);
    const tailStart = charEnd(tail, 0);
    return head.toString('utf8', 0, headEnd) + cutNote(cut + (head.length - headEnd) + tailStart) + tail.toString('utf8', tailStart);
  }
}
