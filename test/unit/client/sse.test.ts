import { describe, expect, it } from 'vitest';
import { SseParser } from '../../../src/client/sse.ts';

const STREAM = ': hello\n\nid: 1\nevent: task_started\ndata: {"seq":1}\n\n: heartbeat\nid: 2\nevent: turn_started\ndata: {"seq":2,\ndata: "x":1}\n\nretry: 1500\n\n';

describe('SseParser', () => {
  it('dispatches events on blank lines, joins data lines and counts comments', () => {
    const p = new SseParser();
    expect(p.push(STREAM)).toEqual([
      { id: '1', event: 'task_started', data: '{"seq":1}' },
      { id: '2', event: 'turn_started', data: '{"seq":2,\n"x":1}' },
    ]);
    expect({ comments: p.comments, retryMs: p.retryMs }).toEqual({ comments: 2, retryMs: 1500 });
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
});
