/**
 * The MCP client against real servers on this machine: the reference servers from npm
 * (server-everything over stdio and streamable HTTP, server-filesystem) and the broken ones of
 * test/fixtures/mcp/bad-server.mjs, through the tool source the loop opens for a run.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventBody } from '../../src/task/events.ts';
import type { ToolSession } from '../../src/agent/tool-source.ts';
import { buildToolEnv, ToolCancelledError, type ToolContext } from '../../src/agent/tools/index.ts';
import type { McpServerConfig } from '../../src/config/index.ts';
import { createMcpToolSource, type McpSourceOptions } from '../../src/mcp/index.ts';
import type { CommandWrapper } from '../../src/sandbox/types.ts';
import { BAD_SERVER, EVERYTHING, FILESYSTEM, startEverythingHttp, stdioServer, type HttpServer } from '../support/mcp-servers.ts';

const SECRET = 'mcp-demo-secret-0123456789';
let scratch: string;
let ws: string;
const sessions: ToolSession[] = [];

beforeAll(() => {
  scratch = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ar-mcp-')));
  for (const d of ['ws', 'home', 'tmp']) fs.mkdirSync(path.join(scratch, d));
  ws = path.join(scratch, 'ws');
});
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const toolEnv = () => buildToolEnv({ PATH: process.env.PATH, AWS_SECRET_ACCESS_KEY: 'aws-secret-must-not-leak', GITHUB_TOKEN: 'ghp_mustNotLeak0000000000000000000000000' }, { home: path.join(scratch, 'home'), tmpDir: path.join(scratch, 'tmp') });

async function open(servers: McpServerConfig[], opts: Partial<McpSourceOptions> = {}, signal = new AbortController().signal, wrapCommand?: CommandWrapper): Promise<ToolSession> {
  const source = createMcpToolSource(servers, { lookup: (name) => (name === 'MCP_DEMO_TOKEN' ? SECRET : undefined), ...opts })!;
  const session = await source.open({ root: ws, env: toolEnv(), signal, clock: Date.now, ...(wrapCommand ? { wrapCommand } : {}) });
  sessions.push(session);
  return session;
}

function ctx(signal = new AbortController().signal): ToolContext {
  return { root: ws, signal, clock: Date.now, env: {}, shellTimeoutMs: 1000, maxShellTimeoutMs: 1000, maxOutputBytes: 32 * 1024 };
}

const call = (s: ToolSession, name: string, input: unknown = {}, signal?: AbortSignal) => s.tools.execute({ id: `call-${name}`, name, input }, ctx(signal));
const notice = (s: ToolSession, server: string) => s.notices.find((n) => n.type === 'mcp_server' && n.server === server) as Extract<EventBody, { type: 'mcp_server' }>;
/** A loopback port nothing listens on (one the system just handed out and took back). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** Whether `pid` still runs (a zombie waiting for its new parent to reap it does not). */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe('MCP servers from npm', () => {
  it('server-everything over stdio: its tools as mcp__everything__*, text, structured content, an image, an MCP error as an error result', async () => {
    const s = await open([stdioServer('everything', [EVERYTHING])]);
    expect(notice(s, 'everything')).toMatchObject({ status: 'ready', transport: 'stdio', tools: expect.arrayContaining(['mcp__everything__echo', 'mcp__everything__get-sum', 'mcp__everything__get-tiny-image']) });
    expect(s.tools.specs().find((t) => t.name === 'mcp__everything__get-sum')).toEqual({
      name: 'mcp__everything__get-sum',
      description: expect.stringContaining('(Tool "get-sum" of the MCP server "everything".)'),
      inputSchema: expect.objectContaining({ type: 'object', properties: { a: expect.objectContaining({ type: 'number' }), b: expect.objectContaining({ type: 'number' }) } }),
    });
    expect(await call(s, 'mcp__everything__echo', { message: 'hello' })).toEqual({ status: 'success', output: 'Echo: hello' });
    expect(await call(s, 'mcp__everything__get-sum', { a: 2, b: 40 })).toEqual({ status: 'success', output: 'The sum of 2 and 40 is 42.' });
    const weather = await call(s, 'mcp__everything__get-structured-content', { location: 'Chicago' });
    expect([weather.status, JSON.parse(weather.output)]).toEqual(['success', expect.objectContaining({ temperature: expect.any(Number) })]);
    const image = await call(s, 'mcp__everything__get-tiny-image');
    expect([image.status, image.images?.map((i) => [i.format, Buffer.from(i.data, 'base64').subarray(1, 4).toString()]), image.output]).toEqual([
      'success',
      [['png', 'PNG']],
      expect.stringMatching(/\[image: image\/png, \d+ bytes, image 1 of this result\]/),
    ]);
    const bad = await call(s, 'mcp__everything__echo', { nothing: true });
    expect([bad.status, bad.output]).toEqual(['error', expect.stringMatching(/^MCP error -32602: .*message/)]);
  }, 60_000);

  it('gives a stdio server the scrubbed tool environment plus only what its configuration names, its secret kept from the model', async () => {
    const s = await open([stdioServer('everything', [EVERYTHING], { env: { GREETING: 'hello' }, envVars: ['MCP_DEMO_TOKEN'] })]);
    const out = await call(s, 'mcp__everything__get-env');
    const env = JSON.parse(out.output) as Record<string, string>;
    expect(Object.keys(env).sort()).toEqual(['CI', 'GIT_TERMINAL_PROMPT', 'GREETING', 'HOME', 'MCP_DEMO_TOKEN', 'PAGER', 'PATH', 'PYTHONDONTWRITEBYTECODE', 'TMPDIR']);
    expect([env.GREETING, env.HOME, env.MCP_DEMO_TOKEN]).toEqual(['hello', path.join(scratch, 'home'), '[REDACTED:runner_secret]']);
    expect(out.output).not.toContain(SECRET);
  }, 60_000);

  it('starts a stdio server through the run\'s command wrapper (the sandbox of agent-runner run)', async () => {
    const seen: string[][] = [];
    const wrap: CommandWrapper = (cmd) => {
      seen.push(cmd.argv);
      return { ...cmd, argv: ['/usr/bin/env', 'WRAPPED_BY=test', ...cmd.argv] };
    };
    const s = await open([stdioServer('everything', [EVERYTHING])], {}, undefined, wrap);
    expect(seen).toEqual([[process.execPath, EVERYTHING]]);
    expect(JSON.parse((await call(s, 'mcp__everything__get-env')).output).WRAPPED_BY).toBe('test');
  }, 60_000);

  it('server-filesystem started in the workspace with "." reaches the workspace and nothing outside it', async () => {
    fs.writeFileSync(path.join(ws, 'notes.txt'), 'inside the workspace\n');
    const s = await open([stdioServer('fs', [FILESYSTEM, '.'])]);
    expect(await call(s, 'mcp__fs__read_text_file', { path: 'notes.txt' })).toMatchObject({ status: 'success', output: 'inside the workspace\n' });
    expect(await call(s, 'mcp__fs__write_file', { path: 'made.txt', content: 'by MCP' })).toMatchObject({ status: 'success' });
    expect(fs.readFileSync(path.join(ws, 'made.txt'), 'utf8')).toBe('by MCP');
    for (const outside of ['/etc/hostname', path.join(scratch, 'home')]) {
      const r = await call(s, 'mcp__fs__read_text_file', { path: outside });
      expect([r.status, r.output]).toEqual(['error', expect.stringContaining('Access denied')]);
    }
  }, 60_000);

  describe('over streamable HTTP', () => {
    let http: HttpServer;
    beforeAll(async () => {
      http = await startEverythingHttp();
    }, 60_000);
    afterAll(async () => http?.close());

    it('sends the configured headers and the bearer token looked up by name, calls tools, and ends its session', async () => {
      const seen: { method: string; auth: string | null; region: string | null }[] = [];
      const recording: typeof fetch = async (input, init) => {
        const h = new Headers(init?.headers);
        seen.push({ method: init?.method ?? 'GET', auth: h.get('authorization'), region: h.get('x-region') });
        return fetch(input, init);
      };
      const server: McpServerConfig = { ...stdioServer('web', []), transport: 'http', command: undefined, url: http.url, bearerTokenEnvVar: 'MCP_DEMO_TOKEN', httpHeaders: { 'X-Region': 'eu-west-1' } };
      const s = await open([server], { fetch: recording });
      expect(notice(s, 'web')).toMatchObject({ status: 'ready', transport: 'http', tools: expect.arrayContaining(['mcp__web__echo']) });
      expect(await call(s, 'mcp__web__echo', { message: 'over HTTP' })).toEqual({ status: 'success', output: 'Echo: over HTTP' });
      expect((await call(s, 'mcp__web__get-tiny-image')).images).toHaveLength(1);
      await s.close();
      expect(seen.length).toBeGreaterThan(2);
      expect(seen.every((r) => r.auth === `Bearer ${SECRET}` && r.region === 'eu-west-1')).toBe(true);
      // The SDK's listening GET stream may reconnect around the close; the session's end is the DELETE.
      expect(seen.map((r) => r.method)).toContain('DELETE');
    }, 60_000);
  });
});

describe('broken MCP servers', () => {
  it('report why they did not start, each within its start-up timeout, while a good one starts', async () => {
    const quick = { startupTimeoutMs: 1500 };
    const s = await open([
      stdioServer('crash', [BAD_SERVER, 'crash']),
      stdioServer('hang', [BAD_SERVER, 'hang-init'], quick),
      stdioServer('garbage', [BAD_SERVER, 'garbage-init'], quick),
      { ...stdioServer('missing', []), command: 'no-such-mcp-server-command' },
      stdioServer('secretless', [BAD_SERVER, 'ok'], { envVars: ['NOT_SET_ANYWHERE'] }),
      { ...stdioServer('unreachable', []), transport: 'http', command: undefined, url: `http://127.0.0.1:${await closedPort()}/mcp` },
      stdioServer('good', [BAD_SERVER, 'ok']),
    ]);
    const failed = s.notices.map((n) => n as Extract<EventBody, { type: 'mcp_server' }>).filter((n) => n.status === 'failed').map((n) => [n.server, n.error?.code, n.error?.message]);
    expect(failed).toEqual([
      ['crash', 'mcp_exited', expect.stringMatching(/^MCP server crash did not start: the server stopped before initialize was answered; .*cannot load its configuration/)],
      ['hang', 'mcp_startup_timeout', 'MCP server hang did not start: no answer to initialize within 1.5 s (startup_timeout_sec)'],
      ['garbage', 'mcp_startup_timeout', expect.stringMatching(/within 1.5 s \(startup_timeout_sec\); it wrote 2 line\(s\) that are not JSON-RPC to stdout, the last: .*jsonrpc/)],
      ['missing', 'mcp_spawn_failed', expect.stringContaining('cannot run "no-such-mcp-server-command": no such command')],
      ['secretless', 'mcp_missing_variable', 'MCP server secretless did not start: NOT_SET_ANYWHERE (named by mcp_servers.secretless.env_vars) is not set'],
      ['unreachable', 'mcp_initialize_failed', expect.stringMatching(/^MCP server unreachable did not start: initialize failed: .*ECONNREFUSED/)],
    ]);
    expect(s.tools.specs().map((t) => t.name)).toEqual(['mcp__good__poke']);
    expect(await call(s, 'mcp__good__poke', { what: 'it' })).toEqual({ status: 'success', output: 'poked {"what":"it"}' });
  }, 60_000);

  it('end calls that go wrong as error results the model can act on: no answer, malformed answers, a crash', async () => {
    const slow = { toolTimeoutMs: 1500 };
    const s = await open([
      stdioServer('silent', [BAD_SERVER, 'no-answer'], slow),
      stdioServer('badjson', [BAD_SERVER, 'bad-answer']),
      stdioServer('noisy', [BAD_SERVER, 'garbage-call'], slow),
      stdioServer('dies', [BAD_SERVER, 'exit-on-call']),
    ]);
    expect(await call(s, 'mcp__silent__poke')).toEqual({ status: 'error', output: 'the MCP server silent did not answer within 1.5 s (tool_timeout_sec); the call was cancelled' });
    expect(await call(s, 'mcp__badjson__poke')).toEqual({ status: 'error', output: expect.stringMatching(/^MCP error -32600: the server's answer is not valid JSON-RPC: \{"jsonrpc":"2.0","id":\d+,"result":"not an object"\}$/) });
    expect(await call(s, 'mcp__noisy__poke')).toEqual({ status: 'error', output: expect.stringMatching(/did not answer within 1.5 s .*it wrote 1 line\(s\) that are not JSON-RPC to stdout, the last: "Traceback/) });
    const died = await call(s, 'mcp__dies__poke');
    expect(died).toEqual({ status: 'error', output: expect.stringMatching(/^the MCP server dies stopped during the call \(it exited with code 7; its stderr ends with: bad-server: fatal error while poking\)/) });
    expect(await call(s, 'mcp__dies__poke')).toEqual({ status: 'error', output: expect.stringMatching(/^the MCP server dies has stopped \(it exited with code 7/) });
    // The others still answer.
    expect((await call(s, 'mcp__badjson__poke')).status).toBe('error');
  }, 60_000);

  it('cuts a 10 MB result to 32 KiB for the model, and drops a message over the size limit with an error', async () => {
    const s = await open([stdioServer('huge', [BAD_SERVER, 'huge'])]);
    const r = await call(s, 'mcp__huge__poke');
    expect([r.status, Buffer.byteLength(r.output) <= 32 * 1024, r.output.startsWith('HEADxxx'), r.output.endsWith('xxxTAIL'), /\[\.\.\. \d+ bytes cut \.\.\.\]/.test(r.output)]).toEqual(['success', true, true, true, true]);

    const limited = await open([stdioServer('huge', [BAD_SERVER, 'huge'])], { maxMessageBytes: 1024 * 1024 });
    expect(await call(limited, 'mcp__huge__poke')).toEqual({ status: 'error', output: 'the server sent a message larger than 1048576 bytes, which was dropped; ask for less at a time' });
  }, 60_000);

  it('stops a call in flight when the run is cancelled', async () => {
    const s = await open([stdioServer('silent', [BAD_SERVER, 'no-answer'])]);
    const stop = new AbortController();
    const pending = call(s, 'mcp__silent__poke', {}, stop.signal);
    setTimeout(() => stop.abort(new Error('Ctrl-C')), 200);
    await expect(pending).rejects.toBeInstanceOf(ToolCancelledError);
  }, 60_000);

  it('kills a server with its whole process group when the session closes', async () => {
    const pidFile = path.join(scratch, 'pids');
    const s = await open([stdioServer('group', [BAD_SERVER, 'ok'], { env: { PIDFILE: pidFile } })]);
    const pids = fs.readFileSync(pidFile, 'utf8').split(' ').map(Number);
    expect(pids.map(alive)).toEqual([true, true]);
    await s.close();
    expect(pids.map(alive)).toEqual([false, false]);
  }, 60_000);
});
