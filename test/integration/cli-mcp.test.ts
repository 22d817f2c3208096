/**
 * `agent-runner run` with MCP servers from the user's configuration file: a scripted model on the
 * fake Bedrock calls server-everything and server-filesystem (from npm) and a broken server.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { startFakeBedrock, text, toolUse, type FakeBedrock } from '../support/fake-bedrock.ts';
import { findToolResult } from '../support/fake-bedrock-inspect.ts';
import { cliEnv, readTask, runCli, scratchDir } from '../support/cli.ts';
import { BAD_SERVER, EVERYTHING, FILESYSTEM, stdioToml } from '../support/mcp-servers.ts';

const MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
let fake: FakeBedrock;
let scratch: string;

beforeAll(async () => {
  fake = await startFakeBedrock({ script: [] });
});
afterAll(async () => fake.close());
afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** Processes (not zombies) whose command line holds `marker`. */
function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker) && !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))) found.push(Number(pid));
    } catch {
      // Gone since the listing.
    }
  }
  return found;
}

describe('agent-runner run with MCP servers', () => {
  it('gives the model the servers’ tools beside the built-in ones, runs the servers in the sandbox, shows MCP calls as tool calls, and stops every server at the end', async () => {
    scratch = scratchDir('cli-mcp');
    const ws = path.join(scratch, 'ws');
    const out = path.join(scratch, 'out');
    const marker = `mcp-marker-${path.basename(scratch)}`;
    fs.mkdirSync(ws);
    const env = cliEnv(scratch, { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url, MCP_DEMO_TOKEN: 'cli-mcp-token-0123456789' });
    fs.mkdirSync(path.join(env.HOME, '.agent-runner'));
    fs.writeFileSync(
      path.join(env.HOME, '.agent-runner', 'config.toml'),
      [
        ...stdioToml('everything', [EVERYTHING], ['env_vars = ["MCP_DEMO_TOKEN"]']),
        ...stdioToml('fs', [FILESYSTEM, '.']),
        ...stdioToml('silent', [BAD_SERVER, 'no-answer', marker], ['tool_timeout_sec = 1', `env = { MARKER = ${JSON.stringify(marker)} }`]),
        ...stdioToml('broken', [BAD_SERVER, 'crash']),
      ].join('\n'),
    );
    const base = fake.modelRequests.length;
    fake.setScript([
      [text('Using MCP.'), toolUse('m1', 'mcp__everything__get-tiny-image', {}), toolUse('m2', 'mcp__fs__write_file', { path: 'from-mcp.txt', content: 'written through MCP\n' })],
      [toolUse('m3', 'mcp__everything__get-env', {}), toolUse('m4', 'mcp__silent__poke', { what: 'anything' })],
      [text('Done.')],
    ]);

    const r = await runCli(['run', '--workspace', ws, '--prompt', 'use the MCP tools', '--out', out, '--model', MODEL, '--json'], env, { timeoutMs: 120_000 });

    expect(r.code, r.stderr).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.filter((e) => e.type === 'mcp_server').map((e) => [e.server, e.status, e.error?.code])).toEqual([
      ['broken', 'failed', 'mcp_exited'],
      ['everything', 'ready', undefined],
      ['fs', 'ready', undefined],
      ['silent', 'ready', undefined],
    ]);
    expect(events.filter((e) => e.type === 'tool_result').map((e) => [e.id, e.name, e.status])).toEqual([
      ['m1', 'mcp__everything__get-tiny-image', 'success'],
      ['m2', 'mcp__fs__write_file', 'success'],
      ['m3', 'mcp__everything__get-env', 'success'],
      ['m4', 'mcp__silent__poke', 'error'],
    ]);
    expect(events.find((e) => e.id === 'm4' && e.type === 'tool_result').output).toBe('the MCP server silent did not answer within 1 s (tool_timeout_sec); the call was cancelled');
    const t = readTask(out);
    expect(t.result).toMatchObject({ status: 'succeeded', turns: 3, diff: { files: 1, additions: 1 } });
    expect(t.diff).toContain('+written through MCP');

    const requests = fake.modelRequests.slice(base);
    const tools = requests[0].body!.toolConfig.tools.filter((x: { toolSpec?: unknown }) => x.toolSpec).map((x: { toolSpec: { name: string } }) => x.toolSpec);
    expect(tools.slice(0, 7).map((x: { name: string }) => x.name)).toEqual(['shell', 'read_file', 'write_file', 'edit_file', 'apply_patch', 'list_files', 'search']);
    expect(tools.find((x: { name: string }) => x.name === 'mcp__everything__get-sum').inputSchema.json).toMatchObject({ type: 'object', properties: { a: { type: 'number' } } });
    // Claude takes the image in the tool result; the text describes it too.
    const image = findToolResult(requests, 'm1')!.toolResult;
    expect(image.content).toEqual([{ text: expect.stringContaining('[image: image/png') }, { image: { format: 'png', source: { bytes: expect.stringMatching(/^iVBORw0KGgo/) } } }]);
    // The token named by env_vars reached the server, not the model.
    const envOut = findToolResult(requests, 'm3')!.toolResult.content[0].text as string;
    expect([envOut.includes('"MCP_DEMO_TOKEN"'), envOut.includes(env.MCP_DEMO_TOKEN), envOut.includes('AWS_SECRET_ACCESS_KEY')]).toEqual([true, false, false]);
    // Started through bubblewrap, as the model's commands are: the sandbox's own HOME.
    expect(JSON.parse(envOut).HOME).toBe('/tmp/home');

    // The silent server and the helper it started in its group are gone with the run.
    expect(processesWith(marker)).toEqual([]);
  }, 150_000);
});
