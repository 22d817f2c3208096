/**
 * Footprint: bundle sizes (raw and zipped as SAM packages them), the worker's cold import time in
 * a fresh Node process, and the worker's peak memory on a 100-turn task over a 10 MB repository.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startFakeBedrock, text, toolUse, type TurnFn } from '../test/support/fake-bedrock.ts';
import { builtFunctions, bundlePath, templateNodeOptions } from './bundles.ts';
import { runNodeChild } from './child.ts';
import { expectSucceeded, startBenchAws, taskEvent, uploadSource, workerEnv } from './local-stack.ts';
import type { Figure, Measurement } from './types.ts';
import { writeSizedRepo } from './workspace.ts';
import { zipSize } from './zip-size.ts';

const KIB = 1024;
const MEMORY_TURNS = 100;
const REPO_BYTES = 10 * 1024 * 1024;
const FUNCTIONS = ['worker', 'progress', 'webhook', 'publisher', 'view'];

export const bundleSizes: Measurement = {
  id: 'bundles',
  title: 'Bundle sizes',
  method:
    "Each function built with `npm run build`'s options. Raw = dist/<fn>/index.mjs; zipped = a zip of index.mjs and its source map (what `sam build` puts in the package), deflate at zlib's default level 6 as SAM's packager (Python zipfile, ZIP_DEFLATED) does, headers included.",
  figures: FUNCTIONS.flatMap((fn): Figure[] => [
    { key: `${fn}.raw`, label: `${fn}: index.mjs`, unit: 'KiB', digits: 0 },
    { key: `${fn}.zip`, label: `${fn}: zipped package (with source map)`, unit: 'KiB', digits: 0, ...(fn === 'worker' ? { target: '< 2048' } : {}) },
  ]),
  defaultRuns: 1,
  async measure(ctx) {
    const sample: Record<string, number> = {};
    for (const fn of builtFunctions(ctx.distDir)) {
      const file = bundlePath(ctx.distDir, fn);
      const map = `${file}.map`;
      sample[`${fn}.raw`] = fs.statSync(file).size / KIB;
      sample[`${fn}.zip`] = zipSize(fs.existsSync(map) ? [file, map] : [file]) / KIB;
    }
    return [sample];
  },
};

export const importTime: Measurement = {
  id: 'import',
  title: 'Cold import time',
  method:
    "Each bundle imported in a fresh `node` process (bench/import-child.mjs, no loader) with the worker's environment variables set to dummy values (no network at import). Time from the process's time origin (Node start-up included), and of the import alone; one sample per process.",
  figures: [
    { key: 'worker.sinceStart', label: 'worker: process start to handler ready', unit: 'ms', target: '< 150', digits: 0 },
    { key: 'worker.importMs', label: 'worker: import alone', unit: 'ms', digits: 0 },
    { key: 'worker.rssMb', label: 'worker: peak RSS after the import', unit: 'MiB', digits: 0 },
    { key: 'progress.sinceStart', label: 'progress: process start to handler ready', unit: 'ms', digits: 0 },
  ],
  defaultRuns: 10,
  async measure(ctx, runs) {
    const env = {
      PATH: process.env.PATH,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDBENCH',
      AWS_SECRET_ACCESS_KEY: 'bench-secret',
      ARTIFACT_BUCKET: 'bench-bucket',
      TASK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/bench',
      MODEL_ID: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      AWS_CONFIG_FILE: path.join(ctx.tmp, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(ctx.tmp, 'no-aws-credentials'),
    };
    const child = path.join(ctx.root, 'bench', 'import-child.mjs');
    const samples: Record<string, number>[] = [];
    for (let i = 0; i < runs; i++) {
      const sample: Record<string, number> = {};
      for (const fn of ['worker', 'progress']) {
        const r = await runNodeChild<{ sinceStart: number; importMs: number; maxRssKb: number }>(
          [child, bundlePath(ctx.distDir, fn)],
          { ...env, NODE_OPTIONS: await templateNodeOptions(ctx.root, fn) },
          ctx.tmp,
        );
        sample[`${fn}.sinceStart`] = r.sinceStart;
        sample[`${fn}.importMs`] = r.importMs;
        sample[`${fn}.rssMb`] = r.maxRssKb / 1024;
      }
      samples.push(sample);
    }
    return samples;
  },
};

/** 100 turns over a big repository: mostly reading ~20 KB files, a listing every 10th turn, an edit every 25th. */
function bigRepoScript(files: string[], turns: number): TurnFn {
  return (_body, index) => {
    if (index >= turns) return [text('Finished reading.')];
    const id = `tooluse_${index}`;
    if (index % 25 === 24) {
      const file = files[index % files.length];
      const line = `; // ${index % 7}\n`;
      return [text('Editing.'), toolUse(id, 'edit_file', { path: file, old_string: line, new_string: `; // ${index % 7} (edited)\n` })];
    }
    if (index % 10 === 9) return [text('Listing.'), toolUse(id, 'list_files', {})];
    return [text('Reading.'), toolUse(id, 'read_file', { path: files[(index * 37) % files.length] })];
  };
}

export const peakMemory: Measurement = {
  id: 'memory',
  title: 'Worker peak memory',
  method:
    `The worker bundle runs one task in a fresh \`node\` process (bench/rss-child.mjs): source a generated ${REPO_BYTES / 1024 / 1024} MiB repository (~20 KiB files) from S3, ${MEMORY_TURNS} turns (read_file of ~20 KiB files, list_files every 10th turn, edit_file every 25th), checkpoints on. ` +
    "fauxqs and the fake Bedrock run in the parent. Figure: the child's peak RSS (VmHWM of /proc/self/status: getrusage's maxRSS would carry the parent's size over the exec), which is what Lambda reports as Max Memory Used.",
  figures: [
    { key: 'peakMb', label: `peak RSS, ${MEMORY_TURNS}-turn task on a 10 MiB repository`, unit: 'MiB', target: '< 120', digits: 0 },
    { key: 'wallS', label: 'wall time of that invocation', unit: 's', digits: 1 },
  ],
  defaultRuns: 3,
  async measure(ctx, runs) {
    const dir = fs.mkdtempSync(path.join(ctx.tmp, 'memory-'));
    const ws = path.join(dir, 'repo');
    fs.mkdirSync(ws);
    const files = writeSizedRepo(ws, REPO_BYTES);
    const b = await startBenchAws();
    try {
      const key = await uploadSource(b.aws, ws, 'memory-repo', dir);
      const samples: Record<string, number>[] = [];
      for (let i = 0; i < runs; i++) {
        const fake = await startFakeBedrock({ script: bigRepoScript(files, MEMORY_TURNS), splitFrames: false });
        try {
          const taskId = `memory-${i}`;
          const env = { PATH: process.env.PATH, NODE_OPTIONS: await templateNodeOptions(ctx.root, 'worker'), ...workerEnv(b, { bedrockUrl: fake.url, tmpDir: dir }) };
          const event = taskEvent(taskId, 'Read through the project.', key, MEMORY_TURNS + 1);
          const r = await runNodeChild<{ maxRssKb: number; wallMs: number; result: { batchItemFailures: unknown[] } }>([path.join(ctx.root, 'bench', 'rss-child.mjs'), bundlePath(ctx.distDir, 'worker'), JSON.stringify(event)], env, dir);
          if (r.result.batchItemFailures.length > 0) throw new Error(`bench: the worker reported failures ${JSON.stringify(r.result.batchItemFailures)}`);
          await expectSucceeded(b, taskId, MEMORY_TURNS + 1);
          samples.push({ peakMb: r.maxRssKb / 1024, wallS: r.wallMs / 1000 });
          ctx.log(`memory run ${i + 1}/${runs}: peak ${(r.maxRssKb / 1024).toFixed(0)} MiB in ${(r.wallMs / 1000).toFixed(1)} s`);
        } finally {
          await fake.close();
        }
      }
      return samples;
    } finally {
      await b.aws.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
