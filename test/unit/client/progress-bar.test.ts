import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createUploadProgress, progressLine } from '../../../src/client/progress-bar.ts';

function sink() {
  const s = new PassThrough();
  const chunks: string[] = [];
  s.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  return { s, chunks };
}

describe('upload progress', () => {
  it('draws a bar with percentage and sizes', () => {
    expect(progressLine('uploading', 3 * 1024 * 1024, 12 * 1024 * 1024, 8)).toBe('uploading [##......]  25% 3.0 MB / 12.0 MB');
    expect(progressLine('uploading', 5, 5, 4)).toBe('uploading [####] 100% 5 B / 5 B');
  });

  it('redraws in place on a terminal when the percentage changes, then prints the final line', () => {
    const { s, chunks } = sink();
    let t = 0;
    const p = createUploadProgress({ err: s, tty: true, label: 'up', width: 4, now: () => t });
    p.update(0, 100);
    p.update(0, 100); // same percentage, too soon: not redrawn
    t = 50;
    p.update(50, 100);
    p.done('uploaded');
    expect(chunks).toEqual(['\r\x1b[2Kup [....]   0% 0 B / 100 B', '\r\x1b[2Kup [##..]  50% 50 B / 100 B', '\r\x1b[2K', 'uploaded\n']);
  });

  it('prints only the final line when stderr is not a terminal', () => {
    const { s, chunks } = sink();
    const p = createUploadProgress({ err: s, tty: false, label: 'up' });
    p.update(10, 100);
    p.done('uploaded 1 files');
    expect(chunks).toEqual(['uploaded 1 files\n']);
  });
});
