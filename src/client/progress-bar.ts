import type { Writable } from 'node:stream';
import { formatBytes } from './pack.ts';

export interface UploadProgress {
  update(loaded: number, total: number): void;
  done(message: string): void;
}

/**
 * An upload progress bar: on a terminal one line redrawn in place (at most every `minIntervalMs`
 * and whenever the percentage changes), elsewhere nothing until the final line.
 */
export function createUploadProgress(opts: { err: Writable; tty: boolean; label: string; width?: number; now?: () => number; minIntervalMs?: number }): UploadProgress {
  const width = opts.width ?? 30;
  const now = opts.now ?? (() => performance.now());
  const minInterval = opts.minIntervalMs ?? 100;
  let lastDraw = -Infinity;
  let lastPct = -1;
  let shown = false;
  return {
    update(loaded, total) {
      if (!opts.tty || total <= 0) return;
      const pct = Math.min(100, Math.floor((loaded / total) * 100));
      const t = now();
      if (pct === lastPct && t - lastDraw < minInterval) return;
      lastPct = pct;
      lastDraw = t;
      opts.err.write(`\r\x1b[2K${progressLine(opts.label, loaded, total, width)}`);
      shown = true;
    },
    done(message) {
      if (shown) opts.err.write('\r\x1b[2K');
      opts.err.write(`${message}\n`);
    },
  };
}

/** `uploading [#####.....]  50% 1.0 MB / 2.0 MB` */
export function progressLine(label: string, loaded: number, total: number, width: number): string {
  const ratio = total > 0 ? Math.min(1, loaded / total) : 0;
  const filled = Math.round(ratio * width);
  const pct = String(Math.floor(ratio * 100)).padStart(3, ' ');
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}% ${formatBytes(loaded)} / ${formatBytes(total)}`;
}
