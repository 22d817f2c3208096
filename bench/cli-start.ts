/**
 * The CLI as a whole process, as CI jobs start it: `agent-runner --help`, and a scripted task of
 * 1 and of 21 turns (`shell` running `echo`) against the fake Bedrock, beside the same task
 * through the Strands Agents TypeScript SDK (installed on first use into the benchmark's cache;
 * left out, with a note, when the registry cannot be reached).
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { startFakeBedrock, text, toolUse, type FakeBedrock, type Turn } from '../test/support/fake-bedrock.ts';
import type { BenchContext, Figure, Measurement } from './types.ts';
import { watchTreeMemory } from './tree-memory.ts';

const MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const STRANDS = '@strands-agents/sdk@1.19.0';
const LONG = 21;

interface ProcessRun {
  wallMs: number;
  /** Process start → the fake's first model request (NaN when none came). */
  firstRequestMs: number;
  peakKb: number;
}

/** Runs `node args` with `env` and times it; the fake must be scripted beforehand. */
function timeProcess(args: string[], env: NodeJS.ProcessEnv, cwd: string, fake?: FakeBedrock, onFirst?: { at?: number }): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    const memory = watchTreeMemory(child.pid as number);
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const wallMs = performance.now() - started;
      const peakKb = memory.stop();
      if (code !== 0) return reject(new Error(`node ${args.join(' ')} exited ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
      if (fake && fake.ranOut) return reject(new Error(`${args.join(' ')} asked the model more often than scripted`));
      resolve({ wallMs, firstRequestMs: onFirst?.at === undefined ? NaN : onFirst.at - started, peakKb });
    });
  });
}

/** `turns` turns: a `shell` call of `echo` each, then a final answer; the first one notes when it came. */
function script(turns: number, first: { at?: number }): Turn[] {
  const call = (i: number): Turn => [toolUse(`tooluse_${i}`, 'shell', { command: `echo turn ${i}` })];
  return [
    () => {
      first.at = performance.now();
      return turns === 1 ? [text('Done.')] : call(0);
    },
    ...Array.from({ length: turns - 2 }, (_, i) => call(i + 1)),
    ...(turns > 1 ? [[text('Done.')] as Turn] : []),
  ];
}

/** Installs the Strands SDK into the cache once; the path of the agent script beside it, or why not. */
function prepareStrands(ctx: BenchContext): { script?: string; note?: string } {
  const dir = path.join(path.dirname(ctx.distDir), 'strands');
  const script = path.join(dir, 'strands-agent.mjs');
  if (!fs.existsSync(path.join(dir, 'node_modules', '@strands-agents', 'sdk', 'package.json'))) {
    ctx.log(`installing ${STRANDS} into ${dir} (once)…`);
    fs.mkdirSync(dir, { recursive: true });
    const r = spawnSync('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', STRANDS], { encoding: 'utf8' });
    if (r.status !== 0) return { note: `${STRANDS} could not be installed (${(r.stderr || r.error?.message || '').trim().split('\n')[0]})` };
  }
  fs.copyFileSync(path.join(ctx.root, 'bench', 'strands-agent.mjs'), script);
  return { script };
}

const runnerFigures = (id: string, name: string, targets: { first?: string; perTurn?: string; peak?: string } = {}): Figure[] => [
  { key: `${id}.first`, label: `${name}: process start → first model request`, unit: 'ms', digits: 0, ...(targets.first ? { target: targets.first } : {}) },
  { key: `${id}.one`, label: `${name}: start + 1 turn (whole process)`, unit: 'ms', digits: 0 },
  { key: `${id}.perTurn`, label: `${name}: per turn ((21-turn run − 1-turn run) / 20)`, unit: 'ms', digits: 1, ...(targets.perTurn ? { target: targets.perTurn } : {}) },
  { key: `${id}.peak`, label: `${name}: peak memory of the process tree, 21 turns`, unit: 'MiB', digits: 0, ...(targets.peak ? { target: targets.peak } : {}) },
];

export const cliStart: Measurement = {
  id: 'cli',
  title: 'The CLI as a process (start, turns, memory)',
  method:
    "Each figure from a fresh `node bin/agent-runner.mjs …` (the built CLI in dist/cli, as `npx agent-runner` runs it) with fake keys, the fake Bedrock over loopback (no model latency) and a scripted task: the model calls `shell` with `echo` once a turn and answers on the last. Wall time from spawn to exit; the first model request timed by the fake (same process as the clock); memory is the largest sum of the tree's resident memory sampled every 5 ms from /proc (or the CLI's own VmHWM if larger). agent-runner runs it with its default sandbox (each command in bubblewrap) and with `--sandbox off`; the same task through the Strands Agents TypeScript SDK (BedrockModel, one `shell` tool running /bin/sh, no sandbox) alternates with each run. `node -e 0` is the floor any Node CLI starts from.",
  figures: [
    { key: 'node', label: '`node -e 0` (Node start-up alone, for reference)', unit: 'ms', digits: 0 },
    { key: 'help', label: 'agent-runner --help', unit: 'ms', digits: 0, target: '≤ 150' },
    { key: 'helpPeak', label: 'agent-runner --help: peak memory', unit: 'MiB', digits: 0 },
    ...runnerFigures('ar', 'agent-runner (default: commands in the bubblewrap sandbox)', { first: '≤ 250', perTurn: '≤ Strands', peak: '≤ 100' }),
    ...runnerFigures('arOff', 'agent-runner --sandbox off (commands run as Strands runs them)', { perTurn: '≤ Strands' }),
    ...runnerFigures('strands', 'Strands TS 1.19'),
  ],
  defaultRuns: 5,
  async measure(ctx, runs) {
    const fake = await startFakeBedrock({ script: [] });
    const strands = prepareStrands(ctx);
    if (strands.note) ctx.log(`${strands.note}: Strands is left out`);
    const bin = path.join(ctx.root, 'bin', 'agent-runner.mjs');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: ctx.tmp,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDBENCHCLI',
      AWS_SECRET_ACCESS_KEY: 'bench-secret',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: path.join(ctx.tmp, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(ctx.tmp, 'no-aws-credentials'),
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url,
      NO_COLOR: '1',
    };
    const task = async (runner: 'ar' | 'arOff' | 'strands', turns: number, i: number): Promise<ProcessRun> => {
      const ws = fs.mkdtempSync(path.join(ctx.tmp, `cli-ws-${runner}-`));
      const first: { at?: number } = {};
      fake.setScript(script(turns, first));
      const args =
        runner === 'strands'
          ? [strands.script as string, MODEL, ws, 'Run echo, then answer.']
          : [bin, 'run', '--workspace', ws, '--out', path.join(ctx.tmp, `cli-out-${i}`), '--model', MODEL, ...(runner === 'arOff' ? ['--sandbox', 'off'] : []), 'Run echo, then answer.'];
      try {
        return await timeProcess(args, env, ctx.root, fake, first);
      } finally {
        fs.rmSync(ws, { recursive: true, force: true });
      }
    };
    try {
      // One unmeasured round warms the file cache and the CLI's compile cache.
      await timeProcess([bin, '--help'], env, ctx.root);
      await task('ar', 1, -1);
      if (strands.script) await task('strands', 1, -1);
      const samples: Record<string, number>[] = [];
      for (let i = 0; i < runs; i++) {
        const sample: Record<string, number> = {};
        sample.node = (await timeProcess(['-e', '0'], env, ctx.root)).wallMs;
        const help = await timeProcess([bin, '--help'], env, ctx.root);
        sample.help = help.wallMs;
        sample.helpPeak = help.peakKb / 1024;
        for (const runner of strands.script ? (['ar', 'arOff', 'strands'] as const) : (['ar', 'arOff'] as const)) {
          const one = await task(runner, 1, i);
          const long = await task(runner, LONG, i);
          Object.assign(sample, { [`${runner}.first`]: one.firstRequestMs, [`${runner}.one`]: one.wallMs, [`${runner}.perTurn`]: (long.wallMs - one.wallMs) / (LONG - 1), [`${runner}.peak`]: long.peakKb / 1024 });
        }
        ctx.log(`cli run ${i + 1}/${runs}: --help ${sample.help.toFixed(0)} ms, first request ${sample['ar.first'].toFixed(0)} ms, per turn ${sample['ar.perTurn'].toFixed(1)} ms (sandbox off ${sample['arOff.perTurn'].toFixed(1)} ms${strands.script ? `, Strands ${sample['strands.perTurn'].toFixed(1)} ms` : ''})`);
        samples.push(sample);
      }
      return samples;
    } finally {
      await fake.close();
    }
  },
};
