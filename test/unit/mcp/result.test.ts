import { describe, expect, it } from 'vitest';
import { toToolResult } from '../../../src/mcp/result.ts';

const PNG = Buffer.from('89504e470d0a1a0a', 'hex').toString('base64');
const opts = { maxOutputBytes: 32 * 1024 };

describe('toToolResult', () => {
  it('joins text blocks; isError makes an error result', () => {
    expect(toToolResult({ content: [{ type: 'text', text: 'one' }, { type: 'text', text: 'two' }] }, opts)).toEqual({ status: 'success', output: 'one\ntwo' });
    expect(toToolResult({ content: [{ type: 'text', text: 'no such issue' }], isError: true }, opts)).toEqual({ status: 'error', output: 'no such issue' });
    expect(toToolResult({ content: [], isError: true }, opts)).toEqual({ status: 'error', output: 'the tool reported an error without a message' });
    expect(toToolResult({ content: [] }, opts)).toEqual({ status: 'success', output: '(no output)' });
  });

  it('adds structured content as JSON unless the text already carries it', () => {
    const structuredContent = { temperature: 22, conditions: 'Sunny' };
    expect(toToolResult({ content: [{ type: 'text', text: JSON.stringify(structuredContent, null, 2) }], structuredContent }, opts).output).toBe(JSON.stringify(structuredContent, null, 2));
    expect(toToolResult({ content: [{ type: 'text', text: 'Sunny, 22 degrees.' }], structuredContent }, opts).output).toBe('Sunny, 22 degrees.');
    expect(toToolResult({ content: [{ type: 'text', text: 'Weather follows.' }], structuredContent }, opts).output).toBe('Weather follows.\nstructured content: {"temperature":22,"conditions":"Sunny"}');
    expect(toToolResult({ content: [], structuredContent }, opts).output).toBe('structured content: {"temperature":22,"conditions":"Sunny"}');
    expect(toToolResult({ content: [{ type: 'text', text: '' }], structuredContent: { content: '' } }, opts).output).toBe('structured content: {"content":""}');
  });

  it('passes images on and describes them; describes what it cannot pass', () => {
    const r = toToolResult(
      {
        content: [
          { type: 'image', data: PNG, mimeType: 'image/png' },
          { type: 'image', data: PNG, mimeType: 'image/svg+xml' },
          { type: 'audio', data: PNG, mimeType: 'audio/wav' },
          { type: 'resource_link', uri: 'file:///a.txt', name: 'a.txt', mimeType: 'text/plain' },
          { type: 'resource', resource: { uri: 'file:///b.txt', mimeType: 'text/plain', text: 'bee' } },
          { type: 'resource', resource: { uri: 'file:///c.bin', blob: PNG } },
        ],
      },
      opts,
    );
    expect(r).toEqual({
      status: 'success',
      images: [{ format: 'png', data: PNG }],
      output: [
        '[image: image/png, 8 bytes, image 1 of this result]',
        '[image: image/svg+xml, 8 bytes, not shown: only PNG, JPEG, GIF and WebP images are passed on]',
        '[audio: audio/wav, 8 bytes, not shown]',
        '[resource link: file:///a.txt (a.txt), text/plain]',
        '[resource file:///b.txt, text/plain]\nbee',
        '[resource file:///c.bin: 8 bytes of binary data, not shown]',
      ].join('\n'),
    });
  });

  it('passes at most 5 images a result', () => {
    const r = toToolResult({ content: Array.from({ length: 7 }, () => ({ type: 'image' as const, data: PNG, mimeType: 'image/jpeg' })) }, opts);
    expect([r.images?.length, r.output.split('\n').filter((l) => l.includes('not shown: only 5 images')).length]).toEqual([5, 2]);
  });

  it('cuts long text to head and tail and redacts it', () => {
    const r = toToolResult({ content: [{ type: 'text', text: `HEAD token=s3cr3t-value ${'x'.repeat(100_000)} TAIL` }] }, { maxOutputBytes: 4096, redact: (s) => s.replaceAll('s3cr3t-value', '[REDACTED]') });
    expect([Buffer.byteLength(r.output) <= 4096, r.output.startsWith('HEAD token=[REDACTED]'), r.output.endsWith('TAIL'), /bytes cut/.test(r.output)]).toEqual([true, true, true, true]);
  });
});
