/**
 * Loop overhead per turn: a 200-turn task of small tool calls through the real loop, the real
 * Bedrock provider and SDK client, against the fake Bedrock with no model latency, writing to a
 * FsArtifactStore. Per turn: wall time between `turn_started` events, minus the fake's handler
 * time; the SDK's request preparation (serialise + sign) and tool time are reported apart.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runAgent, type AgentDeps } from '../src/agent/index.ts';
import { createBedrockProvider, requireToolModel } from '../src/providers/index.ts';
import { FsArtifactStore } from '../src/store/index.ts';
import { startFakeBedrock, text, toolUse, type TurnFn } from '../test/support/fake-bedrock.ts';
import { fakeBedrockClient } from '../test/support/fake-bedrock-client.ts';
import { timeFakeHandler, timeSdkRequests } from './instrument.ts';
import { mean, slope, windowMean } from './stats.ts';
import type { BenchContext, Measurement } from './types.ts';
import { TURN_WINDOWS, perWindow } from './windows.ts';
import { writeSmallRepo } from './workspace.ts';

export const MODEL_ID = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const TURNS = 200;

/** The model's part of a scripted task: `turns` turns of one small tool call each, then a final answer. */
export function smallToolScript(files: string[], turns: number): TurnFn {
  return (_body, index) =>
    index < turns
      ? [text(`Step ${index + 1}.`), index % 2 === 0 ? toolUse(`tooluse_${index}`, 'read_file', { path: files[(index / 2) % files.length] }) : toolUse(`tooluse_${index}`, 'list_files', { path: 'src' })]
      : [text('All done.')];
}

/** Per-turn series of one run, keyed by turn number. */
interface Series {
  runner: Map<number, number>;
  serialise: Map<number, number>;
  tools: Map<number, number>;
  bodyKb: Map<number, number>;
}

async function runOnce(ctx: BenchContext, i: number): Promise<Series> {
  const dir = fs.mkdtempSync(path.join(ctx.tmp, `loop-${i}-`));
  const ws = path.join(dir, 'ws');
  fs.mkdirSync(ws);
  const files = writeSmallRepo(ws);
  const fake = await startFakeBedrock({ script: smallToolScript(files, TURNS), splitFrames: false });
  const client = fakeBedrockClient(fake);
  try {
    const fakeSpans = timeFakeHandler(fake);
    const sdkSpans = timeSdkRequests(client);
    const deps: AgentDeps = {
      provider: createBedrockProvider({ client, region: 'us-east-1' }),
      model: requireToolModel(MODEL_ID),
      store: new FsArtifactStore(path.join(dir, 'out')),
      workspace: ws,
      toolEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      // Sub-millisecond, so tool_result.durationMs is precise enough to subtract.
      clock: () => performance.timeOrigin + performance.now(),
      signal: new AbortController().signal,
      limits: { maxTurns: TURNS + 1, maxCostUsd: 1e9, timeoutSeconds: 3600 },
    };
    const started = new Map<number, number>();
    const tools = new Map<number, number>();
    let end = NaN;
    for await (const e of runAgent({ taskId: `loop-${i}`, prompt: 'Look around the project, one small step at a time.', limits: {} }, deps)) {
      if (e.type === 'turn_started') started.set(e.turn, performance.now());
      else if (e.type === 'tool_result') tools.set(e.turn, (tools.get(e.turn) ?? 0) + e.durationMs);
      else if (e.type === 'result') {
        end = performance.now();
        if (e.status !== 'succeeded' || e.turns !== TURNS + 1) throw new Error(`bench: the loop ended ${e.status} after ${e.turns} turns: ${JSON.stringify(e.error)}`);
      }
    }
    if (fakeSpans.length !== TURNS + 1 || sdkSpans.length !== TURNS + 1) throw new Error(`bench: expected ${TURNS + 1} model calls, saw ${fakeSpans.length} at the fake and ${sdkSpans.length} in the SDK`);
    const s: Series = { runner: new Map(), serialise: new Map(), tools: new Map(), bodyKb: new Map() };
    for (let t = 1; t <= TURNS; t++) {
      const wall = (started.get(t + 1) ?? end) - started.get(t)!;
      const fakeMs = fakeSpans[t - 1].end - fakeSpans[t - 1].start;
      const sdk = sdkSpans[t - 1];
      s.runner.set(t, wall - fakeMs);
      s.serialise.set(t, sdk.end - sdk.start);
      s.tools.set(t, tools.get(t) ?? 0);
      s.bodyKb.set(t, sdk.bodyBytes / 1024);
    }
    return s;
  } finally {
    client.destroy();
    await fake.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const loopOverhead: Measurement = {
  id: 'loop',
  title: 'Loop overhead per turn',
  method:
    `A ${TURNS}-turn task (each turn a short text and one read_file or list_files call) through the loop, the Bedrock provider and the real SDK client (HTTP/2) against the fake Bedrock with no latency, events to a FsArtifactStore. ` +
    "Runner time = wall time between turn_started events minus the fake's handler time for that call (it runs in the same process). " +
    'Serialisation = SDK time from its serialize step to handing the signed request to HTTP (JSON, endpoint, SigV4 body hash). Tool time from tool_result.durationMs. Each figure is the mean over turns 6-15, 96-105, 191-200; growth is the least-squares slope over turns 6-200. One warm-up run is left out.',
  figures: [
    ...perWindow('runner', 'runner time (excl. fake)', 'ms/turn', 2),
    ...perWindow('serialise', 'of which request serialisation + signing', 'ms/turn', 2),
    ...perWindow('tools', 'of which tool execution', 'ms/turn', 2),
    ...perWindow('overhead', 'runner time excl. serialisation', 'ms/turn', 2, '< 2, flat'),
    { key: 'growth', label: 'growth of runner time excl. serialisation', unit: 'ms per 100 turns', target: '≈ 0', digits: 3 },
    { key: 'serialiseGrowth', label: 'growth of serialisation + signing', unit: 'ms per 100 turns', digits: 3 },
    ...perWindow('bodyKb', 'request body', 'KiB', 1),
  ],
  defaultRuns: 7,
  async measure(ctx, runs) {
    // One run first to warm up the JIT and the file cache, left out of the figures.
    if (!ctx.quick) await runOnce(ctx, -1);
    const samples: Record<string, number>[] = [];
    for (let i = 0; i < runs; i++) {
      const s = await runOnce(ctx, i);
      const sample: Record<string, number> = {};
      for (const [at, from, to] of TURN_WINDOWS) {
        sample[`runner@${at}`] = windowMean(s.runner, from, to);
        sample[`serialise@${at}`] = windowMean(s.serialise, from, to);
        sample[`tools@${at}`] = windowMean(s.tools, from, to);
        sample[`overhead@${at}`] = sample[`runner@${at}`] - sample[`serialise@${at}`];
        sample[`bodyKb@${at}`] = windowMean(s.bodyKb, from, to);
      }
      const turns = [...s.runner.keys()].filter((t) => t >= 6);
      sample.growth = 100 * slope(turns.map((t) => [t, s.runner.get(t)! - s.serialise.get(t)!]));
      sample.serialiseGrowth = 100 * slope(turns.map((t) => [t, s.serialise.get(t)!]));
      samples.push(sample);
      ctx.log(`loop run ${i + 1}/${runs}: ${sample['overhead@10'].toFixed(2)} / ${sample['overhead@200'].toFixed(2)} ms per turn at turns 10 / 200 (mean ${mean([...s.runner.values()]).toFixed(2)})`);
    }
    return samples;
  },
};
