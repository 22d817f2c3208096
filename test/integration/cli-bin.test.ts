/**
 * bin/agent-runner.mjs, the command npm links: it runs the built CLI on Node 22 (running itself
 * again under the repository's Node 22 when started by an older one), and in a checkout it
 * rebuilds dist/cli when a source changed since the last build.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBedrock, text, toolUse } from '../support/fake-bedrock.ts';
import { BIN, ROOT, cliEnv, runNode, scratchDir, type NodeRunOptions } from '../support/cli.ts';

let scratch: string;
let env: Record<string, string>;
/** A preload making the process look like Node 20 to the bin script (and only to this process). */
let asNode20: string;

beforeAll(() => {
  scratch = scratchDir('cli-bin');
  env = cliEnv(scratch);
  asNode20 = path.join(scratch, 'as-node-20.mjs');
  fs.writeFileSync(asNode20, "Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '20.20.2' } });\n");
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const node = (args: string[], opts: NodeRunOptions & { env?: Record<string, string> } = {}) => runNode(args, { ...env, ...opts.env }, opts);

describe('bin/agent-runner.mjs on an older Node', () => {
  it("runs the CLI under the repository's Node 22, passing output and exit codes through", async () => {
    const version = await node(['--import', asNode20, BIN, '--version']);
    const version22 = await node([BIN, '--version']);
    expect(version).toEqual({ ...version22, code: 0 });
    const usage = await node(['--import', asNode20, BIN, 'run', '--no-such-flag']);
    expect({ code: usage.code, stderr: usage.stderr }).toEqual({ code: 2, stderr: "error: unknown option '--no-such-flag'\n" });
  });

  it('passes signals on: SIGTERM to the outer process ends the run as terminated', async () => {
    const fake = await startFakeBedrock({ script: [[toolUse('s1', 'shell', { command: 'echo started > started.txt; sleep 30' })], [text('never')]] });
    try {
      const ws = fs.mkdtempSync(path.join(scratch, 'ws-'));
      let pid = 0;
      const running = node(['--import', asNode20, BIN, 'run', '--workspace', ws, '--out', path.join(scratch, 'out'), 'wait'], { onSpawn: (p) => (pid = p), env: { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url } });
      for (let i = 0; i < 400 && !fs.existsSync(path.join(ws, 'started.txt')); i++) await new Promise((r) => setTimeout(r, 50));
      process.kill(pid, 'SIGTERM');
      const r = await running;
      expect({ code: r.code, signal: r.signal }).toEqual({ code: 143, signal: null });
      expect(r.stderr).toContain('failed: terminated (SIGTERM)');
    } finally {
      await fake.close();
    }
  });

  it('says that Node 22 is needed, exit 2, where there is no newer Node to run under', async () => {
    const lone = path.join(scratch, 'lone');
    fs.mkdirSync(path.join(lone, 'bin'), { recursive: true });
    fs.copyFileSync(BIN, path.join(lone, 'bin', 'agent-runner.mjs'));
    const r = await node(['--import', asNode20, path.join(lone, 'bin', 'agent-runner.mjs'), '--help']);
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 2, stdout: '', stderr: `agent-runner: needs Node.js 22 or newer; this is Node.js 20.20.2 (${process.execPath})\n` });
  });
});

describe('bin/agent-runner.mjs in a checkout', () => {
  it('builds dist/cli when it is missing and again after a source changes, never otherwise', async () => {
    // A checkout of the CLI's own files, sharing the repository's node_modules.
    const co = path.join(scratch, 'checkout');
    for (const p of ['bin', 'src', 'scripts/build-cli.mjs', 'package.json', 'package-lock.json']) fs.cpSync(path.join(ROOT, p), path.join(co, p), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(co, 'node_modules'));
    const bin = path.join(co, 'bin', 'agent-runner.mjs');
    const main = path.join(co, 'dist', 'cli', 'main.mjs');
    const mtime = () => fs.statSync(main).mtimeMs;

    expect((await node([bin, 'runs', '--help'], { cwd: os.tmpdir() })).stdout).toMatch(/^Usage: agent-runner runs/);
    const first = mtime();
    expect((await node([bin, 'runs', '--help'], { cwd: os.tmpdir() })).code).toBe(0);
    expect(mtime()).toBe(first);

    const file = path.join(co, 'src', 'cli', 'version.ts');
    fs.writeFileSync(file, `${fs.readFileSync(file, 'utf8')}\nexport const CHANGED = 1;\n`);
    fs.utimesSync(file, new Date(), new Date(first + 5000));
    // The top-level help and version do not look at the sources; a command does.
    expect((await node([bin, '--version'], { cwd: os.tmpdir() })).code).toBe(0);
    expect(mtime()).toBe(first);
    expect((await node([bin, 'runs', '--help'], { cwd: os.tmpdir() })).code).toBe(0);
    expect(mtime()).toBeGreaterThan(first);
  });
});
