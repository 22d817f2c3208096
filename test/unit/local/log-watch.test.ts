import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FunctionLogWatch } from '../../../src/local/log-watch.ts';

describe('the function log watch', () => {
  it('forwards the output and keeps the error and warning lines of structured logs, split across writes', () => {
    const forward = new PassThrough();
    let forwarded = '';
    forward.on('data', (c) => (forwarded += c));
    const watch = new FunctionLogWatch(forward);
    const error = JSON.stringify({ level: 'ERROR', message: 'message failed; it will be retried', error: { name: 'HostFaultError', message: 'cannot read s3://b/k', cause: 'Error: connect ECONNREFUSED' } });
    const text = `START\n${JSON.stringify({ level: 'INFO', message: 'source ready' })}\n2026-01-01T00:00:00Z\tabc\tWARN\t${JSON.stringify({ level: 'WARN', message: 'not enough time left' })}\n${error}\n`;
    watch.write(text.slice(0, 50));
    watch.write(text.slice(50));
    expect(forwarded).toBe(text);
    expect(watch.problems).toEqual(['not enough time left', 'message failed; it will be retried: cannot read s3://b/k (Error: connect ECONNREFUSED)']);
  });
});
