import { describe, expect, it } from 'vitest';
import { HeadTailCapture, truncateOutput } from '../../../../src/agent/tools/index.ts';

describe('truncateOutput', () => {
  it('returns text that fits unchanged', () => {
    expect(truncateOutput('hello\nworld', 32)).toBe('hello\nworld');
  });

  it('keeps head and tail of long text within the byte budget and says how much was cut', () => {
    const text = 'H'.repeat(50_000) + 'M'.repeat(50_000) + 'T'.repeat(50_000);
    const out = truncateOutput(text, 32 * 1024);
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(32 * 1024);
    const match = /^(H+)\n\n\[\.\.\. (\d+) bytes cut \.\.\.\]\n\n(T+)$/.exec(out);
    expect(match).not.toBeNull();
    const [, head, cut, tail] = match!;
    expect(head.length + Number(cut) + tail.length).toBe(text.length);
    expect(head.length).toBeGreaterThan(15_000);
    expect(tail.length).toBeGreaterThan(15_000);
  });

  it('never splits a multi-byte character', () => {
    const text = '€'.repeat(40_000); // 3 bytes each
    const out = truncateOutput(text, 1000);
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(1000);
    expect(out).not.toContain('\uFFFD');
    const [head, tail] = out.split(/\n\n\[\.\.\. \d+ bytes cut \.\.\.\]\n\n/);
    expect(head).toMatch(/^€+$/);
    expect(tail).toMatch(/^€+$/);
    const cut = Number(/(\d+) bytes cut/.exec(out)![1]);
    expect(Buffer.byteLength(head) + cut + Buffer.byteLength(tail)).toBe(120_000);
  });
});

describe('HeadTailCapture', () => {
  it('keeps everything while it fits', () => {
    const c = new HeadTailCapture(10, 10);
    c.push(Buffer.from('abc'));
    c.push(Buffer.from('def'));
    expect(c.text()).toBe('abcdef');
    expect(c.total).toBe(6);
  });

  it('keeps only head and tail of a 5 MB stream, with the exact cut count', () => {
    const c = new HeadTailCapture(1000, 1000);
    const line = Buffer.from('0123456789abcdef'.repeat(4) + '\n'); // 65 bytes
    let total = 0;
    let chunk = Buffer.alloc(0);
    for (let i = 0; i < 5_000_000 / 65; i++) {
      chunk = Buffer.concat([chunk, line]);
      if (chunk.length > 60_000) {
        c.push(chunk);
        total += chunk.length;
        chunk = Buffer.alloc(0);
      }
    }
    c.push(Buffer.from('THE END\n'));
    total += 8;
    expect(c.total).toBe(total);
    const text = c.text();
    expect(text.startsWith('0123456789abcdef')).toBe(true);
    expect(text.endsWith('THE END\n')).toBe(true);
    expect(text).toContain(`[... ${total - 2000} bytes cut ...]`);
    expect(Buffer.byteLength(text)).toBeLessThan(2100);
  });

  it('drops partial characters at the cut edges and counts them as cut', () => {
    const c = new HeadTailCapture(4, 4);
    c.push(Buffer.from('€€€€€€')); // 18 bytes; head 4 = € + 1 byte, tail 4 = 1 byte + €
    const text = c.text();
    expect(text).toBe('€\n\n[... 12 bytes cut ...]\n\n€');
  });
});
