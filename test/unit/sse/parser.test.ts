import { describe, expect, it } from 'vitest';
import { SseParser, type SseMessage } from '../../../src/sse/index.ts';

const STREAM = ': hello\n\nid: 1\nevent: task_started\ndata: {"seq":1}\n\n: heartbeat\nid: 2\nevent: turn_started\ndata: {"seq":2,\ndata: "x":1}\n\nretry: 1500\n\n';

describe('SseParser', () => {
  it('dispatches events on blank lines, joins data lines, skips comments and keeps the retry delay', () => {
    const p = new SseParser();
    expect(p.push(STREAM)).toEqual([
      { id: '1', event: 'task_started', data: '{"seq":1}' },
      { id: '2', event: 'turn_started', data: '{"seq":2,\n"x":1}' },
    ]);
    expect(p.retryMs).toBe(1500);
  });

  it('gives the same events whatever the chunking, with LF, CRLF or CR line ends', () => {
    const expected = new SseParser().push(STREAM);
    for (const eol of ['\n', '\r\n', '\r']) {
      const text = STREAM.replace(/\n/g, eol);
      for (const size of [1, 2, 3, 7, 64]) {
        const p = new SseParser();
        const got = [];
        for (let i = 0; i < text.length; i += size) got.push(...p.push(text.slice(i, i + size)));
        expect({ eol, size, got }).toEqual({ eol, size, got: expected });
      }
    }
  });

  it('keeps an incomplete event until its blank line arrives and defaults the type to message', () => {
    const p = new SseParser();
    expect(p.push('data: a\n')).toEqual([]);
    expect(p.push('data:b\n')).toEqual([]);
    expect(p.push('\n')).toEqual([{ event: 'message', data: 'a\nb' }]);
  });

  it('ignores unknown fields and blank events without data', () => {
    const p = new SseParser();
    expect(p.push('foo: bar\nevent: x\n\nevent: y\ndata\n\n')).toEqual([{ event: 'y', data: '' }]);
  });

  it('parses events split anywhere, with CRLF, CR, comments, multi-line data and event names', () => {
    const text = ': keep-alive\r\nevent: response.created\r\ndata: {"a":1}\r\n\r\ndata: line one\ndata:line two\n\nevent: x\rdata: cr\r\r';
    const whole = new SseParser().push(text);
    const split = new SseParser();
    const pieces: SseMessage[] = [];
    for (const ch of text) pieces.push(...split.push(ch));
    const expected = [
      { event: 'response.created', data: '{"a":1}' },
      { event: 'message', data: 'line one\nline two' },
      { event: 'x', data: 'cr' },
    ];
    expect(whole).toEqual(expected);
    expect(pieces).toEqual(expected);
  });

  it('flushes an event left without its blank line at the end, and ignores empty events', () => {
    const p = new SseParser();
    expect(p.push('event: only-a-name\n\ndata: [DONE]')).toEqual([]);
    expect(p.end()).toEqual([{ event: 'message', data: '[DONE]' }]);
  });

  it('dispatches an event ended by a CR at the end of a chunk at once, and reads a following LF as the rest of that CRLF', () => {
    const p = new SseParser();
    expect(p.push('data: a\r\r')).toEqual([{ event: 'message', data: 'a' }]);
    expect(p.push('data: b\r')).toEqual([]);
    expect(p.push('\n')).toEqual([]);
    expect(p.push('\n')).toEqual([{ event: 'message', data: 'b' }]);
  });
});
