import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { text, toolUse, metadata, delay, type FakeBedrock } from '../support/fake-bedrock.ts';
import { toolResultsIn, toolResultText } from '../support/fake-bedrock-inspect.ts';
import { readTask, runCli, useFakeBedrockCli, type CliCase } from '../support/cli.ts';

const MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const cli = useFakeBedrockCli('cli');
let fake: FakeBedrock;
let scratch: string;
let ws: string;
let out: string;
let reqs: CliCase['reqs'];

function setup(files: Record<string, string> = {}) {
  const c = cli.newCase(files);
  ({ scratch, ws, out, reqs } = c);
  fake = cli.fake();
  return c.env;
}

function run(env: Record<string, string>, extra: string[] = [], opts = {}) {
  return runCli(['run', '--workspace', ws, '--prompt', 'do the task', '--out', out, '--model', MODEL, ...extra], env, opts);
}

function git(args: string[], cwd: string) {
  return spawnSync('git', ['-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8' });
}

describe('agent-runner run', () => {
  it('runs a multi-turn edit task whose diff.patch reproduces the final tree with git apply', async () => {
    const env = setup({ 'src/a.js': 'const a = 1;\nmodule.exports = a;\n', 'gone.txt': 'bye\n', 'bin/tool.sh': '#!/bin/sh\necho hi\n' });
    fs.chmodSync(path.join(ws, 'bin/tool.sh'), 0o644);
    const pristine = path.join(scratch, 'pristine');
    fs.cpSync(ws, pristine, { recursive: true });
    fake.setScript([
      [text('Editing.'), toolUse('t1', 'edit_file', { path: 'src/a.js', old_string: 'const a = 1;', new_string: 'const a = 2;' }), metadata({ inputTokens: 10, outputTokens: 5 })],
      [toolUse('t2', 'shell', { command: 'git mv 2>/dev/null; mv gone.txt moved.txt && chmod +x bin/tool.sh && printf "\\x00\\x01bin" > data.bin' })],
      [toolUse('t3', 'write_file', { path: 'docs/new/readme.md', content: 'new\n' })],
      [text('All done.')],
    ]);
    const r = await run(env);
    expect(r.code, r.stderr).toBe(0);
    const t = readTask(out);
    expect(t.result).toMatchObject({ status: 'succeeded', turns: 4, diff: { files: 5 } });
    const repo = path.join(scratch, 'repo');
    fs.cpSync(pristine, repo, { recursive: true });
    git(['init', '-q'], repo);
    fs.writeFileSync(path.join(scratch, 'p.patch'), t.diff);
    const applied = git(['apply', '--whitespace=nowarn', path.join(scratch, 'p.patch')], repo);
    expect(applied.stderr).toBe('');
    for (const f of ['src/a.js', 'moved.txt', 'data.bin', 'docs/new/readme.md', 'bin/tool.sh']) {
      expect(fs.readFileSync(path.join(repo, f)).equals(fs.readFileSync(path.join(ws, f))), f).toBe(true);
    }
    expect(fs.existsSync(path.join(repo, 'gone.txt'))).toBe(false);
    expect(fs.statSync(path.join(repo, 'bin/tool.sh')).mode & 0o111).not.toBe(0);
  });

  it('keeps the runner\'s credentials out of the shell tool\'s environment', async () => {
    const env = setup();
    env.GITHUB_TOKEN = 'ghp_cliTestTokenThatMustNotLeak';
    env.OPENAI_API_KEY = 'sk-cli-test-key-must-not-leak';
    fake.setScript([[toolUse('e1', 'shell', { command: 'env' })], [text('ok')]]);
    const r = await run(env);
    expect(r.code, r.stderr).toBe(0);
    const output = toolResultText(toolResultsIn(reqs()[1].body).find((x) => x.toolUseId === 'e1'));
    expect(output).toContain('exit code: 0');
    expect(output).toContain('PATH=');
    for (const secret of [env.AWS_ACCESS_KEY_ID, env.AWS_SECRET_ACCESS_KEY, env.AWS_SESSION_TOKEN, env.GITHUB_TOKEN, env.OPENAI_API_KEY, 'AWS_ENDPOINT_URL']) {
      expect(output).not.toContain(secret);
    }
  });

  it('cuts a 5 MB command output to head and tail for the model and 4 KiB in the event', async () => {
    const env = setup();
    fake.setScript([[toolUse('big', 'shell', { command: 'head -c 5000000 /dev/zero | tr "\\0" "y"; echo; echo THE-END' })], [text('ok')]]);
    const r = await run(env, ['--json']);
    expect(r.code, r.stderr).toBe(0);
    const output = toolResultText(toolResultsIn(reqs()[1].body).find((x) => x.toolUseId === 'big'));
    expect(Buffer.byteLength(output)).toBeLessThanOrEqual(33 * 1024);
    expect(output).toMatch(/^exit code: 0/);
    expect(output).toContain('THE-END');
    expect(output).toMatch(/\d+ bytes/);
    const ev = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.type === 'tool_result');
    expect(Buffer.byteLength(ev.output)).toBeLessThanOrEqual(4096 + 200);
  });

  it('retries a connection reset with one retry event and tells the answer once; with the retries spent, exits 1 with network_error', async () => {
    const env = setup();
    fake.setScript([[text('Answer after a reset.')]]);
    fake.faults.resetNext(1);
    const ok = await run(env, ['--json']);
    expect(ok.code, ok.stderr).toBe(0);
    const events = ok.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.filter((e) => e.type === 'retry').map((e) => [e.attempt, e.error.code])).toEqual([[1, 'network_error']]);
    expect(events.filter((e) => e.type === 'assistant_text').map((e) => e.text)).toEqual(['Answer after a reset.']);
    expect(events.at(-1)).toMatchObject({ type: 'result', status: 'succeeded' });

    // One retry allowed (request_max_retries), two resets: the run fails under the documented code.
    fs.mkdirSync(path.join(env.HOME, '.agent-runner'), { recursive: true });
    fs.writeFileSync(path.join(env.HOME, '.agent-runner', 'config.toml'), '[model_providers.amazon-bedrock]\nrequest_max_retries = 1\n');
    fake.faults.resetNext(2);
    const failed = await run(env, ['--json']);
    expect(failed.code, failed.stderr).toBe(1);
    const last = JSON.parse(failed.stdout.trim().split('\n').at(-1)!);
    expect(last).toMatchObject({ type: 'result', status: 'failed', stopReason: 'error', error: { code: 'network_error' } });
  });

  it('exits 3 with limit_reached when the turn limit is hit, keeping the diff so far', async () => {
    const env = setup();
    fake.setScript([
      [toolUse('w1', 'write_file', { path: 'one.txt', content: '1\n' })],
      [toolUse('w2', 'write_file', { path: 'two.txt', content: '2\n' })],
      [text('never reached')],
    ]);
    const r = await run(env, ['--max-turns', '2']);
    expect(r.code, r.stderr).toBe(3);
    const t = readTask(out);
    expect(t.result).toMatchObject({ status: 'limit_reached', turns: 2, stopReason: 'max_turns', diff: { files: 2, additions: 2, deletions: 0 } });
    expect(reqs()).toHaveLength(2);
  });

  it.each([
    ['Ctrl-C', ['SIGINT'], 130, { code: 'interrupted', message: 'interrupted (Ctrl-C)' }],
    ['SIGTERM', ['SIGTERM'], 143, { code: 'terminated', message: 'terminated (SIGTERM)' }],
    // A terminal's Ctrl-C reaches every process of the group and npx passes it on as well.
    ['one Ctrl-C delivered twice at once', ['SIGINT', 'SIGINT'], 130, { code: 'interrupted', message: 'interrupted (Ctrl-C)' }],
  ] as const)('stops cleanly on %s, reports it as such and still writes result.json and the diff so far', async (_name, signals, exitCode, error) => {
    const env = setup();
    fake.setScript([
      [toolUse('w1', 'write_file', { path: 'before.txt', content: 'b\n' })],
      [toolUse('s1', 'shell', { command: 'echo started > started.txt; sleep 30' })],
      [text('never')],
    ]);
    let pid = 0;
    const running = run(env, [], { onSpawn: (p: number) => (pid = p) });
    const started = path.join(ws, 'started.txt');
    for (let i = 0; i < 200 && !fs.existsSync(started); i++) await new Promise((r) => setTimeout(r, 50));
    for (const signal of signals) process.kill(pid, signal);
    const r = await running;
    expect(r.code).toBe(exitCode);
    const t = readTask(out);
    expect(t.result).toMatchObject({ status: 'failed', stopReason: 'cancelled', error });
    expect(r.stderr).toContain(`failed: ${error.message} · 2 turns · `);
    expect(t.diff).toContain('before.txt');
    expect(t.events.at(-1).type).toBe('result');
  });

  it('refuses a model without tool use before any model call, with one line and exit 2', async () => {
    const env = setup();
    fake.setScript([]);
    const before = fake.modelRequests.length;
    const r = await runCli(['run', '--workspace', ws, '--prompt', 'x', '--out', out, '--model', 'amazon.titan-text-express-v1'], env);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('amazon.titan-text-express-v1');
    expect(fake.modelRequests.length).toBe(before);
  });

  it.each([
    ['no credentials', (env: Record<string, string>) => { delete env.AWS_ACCESS_KEY_ID; delete env.AWS_SECRET_ACCESS_KEY; delete env.AWS_SESSION_TOKEN; }, [] as string[], /no AWS credentials/],
    ['a missing workspace', () => undefined, ['--workspace', '/nonexistent/folder'], /does not exist/],
    ['--out inside the workspace', () => undefined, ['--out', '__WS__/out'], /inside the workspace/],
    ['both --prompt and --prompt-file', () => undefined, ['--prompt-file', '/etc/hostname'], /exactly one of a prompt argument, --prompt and --prompt-file/],
    ['an unknown profile', () => undefined, ['--profile', 'nope'], /unknown profile/],
    ['a bad --max-turns', () => undefined, ['--max-turns', 'many'], /--max-turns must be a positive whole number/],
  ])('gives one clear line and exit 2 for %s', async (_name, mutate, extra, message) => {
    const env = setup();
    mutate(env);
    const before = fake.modelRequests.length;
    const args = ['run', '--workspace', ws, '--prompt', 'x', '--out', out, '--model', MODEL, ...extra.map((a) => a.replace('__WS__', ws))];
    const r = await runCli(args, env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fake.modelRequests.length).toBe(before);
  });

  it('prints plain progress lines on stderr when not on a terminal, then the duration, the artifacts and the final message', async () => {
    const env = setup({ 'a.txt': 'a\n' });
    fake.setScript([[text('Looking.'), toolUse('l1', 'list_files', {}), delay(5)], [text('Done here.')]]);
    const r = await run(env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('→ list_files');
    expect(r.stderr).toContain('✓ list_files');
    const dir = path.join(out, readTask(out).taskId);
    expect(r.stderr).toMatch(/^succeeded · 2 turns · \d+ tokens \(\d+% cache read\) · \$\d+\.\d{4} · 0 files changed \(\+0 -0\) · [\d.]+ m?s$/m);
    expect(r.stderr.split('\n').slice(-3)).toEqual(['no changes to the workspace', `artifacts: ${dir}/`, '']);
    // stdout holds only the model's final message (result.json's summary), so it can be redirected.
    expect([r.stdout, readTask(out).result.summary]).toEqual(['Done here.\n', 'Done here.']);
  });
});
