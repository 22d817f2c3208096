/**
 * Progress latency: a writer appends events to S3 (fauxqs) one segment at a time at a steady
 * pace; the progress bundle serves them through the local function-URL server; the project's
 * SSE client follows the stream. Latency = receive time minus the time the write began.
 */
import path from 'node:path';
import type { AgentEvent } from '../src/task/events.ts';
import { followTaskEvents } from '../src/client/index.ts';
import { createLambdaContext, loadBundle, startFunctionUrlServer } from '../src/local/index.ts';
import { silentLog } from '../src/observability/index.ts';
import { S3ArtifactStore } from '../src/store/index.ts';
import { setEnv } from '../test/support/fauxqs.ts';
import { bundlePath } from './bundles.ts';
import { BUCKET, startBenchAws } from './local-stack.ts';
import { percentile } from './stats.ts';
import type { BenchContext, Measurement } from './types.ts';

const EVENTS = 200;
const PACE_MS = 20;

function eventAt(taskId: string, seq: number, last: boolean): AgentEvent {
  const base = { seq, time: new Date().toISOString(), taskId };
  if (last) {
    return { ...base, type: 'result', taskId, status: 'succeeded', stopReason: 'end_turn', turns: EVENTS, model: 'bench', usage: { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 }, costUsd: 0, diff: { files: 0, additions: 0, deletions: 0 } };
  }
  return seq % 2 === 0 ? { ...base, type: 'turn_started', turn: seq / 2 } : { ...base, type: 'assistant_text', turn: (seq - 1) / 2, text: `Step ${seq}: reading the next file.` };
}

async function runOnce(ctx: BenchContext, store: S3ArtifactStore, url: string, i: number): Promise<number[]> {
  const taskId = `progress-${i}`;
  await store.put(taskId, 'task.json', JSON.stringify({ taskId, prompt: 'bench' }));
  await store.appendEvents(taskId, [{ seq: 1, time: new Date().toISOString(), taskId, type: 'task_started', prompt: 'bench', model: 'bench', limits: {} }]);
  const written = new Map<number, number>();
  const received = new Map<number, number>();
  let first!: () => void;
  const connected = new Promise<void>((resolve) => (first = resolve));
  const follow = (async () => {
    const stream = followTaskEvents({ progressUrl: url, taskId, sign: async (_url, headers) => headers, startTimeoutMs: 30_000, notFoundPollMs: 50 });
    for await (const e of stream) {
      received.set(e.seq, performance.now());
      if (e.seq === 1) first();
    }
  })();
  await connected;
  const start = performance.now();
  for (let k = 0; k < EVENTS; k++) {
    const seq = k + 2;
    const due = start + k * PACE_MS;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    written.set(seq, performance.now());
    await store.appendEvents(taskId, [eventAt(taskId, seq, k === EVENTS - 1)]);
  }
  await follow;
  const latencies: number[] = [];
  for (const [seq, at] of written) {
    const got = received.get(seq);
    if (got === undefined) throw new Error(`bench: event ${seq} never reached the client`);
    latencies.push(got - at);
  }
  ctx.log(`progress run ${i + 1}: median ${percentile(latencies, 50).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms`);
  return latencies;
}

export const progressLatency: Measurement = {
  id: 'progress',
  title: 'Progress latency',
  method:
    `${EVENTS} events written to S3 (fauxqs) one segment each, every ${PACE_MS} ms; the progress bundle (default poll interval, as deployed) behind the local function-URL server; followTaskEvents from src/client reads the stream. ` +
    'Latency of an event = the client receiving it minus the writer starting its PutObject. Median and p95 per run of 200 events.',
  figures: [
    { key: 'median', label: 'event written → client received, median', unit: 'ms', target: '< 1000', digits: 0 },
    { key: 'p95', label: 'event written → client received, p95', unit: 'ms', digits: 0 },
    { key: 'max', label: 'event written → client received, max', unit: 'ms', digits: 0 },
  ],
  defaultRuns: 3,
  async measure(ctx, runs) {
    const b = await startBenchAws();
    const restore = setEnv({
      ...b.aws.env,
      ARTIFACT_BUCKET: BUCKET,
      AWS_PROFILE: undefined,
      AWS_CONFIG_FILE: path.join(ctx.tmp, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(ctx.tmp, 'no-aws-credentials'),
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      PROGRESS_POLL_MS: undefined,
      PROGRESS_HEARTBEAT_MS: undefined,
    });
    try {
      const handler = await loadBundle(bundlePath(ctx.distDir, 'progress'));
      const server = await startFunctionUrlServer({
        handler,
        context: () => createLambdaContext({ functionName: 'Progress', timeoutMs: 900_000, clock: Date.now }),
        clock: Date.now,
        log: silentLog,
      });
      const store = new S3ArtifactStore({ client: b.aws.s3, bucket: BUCKET });
      try {
        const samples: Record<string, number>[] = [];
        for (let i = 0; i < runs; i++) {
          const l = await runOnce(ctx, store, server.url, i);
          samples.push({ median: percentile(l, 50), p95: percentile(l, 95), max: Math.max(...l) });
        }
        return samples;
      } finally {
        await server.close();
      }
    } finally {
      restore();
      await b.aws.stop();
    }
  },
};
