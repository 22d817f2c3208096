import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startFakeBedrock, type FakeBedrock, type RecordedRequest } from './fake-bedrock.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin', 'agent-runner.mjs');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a CLI run in tests: the caller's minus every AWS_* and AGENT_RUNNER_*
 * variable, fake keys, a region, no shared config files, a scratch HOME, plus `extra`.
 */
export function cliEnv(scratch: string, extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^AWS_/i.test(k) || /^AGENT_RUNNER_/i.test(k)) continue;
    env[k] = v;
  }
  Object.assign(env, {
    AWS_ACCESS_KEY_ID: 'AKIATESTCLI000000001',
    AWS_SECRET_ACCESS_KEY: 'cli/test/secret/key/000000000000000000000',
    AWS_SESSION_TOKEN: 'cli-test-session-token-SECRET',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: path.join(scratch, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(scratch, 'no-aws-credentials'),
    HOME: path.join(scratch, 'home'),
    NO_COLOR: '1',
  });
  fs.mkdirSync(env.HOME, { recursive: true });
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/**
 * Runs `agent-runner ARGS` as a child process (same Node as the tests); `input` goes to its stdin;
 * with `asUid`, as that user and group through `setpriv` (which execs Node, so `onSpawn` still
 * gets the runner's pid).
 */
export function runCli(args: string[], env: Record<string, string>, opts: NodeRunOptions & { asUid?: number } = {}): Promise<CliRun> {
  if (opts.asUid === undefined) return runNode([BIN, ...args], env, opts);
  return runProgram('setpriv', [`--reuid=${opts.asUid}`, `--regid=${opts.asUid}`, '--clear-groups', process.execPath, BIN, ...args], env, opts);
}

export interface NodeRunOptions {
  onSpawn?: (pid: number) => void;
  timeoutMs?: number;
  input?: string;
  cwd?: string;
}

/** Runs `node ARGS` (the tests' Node) from the repository root unless `cwd`, collecting its output. */
export function runNode(args: string[], env: Record<string, string>, opts: NodeRunOptions = {}): Promise<CliRun> {
  return runProgram(process.execPath, args, env, opts);
}

/** Runs `program ARGS` as runNode does (without blocking the event loop, so that in-process fakes answer). */
export function runProgram(program: string, args: string[], env: Record<string, string>, opts: NodeRunOptions = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(program, args, { cwd: opts.cwd ?? ROOT, env, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    child.stdin?.end(opts.input);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c) => (stdout += c));
    child.stderr?.on('data', (c) => (stderr += c));
    if (child.pid && opts.onSpawn) opts.onSpawn(child.pid);
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A fresh scratch folder. */
export function scratchDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `ar-${label}-`));
}

/** The only task folder under `out` and its parsed artifacts. */
export function readTask(out: string) {
  const dirs = fs.readdirSync(out);
  if (dirs.length !== 1) throw new Error(`expected one task folder under ${out}, got ${dirs.join(', ')}`);
  const dir = path.join(out, dirs[0]);
  const read = (n: string) => fs.readFileSync(path.join(dir, n), 'utf8');
  return {
    taskId: dirs[0],
    dir,
    result: JSON.parse(read('result.json')),
    task: JSON.parse(read('task.json')),
    transcript: fs.existsSync(path.join(dir, 'transcript.json')) ? JSON.parse(read('transcript.json')) : undefined,
    diff: read('diff.patch'),
    events: read('events.ndjson').trim().split('\n').map((l) => JSON.parse(l)),
  };
}

/** One test's folders and environment, from useFakeBedrockCli. */
export interface CliCase {
  scratch: string;
  /** The workspace, holding `files`. */
  ws: string;
  /** The --out folder (not created). */
  out: string;
  /** cliEnv pointed at the fake Bedrock, plus `extra`. */
  env: Record<string, string>;
  /** The model requests this case made. */
  reqs: () => RecordedRequest[];
}

/**
 * For a file of CLI tests against one fake Bedrock: starts it before the file's tests and closes
 * it after; `newCase` makes a scratch folder for one test (removed after it) and its environment.
 */
export function useFakeBedrockCli(label: string) {
  let fake: FakeBedrock | undefined;
  let scratch: string | undefined;
  beforeAll(async () => {
    fake = await startFakeBedrock({ script: [] });
  });
  afterAll(async () => fake?.close());
  afterEach(() => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    scratch = undefined;
  });
  return {
    fake: (): FakeBedrock => fake as FakeBedrock,
    newCase(files: Record<string, string> = {}, extra: Record<string, string | undefined> = {}): CliCase {
      const f = fake as FakeBedrock;
      scratch = scratchDir(label);
      const ws = path.join(scratch, 'ws');
      fs.mkdirSync(ws);
      for (const [p, c] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(ws, p)), { recursive: true });
        fs.writeFileSync(path.join(ws, p), c);
      }
      const base = f.modelRequests.length;
      return { scratch, ws, out: path.join(scratch, 'out'), env: cliEnv(scratch, { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: f.url, ...extra }), reqs: () => f.modelRequests.slice(base) };
    },
  };
}
