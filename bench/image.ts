/**
 * The worker's container image: its size, and its cold start as Lambda would see it (container
 * start to handler ready, then a first invocation), beside the zip bundle under the RIC.
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { dockerClientEnv, functionConfig, loadBuildScript, prepareLocalFunction, type LocalFunctionSpec } from '../src/local/index.ts';
import type { BenchContext, Measurement } from './types.ts';

const run = promisify(execFile);
const TAG = 'agent-runner-worker:bench';
const MIB = 1024 * 1024;

/** Why the image cannot be measured here (no Docker engine), or undefined. */
function noEngine(): string | undefined {
  const res = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', timeout: 20_000 });
  if (res.error || res.status !== 0) return 'no Docker engine answers here (bash scripts/image/machine.sh starts one)';
  return undefined;
}

/** Cold starts of fresh execution environments: ms from starting the runtime to its first request for work, and to the answer of a first (empty) invocation. */
async function coldStarts(spec: Omit<LocalFunctionSpec, 'output' | 'clock'>, runs: number): Promise<{ ready: number; invoked: number }[]> {
  const out: { ready: number; invoked: number }[] = [];
  const prepared = await prepareLocalFunction({ ...spec, output: new PassThrough().resume(), clock: Date.now });
  for (let i = 0; i < runs; i++) {
    const fn = prepared.create();
    const started = performance.now();
    try {
      const res = await fn.invoke({ Records: [] });
      if (res.kind !== 'response' || res.initMs === undefined) throw new Error(`the worker did not answer: ${JSON.stringify(res)}`);
      out.push({ ready: res.initMs, invoked: performance.now() - started });
    } finally {
      await fn.stop();
    }
  }
  return out;
}

export const imageMeasurement: Measurement = {
  id: 'image',
  title: 'Worker container image',
  method:
    'The image built by scripts/image/build.sh (image/Dockerfile on the local Debian base). Size as `docker image inspect` reports it (uncompressed layers). Cold start: a fresh container (`docker run --read-only --tmpfs /tmp --user <random uid> --network host`, its entrypoint the RIC) from `docker run` to the runtime\'s first request to the local Runtime API (handler loaded), and to the answer of a first invocation (an empty SQS batch); the zip bundle under the RIC in a fresh Node.js process for comparison.',
  figures: [
    { key: 'size', label: 'image size', unit: 'MiB', digits: 0, target: '< 1024' },
    { key: 'image.ready', label: 'image: container start to handler ready', unit: 'ms', digits: 0, target: '< 2000' },
    { key: 'image.invoked', label: 'image: container start to first answer', unit: 'ms', digits: 0 },
    { key: 'zip.ready', label: 'zip under the RIC: process start to handler ready', unit: 'ms', digits: 0 },
    { key: 'zip.invoked', label: 'zip under the RIC: process start to first answer', unit: 'ms', digits: 0 },
  ],
  defaultRuns: 5,
  unavailable: noEngine,
  async measure(ctx: BenchContext, runs: number) {
    ctx.log('  building the worker image (scripts/image/build.sh; the first build takes minutes)…');
    await run('bash', [path.join(ctx.root, 'scripts/image/build.sh'), TAG], { cwd: ctx.root, maxBuffer: 16 * MIB });
    const size = Number((await run('docker', ['image', 'inspect', '--format', '{{.Size}}', TAG])).stdout.trim()) / MIB;
    const template = (await loadBuildScript(ctx.root)).parseTemplate(fs.readFileSync(path.join(ctx.root, 'template.yaml'), 'utf8'));
    const base = {
      root: ctx.root,
      distDir: ctx.distDir,
      name: 'worker',
      config: functionConfig(template, 'Worker'),
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' },
      variables: { ARTIFACT_BUCKET: 'bench-bucket', POWERTOOLS_LOG_LEVEL: 'ERROR', POWERTOOLS_METRICS_DISABLED: 'true' },
    };
    const image = await coldStarts({ ...base, image: TAG, dockerEnv: dockerClientEnv(process.env) }, runs);
    const zip = await coldStarts(base, runs);
    return image.map((s, i) => ({ size, 'image.ready': s.ready, 'image.invoked': s.invoked, 'zip.ready': zip[i].ready, 'zip.invoked': zip[i].invoked }));
  },
};
