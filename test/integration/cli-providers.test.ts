/**
 * `agent-runner run` with non-Bedrock providers, as a child process: a local Ollama (the fake
 * Chat Completions server) through `--profile local`, the OpenAI Responses API, and the usage
 * errors of a provider without its key.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, readTask, runCli, scratchDir } from '../support/cli.ts';
import { reasoning, startFakeOpenAI, text, toolCall, type FakeOpenAI } from '../support/fake-openai.ts';

let fake: FakeOpenAI;
let scratch: string;
let ws: string;
let out: string;

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(async () => fake.close());
afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A scratch HOME whose ~/.agent-runner/config.toml is `toml`; no AWS credentials at all. */
function setup(toml: string, extra: Record<string, string | undefined> = {}) {
  scratch = scratchDir('cli-providers');
  ws = path.join(scratch, 'ws');
  out = path.join(scratch, 'out');
  fs.mkdirSync(ws);
  fs.writeFileSync(path.join(ws, 'a.txt'), 'alpha\n');
  const env = cliEnv(scratch, { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined, AWS_REGION: undefined, OPENAI_API_KEY: undefined, ...extra });
  fs.mkdirSync(path.join(env.HOME, '.agent-runner'), { recursive: true });
  fs.writeFileSync(path.join(env.HOME, '.agent-runner', 'config.toml'), toml);
  return env;
}

const LOCAL = () => `[profiles.local]\nmodel_provider = "ollama"\nmodel = "gpt-oss:20b"\n\n[model_providers.ollama]\nbase_url = "${fake.url}/v1"\n`;

describe('agent-runner run with other providers', () => {
  it('runs --profile local against a local Ollama with no cloud account', async () => {
    const env = setup(LOCAL());
    fake.setScript([
      [reasoning('I will write b.txt.'), toolCall('call_cli_1', 'write_file', { path: 'b.txt', content: 'beta\n' }, { chunks: 4 })],
      [text('Wrote b.txt.')],
    ]);
    const base = fake.modelRequests.length;
    const r = await runCli(['run', '--workspace', ws, '--prompt', 'write b.txt', '--out', out, '--profile', 'local', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const t = readTask(out);
    expect(t.result).toMatchObject({ status: 'succeeded', turns: 2, model: 'gpt-oss:20b', costUsd: 0, diff: { files: 1, additions: 1, deletions: 0 } });
    expect(fs.readFileSync(path.join(ws, 'b.txt'), 'utf8')).toBe('beta\n');
    const reqs = fake.modelRequests.slice(base);
    expect(reqs.map((q) => [q.path, q.body?.model, q.headers.authorization])).toEqual([
      ['/v1/chat/completions', 'gpt-oss:20b', undefined],
      ['/v1/chat/completions', 'gpt-oss:20b', undefined],
    ]);
    expect(reqs[1].body!.messages.slice(2)).toEqual([
      { role: 'assistant', content: null, reasoning: 'I will write b.txt.', tool_calls: [{ id: 'call_cli_1', type: 'function', function: { name: 'write_file', arguments: '{"path":"b.txt","content":"beta\\n"}' } }] },
      { role: 'tool', tool_call_id: 'call_cli_1', content: expect.any(String) },
    ]);
    expect(t.transcript).toEqual({ messages: [...reqs[1].body!.messages, { role: 'assistant', content: 'Wrote b.txt.' }], tools: reqs[1].body!.tools });
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect([lines[0].type, lines.at(-1).type, lines.filter((e) => e.type === 'tool_call').map((e) => e.id)]).toEqual(['task_started', 'result', ['call_cli_1']]);
  });

  it('runs the default OpenAI profile against the Responses API with the key from OPENAI_API_KEY', async () => {
    const env = setup(`model = "gpt-5"\nmodel_provider = "openai"\n[model_providers.openai]\nbase_url = "${fake.url}/v1"\n`, { OPENAI_API_KEY: 'sk-cli-openai' });
    fake.setScript([[text('Nothing to do.')]]);
    const base = fake.modelRequests.length;
    const r = await runCli(['run', '--workspace', ws, '--prompt', 'check', '--out', out, '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(readTask(out).result).toMatchObject({ status: 'succeeded', turns: 1, model: 'gpt-5' });
    const q = fake.modelRequests[base];
    expect([q.path, q.headers.authorization, q.body?.store, q.body?.model]).toEqual(['/v1/responses', 'Bearer sk-cli-openai', false, 'gpt-5']);
  });

  it('refuses an OpenAI profile without OPENAI_API_KEY in one line, exit 2, before any call', async () => {
    const env = setup(`model = "o3"\nmodel_provider = "openai"\n[model_providers.openai]\nbase_url = "${fake.url}/v1"\n`);
    const base = fake.requests.length;
    const r = await runCli(['run', '--workspace', ws, '--prompt', 'x', '--out', out], env);
    expect([r.code, r.stderr, r.stdout]).toEqual([2, 'agent-runner: the openai provider needs an API key: set OPENAI_API_KEY (or choose another profile)\n', '']);
    expect(fake.requests.length).toBe(base);
  });

  it('refuses an unknown OpenAI model and an unknown profile with exit 2', async () => {
    const env = setup(`${LOCAL()}[profiles.gpt]\nmodel_provider = "openai"\nmodel = "text-davinci-003"\n`, { OPENAI_API_KEY: 'sk-x' });
    const bad = await runCli(['run', '--workspace', ws, '--prompt', 'x', '--out', out, '--profile', 'gpt'], env);
    expect([bad.code, bad.stderr.split('\n').length]).toEqual([2, 2]);
    expect(bad.stderr).toMatch(/^agent-runner: model text-davinci-003 is not a known OpenAI model with tool use/);
    const unknown = await runCli(['run', '--workspace', ws, '--prompt', 'x', '--out', out, '--profile', 'nope'], env);
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining('unknown profile nope; known: gpt, local')]);
  });
});
