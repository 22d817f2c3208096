/** One full task end to end on the local emulators, each run in a fresh process (bench/e2e-child.ts). */
import fs from 'node:fs';
import path from 'node:path';
import { runNodeChild } from './child.ts';
import type { Measurement } from './types.ts';

interface E2eRun {
  wallMs: number;
  enqueueMs: number;
  startMs: number;
  runMs: number;
  downloadMs: number;
  maxRssKb: number;
}

export const endToEnd: Measurement = {
  id: 'e2e',
  title: 'One task end to end (local emulators)',
  method:
    'In a fresh process: fauxqs, the fake Bedrock and the dev stack of src/local (built worker fed from the SQS queue, built progress function behind a local function URL). ' +
    'The client packs a 12-file project, uploads it, sends the task (4 turns: list, read, edit, answer), follows the progress stream (404 retried every 50 ms) and downloads the artifacts. Memory is the peak RSS of that whole process (emulator, fake, stack and client, tsx loader included). How the time splits between the two middle phases depends on when the watcher\'s first connection lands; the wall time does not.',
  figures: [
    { key: 'wallS', label: 'enqueue → artifacts downloaded', unit: 's', digits: 2 },
    { key: 'enqueueMs', label: 'pack, upload, send', unit: 'ms', digits: 0 },
    { key: 'startMs', label: 'sent → first event at the client', unit: 'ms', digits: 0 },
    { key: 'runMs', label: 'first event → result event', unit: 'ms', digits: 0 },
    { key: 'downloadMs', label: 'download of the artifacts', unit: 'ms', digits: 0 },
    { key: 'peakMb', label: 'peak RSS of the whole local stack', unit: 'MiB', digits: 0 },
  ],
  defaultRuns: 3,
  async measure(ctx, runs) {
    const samples: Record<string, number>[] = [];
    for (let i = 0; i < runs; i++) {
      const scratch = fs.mkdtempSync(path.join(ctx.tmp, `e2e-${i}-`));
      try {
        const r = await runNodeChild<E2eRun>(['--import', 'tsx', path.join(ctx.root, 'bench', 'e2e-child.ts'), ctx.distDir, scratch], { ...process.env }, ctx.root);
        samples.push({ wallS: r.wallMs / 1000, enqueueMs: r.enqueueMs, startMs: r.startMs, runMs: r.runMs, downloadMs: r.downloadMs, peakMb: r.maxRssKb / 1024 });
        ctx.log(`e2e run ${i + 1}/${runs}: ${(r.wallMs / 1000).toFixed(2)} s, peak ${(r.maxRssKb / 1024).toFixed(0)} MiB`);
      } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
      }
    }
    return samples;
  },
};
