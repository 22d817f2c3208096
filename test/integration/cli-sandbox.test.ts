/**
 * `agent-runner run` and its sandbox modes, for real with bubblewrap: what a workspace's own tools
 * need still works inside (git, npm test, python3 -m unittest, a /tmp and HOME that last the
 * run), `read-only` and `offline` take away what they say, `off` says so on every run, and where
 * bubblewrap is missing the run stops with exit 2 unless the configuration lets it go on.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBedrock, text, toolUse, type FakeBedrock, type Turn } from '../support/fake-bedrock.ts';
import { toolResultText, toolResultsIn } from '../support/fake-bedrock-inspect.ts';
import { cliEnv, readTask, runCli, scratchDir } from '../support/cli.ts';

const MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
let fake: FakeBedrock;
let scratch: string;
let ws: string;
let out: string;

beforeAll(async () => {
  fake = await startFakeBedrock({ script: [] });
});
afterAll(async () => fake.close());
afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

function setup(files: Record<string, string> = {}) {
  scratch = scratchDir('sandbox');
  ws = path.join(scratch, 'ws');
  out = path.join(scratch, 'out');
  fs.mkdirSync(ws);
  for (const [p, c] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(ws, p)), { recursive: true });
    fs.writeFileSync(path.join(ws, p), c);
  }
  return cliEnv(scratch, { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url });
}

/** Runs the CLI on one shell command a turn; resolves with the run and each result by id. */
async function runCommands(env: Record<string, string>, commands: Record<string, string>, extra: string[] = []) {
  const before = fake.modelRequests.length;
  const turns: Turn[] = Object.entries(commands).map(([id, command]) => [toolUse(id, 'shell', { command })]);
  fake.setScript([...turns, [text('done')]]);
  const r = await runCli(['run', '--workspace', ws, '--prompt', 'work', '--out', out, '--model', MODEL, ...extra], env);
  const requests = fake.modelRequests.slice(before);
  const results = Object.fromEntries(toolResultsIn(requests.at(-1)?.body).map((t) => [t.toolUseId as string, { status: t.status as string, text: toolResultText(t) }]));
  return { r, requests, results };
}

/** The runner's PATH reduced to an empty folder: no bwrap to find. */
function withoutBubblewrap(env: Record<string, string>): Record<string, string> {
  const empty = path.join(scratch, 'empty-bin');
  fs.mkdirSync(empty);
  return { ...env, PATH: empty };
}

const statuses = (results: Record<string, { status: string }>) => Object.fromEntries(Object.entries(results).map(([id, v]) => [id, v.status]));

describe('agent-runner run: sandboxed by default', () => {
  it("runs git status, npm test and python3 -m unittest in the workspace; /tmp and HOME last the run and are the run's own", { timeout: 120_000 }, async () => {
    const env = setup({
      'notes.txt': 'notes\n',
      'package.json': JSON.stringify({ name: 'tiny', version: '1.0.0', private: true, scripts: { test: 'node --test' } }),
      'sum.test.js': "const test = require('node:test');\nconst assert = require('node:assert');\ntest('adds', () => assert.strictEqual(1 + 1, 2));\n",
      'test_sum.py': 'import unittest\n\nclass T(unittest.TestCase):\n    def test_add(self):\n        self.assertEqual(1 + 1, 2)\n',
    });
    const git = (args: string[]) => spawnSync('git', ['-c', 'init.defaultBranch=main', '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: ws });
    git(['init', '-q']);
    git(['add', '.']);
    git(['commit', '-qm', 'init']);
    fs.writeFileSync(path.join(scratch, 'host-tmp-file'), 'host\n');
    const { r, results } = await runCommands(env, {
      git: 'git status --short && echo changed >> notes.txt && git status --short',
      npm: 'npm test 2>&1 | tail -n 20',
      py: 'python3 -m unittest 2>&1',
      tmp1: 'echo kept > /tmp/note && echo home > "$HOME/note" && echo "$HOME $TMPDIR"',
      tmp2: `cat /tmp/note "$HOME/note" && ls ${scratch}/host-tmp-file`,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('sandbox off');
    expect(statuses(results)).toEqual({ git: 'success', npm: 'success', py: 'success', tmp1: 'success', tmp2: 'error' });
    expect(results.git.text).toBe('exit code: 0\n M notes.txt\n');
    expect(results.npm.text).toMatch(/# pass 1\n# fail 0/);
    expect(results.py.text).toMatch(/Ran 1 test in [\d.]+s\n\nOK/);
    expect(results.tmp1.text).toBe('exit code: 0\n/tmp/home /tmp\n');
    // The runner's /tmp is not the sandbox's: the host file cannot be seen, the notes made inside can.
    expect(results.tmp2.text).toBe(`exit code: 2\nkept\nhome\nls: cannot access '${scratch}/host-tmp-file': No such file or directory\n`);
    expect(readTask(out).result).toMatchObject({ status: 'succeeded', turns: 6 });
  });

  it('read-only: no write tools are offered and the shell cannot write the workspace or use the network', { timeout: 60_000 }, async () => {
    const env = setup({ 'a.txt': 'a\n' });
    const { r, requests, results } = await runCommands(env, { write: 'echo b >> a.txt', net: 'cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " "', read: 'cat a.txt' }, ['--sandbox', 'read-only']);
    expect(r.code, r.stderr).toBe(0);
    expect(requests[0].body?.toolConfig.tools.map((t: { toolSpec?: { name: string } }) => t.toolSpec?.name).filter(Boolean)).toEqual(['shell', 'read_file', 'list_files', 'search']);
    expect(results).toEqual({
      write: { status: 'error', text: 'exit code: 2\n/bin/sh: 1: cannot create a.txt: Read-only file system\n' },
      net: { status: 'success', text: 'exit code: 0\nlo\n' },
      read: { status: 'success', text: 'exit code: 0\na\n' },
    });
    expect(fs.readFileSync(path.join(ws, 'a.txt'), 'utf8')).toBe('a\n');
  });

  it('[sandbox_workspace_write] network_access = false in the configuration means offline; --sandbox workspace-write overrides it', { timeout: 60_000 }, async () => {
    const env = setup();
    const config = path.join(scratch, 'config.toml');
    fs.writeFileSync(config, 'sandbox_mode = "workspace-write"\n[sandbox_workspace_write]\nnetwork_access = false\n');
    const devices = 'cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " " | sort | tr "\\n" " "';
    const offline = await runCommands(env, { net: devices }, ['--config', config]);
    expect(offline.r.code, offline.r.stderr).toBe(0);
    expect(offline.results.net).toEqual({ status: 'success', text: 'exit code: 0\nlo ' });
    fs.rmSync(out, { recursive: true, force: true });
    const online = await runCommands(env, { net: devices }, ['--config', config, '--sandbox', 'workspace-write']);
    expect(online.results.net.text).not.toBe('exit code: 0\nlo ');
    expect(online.results.net.text).toContain('lo ');
  });
});

describe('agent-runner run: without the sandbox', () => {
  it('--sandbox off runs commands as they are and says so on stderr', { timeout: 60_000 }, async () => {
    const env = setup();
    fs.writeFileSync(path.join(scratch, 'host-tmp-file'), 'host\n');
    const { r, results } = await runCommands(env, { see: `cat ${scratch}/host-tmp-file` }, ['--sandbox', 'off', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("agent-runner: sandbox off: the model's commands run unsandboxed, as you");
    expect(results.see).toEqual({ status: 'success', text: 'exit code: 0\nhost\n' });
  });

  it('bubblewrap missing: exit 2 before any model call, saying how to install it or opt out', async () => {
    const env = withoutBubblewrap(setup());
    const before = fake.modelRequests.length;
    const { r } = await runCommands(env, { x: 'true' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("agent-runner: cannot sandbox the model's commands: bubblewrap (bwrap) is not installed, or not on PATH.");
    expect(r.stderr).toContain('sudo apt-get install bubblewrap');
    expect(r.stderr).toContain('--sandbox off');
    expect(r.stderr).toContain('sandbox_unavailable = "run-unsandboxed"');
    expect(fake.modelRequests.length).toBe(before);
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it('bubblewrap missing with sandbox_unavailable = "run-unsandboxed": the run goes on unsandboxed and says why', { timeout: 60_000 }, async () => {
    const env = withoutBubblewrap(setup());
    const config = path.join(scratch, 'config.toml');
    fs.writeFileSync(config, 'sandbox_unavailable = "run-unsandboxed"\n');
    const { r, results } = await runCommands(env, { x: 'echo ran' }, ['--config', config]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('agent-runner: sandbox unavailable (bubblewrap (bwrap) is not installed, or not on PATH); the model\'s commands run unsandboxed, as you');
    expect(results.x).toEqual({ status: 'success', text: 'exit code: 0\nran\n' });
  });

  it('an unknown --sandbox mode is a usage error naming the modes', async () => {
    const env = setup();
    const { r } = await runCommands(env, {}, ['--sandbox', 'strict']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('agent-runner: --sandbox "strict" is not a sandbox mode; use one of workspace-write, offline, read-only, off, danger-full-access');
  });
});
