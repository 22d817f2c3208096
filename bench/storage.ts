/**
 * Storage cost growth: what the worker bundle sends to S3 per turn during a 200-turn task, counted
 * by a proxy between it and fauxqs and attributed to turns by the `turn_started` events in the
 * event segments it writes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { invokeBundle } from '../src/local/index.ts';
import { startFakeBedrock } from '../test/support/fake-bedrock.ts';
import { setEnv } from '../test/support/fauxqs.ts';
import { bundlePath } from './bundles.ts';
import { startCountingProxy, requestsByTurn } from './counting-proxy.ts';
import { expectSucceeded, startBenchAws, taskEvent, uploadSource, workerEnv } from './local-stack.ts';
import { smallToolScript } from './loop-overhead.ts';
import { slope, windowMean } from './stats.ts';
import type { BenchContext, Measurement } from './types.ts';
import { TURN_WINDOWS, perWindow } from './windows.ts';
import { writeSmallRepo } from './workspace.ts';

const TURNS = 200;

async function runOnce(ctx: BenchContext, i: number): Promise<Record<string, number>> {
  const dir = fs.mkdtempSync(path.join(ctx.tmp, `storage-${i}-`));
  const ws = path.join(dir, 'ws');
  fs.mkdirSync(ws);
  const files = writeSmallRepo(ws);
  const b = await startBenchAws();
  const proxy = await startCountingProxy(b.aws.endpoint);
  const fake = await startFakeBedrock({ script: smallToolScript(files, TURNS), splitFrames: false });
  const taskId = `storage-${i}`;
  try {
    const key = await uploadSource(b.aws, ws, taskId, dir);
    const restore = setEnv(workerEnv(b, { s3Endpoint: proxy.url, bedrockUrl: fake.url, tmpDir: dir }));
    try {
      const out = await invokeBundle({ bundlePath: bundlePath(ctx.distDir, 'worker'), event: taskEvent(taskId, 'Look around, one small step at a time.', key, TURNS + 1), functionName: 'Worker', timeoutMs: 900_000, clock: Date.now });
      const failures = (out as { result?: { batchItemFailures?: unknown[] } }).result?.batchItemFailures;
      if (failures?.length) throw new Error(`bench: the worker reported failures ${JSON.stringify(failures)}`);
    } finally {
      restore();
    }
    await expectSucceeded(b, taskId, TURNS + 1);

    const byTurn = requestsByTurn(proxy.requests);
    const requests = new Map<number, number>();
    const writes = new Map<number, number>();
    const bodyKb = new Map<number, number>();
    const wireKb = new Map<number, number>();
    for (let t = 1; t <= TURNS; t++) {
      const rs = byTurn.get(t) ?? [];
      requests.set(t, rs.length);
      writes.set(t, rs.filter((r) => r.method === 'PUT' || r.method === 'POST').length);
      bodyKb.set(t, rs.reduce((n, r) => n + r.bodyBytes, 0) / 1024);
      wireKb.set(t, rs.reduce((n, r) => n + r.bodyBytes + r.headerBytes, 0) / 1024);
    }
    const sample: Record<string, number> = {
      totalRequests: proxy.requests.length,
      totalKb: proxy.requests.reduce((n, r) => n + r.bodyBytes, 0) / 1024,
      setupRequests: (byTurn.get(0) ?? []).length,
    };
    for (const [at, from, to] of TURN_WINDOWS) {
      sample[`requests@${at}`] = windowMean(requests, from, to);
      sample[`writes@${at}`] = windowMean(writes, from, to);
      sample[`bodyKb@${at}`] = windowMean(bodyKb, from, to);
      sample[`wireKb@${at}`] = windowMean(wireKb, from, to);
    }
    const turns = [...bodyKb.keys()].filter((t) => t >= 6);
    sample.bytesGrowth = 100 * 1024 * slope(turns.map((t) => [t, bodyKb.get(t)!]));
    sample.requestsGrowth = 100 * slope(turns.map((t) => [t, requests.get(t)!]));
    ctx.log(`storage run ${i + 1}: ${sample['requests@10']} / ${sample['requests@200']} requests and ${sample['bodyKb@10'].toFixed(1)} / ${sample['bodyKb@200'].toFixed(1)} KiB per turn at turns 10 / 200`);
    return sample;
  } finally {
    await fake.close();
    await proxy.close();
    await b.aws.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const storage: Measurement = {
  id: 'storage',
  title: 'Storage cost per turn (S3)',
  method:
    `The worker bundle runs a ${TURNS}-turn task (as in the loop benchmark; source from S3, checkpoints on as deployed with TASK_QUEUE_URL) against fauxqs through a counting proxy. ` +
    'A request belongs to the turn of the last turn_started event the worker had written; figures are means over turns 6-15, 96-105, 191-200. Bytes are request bodies; "on the wire" adds request lines and headers.',
  figures: [
    ...perWindow('requests', 'S3 requests', 'per turn', 1, 'flat'),
    ...perWindow('writes', 'of which writes (PUT/POST)', 'per turn', 1),
    ...perWindow('bodyKb', 'bytes sent', 'KiB/turn', 2, 'flat'),
    ...perWindow('wireKb', 'bytes on the wire', 'KiB/turn', 2),
    { key: 'bytesGrowth', label: 'growth of bytes sent', unit: 'B/turn per 100 turns', digits: 0, target: '≈ 0' },
    { key: 'requestsGrowth', label: 'growth of requests', unit: 'per turn per 100 turns', digits: 3, target: '0' },
    { key: 'setupRequests', label: 'requests before the first turn', unit: 'requests', digits: 0 },
    { key: 'totalRequests', label: `whole task (${TURNS + 1} turns): requests`, unit: 'requests', digits: 0 },
    { key: 'totalKb', label: `whole task (${TURNS + 1} turns): bytes sent`, unit: 'KiB', digits: 0 },
  ],
  defaultRuns: 3,
  async measure(ctx, runs) {
    const samples: Record<string, number>[] = [];
    for (let i = 0; i < runs; i++) samples.push(await runOnce(ctx, i));
    return samples;
  },
};
