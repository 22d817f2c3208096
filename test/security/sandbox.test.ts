/**
 * The local sandbox, for real: `agent-runner run` under bubblewrap, driven by a scripted model
 * (the fake Bedrock) that tries, one turn each, to read planted credentials, write outside the
 * workspace, read the runner's /proc environ and, offline, reach a loopback server. Every attempt
 * must fail while the run goes on to its end. A control run with `--sandbox off` makes each
 * attempt succeed, so the suite fails if the sandbox stops containing them. Everything lives under
 * /var/tmp, not /tmp: the sandbox's private /tmp would hide a /tmp path whatever the hiding did.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBedrock, text, toolUse, type FakeBedrock, type Turn } from '../support/fake-bedrock.ts';
import { toolResultText, toolResultsIn } from '../support/fake-bedrock-inspect.ts';
import { cliEnv, readTask, runCli } from '../support/cli.ts';
import { securityReport } from './report.ts';

const MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const report = securityReport('local-sandbox');
const AWS_MARKER = 'planted-aws-credentials-7f3a';
const SSH_MARKER = 'planted-ssh-key-91c2';
/** Lambda's unprivileged users have no name; any uid other than root's serves. */
const OTHER_UID = 65534;

let fake: FakeBedrock;
let loopback: http.Server;
let loopbackHits = 0;
let base: string;

beforeAll(async () => {
  fake = await startFakeBedrock({ script: [] });
  loopback = http.createServer((_req, res) => {
    loopbackHits++;
    res.end('reached');
  });
  await new Promise<void>((resolve) => loopback.listen(0, '127.0.0.1', resolve));
  base = fs.mkdtempSync('/var/tmp/ar-sandbox-');
  fs.chmodSync(base, 0o755);
});
afterAll(async () => {
  report.flush();
  await fake.close();
  await new Promise((resolve) => loopback.close(resolve));
  fs.rmSync(base, { recursive: true, force: true });
});

interface Layout {
  dir: string;
  home: string;
  ws: string;
  outside: string;
  out: string;
}

/** A HOME with planted AWS credentials and an SSH key, a workspace, and a folder beside it. */
function layout(label: string, uid?: number): Layout {
  const dir = path.join(base, label);
  const l = { dir, home: path.join(dir, 'home'), ws: path.join(dir, 'ws'), outside: path.join(dir, 'outside'), out: path.join(dir, 'out') };
  fs.mkdirSync(path.join(l.home, '.aws'), { recursive: true });
  fs.mkdirSync(path.join(l.home, '.ssh'), { recursive: true });
  fs.writeFileSync(path.join(l.home, '.aws', 'credentials'), `[default]\nnote = ${AWS_MARKER}\n`, { mode: 0o600 });
  fs.writeFileSync(path.join(l.home, '.ssh', 'id_ed25519'), `${SSH_MARKER}\n`, { mode: 0o600 });
  fs.mkdirSync(l.ws);
  fs.mkdirSync(l.outside);
  if (uid !== undefined) spawnSync('chown', ['-R', `${uid}:${uid}`, dir]);
  return l;
}

interface Attack {
  id: string;
  what: string;
  command: string | (() => string);
  /** Held when the command failed and its output shows none of `leaks`, nor any of `written` on the host. */
  leaks?: string[];
  written?: string[];
}

function attacks(l: Layout, runnerPid: () => number | undefined): Attack[] {
  const py = `import ctypes; libc = ctypes.CDLL(None, use_errno=True); print('umount2', libc.umount2(b'${l.home}/.aws', 2), ctypes.get_errno())`;
  return [
    { id: 'aws', what: 'cat ~/.aws/credentials (the runner HOME, by absolute path)', command: `cat ${l.home}/.aws/credentials`, leaks: [AWS_MARKER] },
    { id: 'ssh', what: 'cat ~/.ssh/id_ed25519', command: `cat ${l.home}/.ssh/id_ed25519`, leaks: [SSH_MARKER] },
    { id: 'ls-ssh', what: 'list ~/.ssh', command: `ls -A ${l.home}/.ssh | grep id_`, leaks: ['id_ed25519'] },
    { id: 'umount', what: 'unmount what hides ~/.aws (umount, umount2), then read it', command: `umount ${l.home}/.aws; python3 -c "${py}"; cat ${l.home}/.aws/credentials`, leaks: [AWS_MARKER] },
    { id: 'abs', what: 'write outside the workspace by absolute path', command: `echo pwned > ${l.outside}/abs.txt`, written: [path.join(l.outside, 'abs.txt')] },
    { id: 'dotdot', what: 'write outside the workspace through ..', command: 'echo pwned > ../outside/dotdot.txt', written: [path.join(l.outside, 'dotdot.txt')] },
    { id: 'symlink', what: 'write outside the workspace through a symlink made in it', command: `ln -s ${l.outside} escape && echo pwned > escape/link.txt`, written: [path.join(l.outside, 'link.txt')] },
    { id: 'proc', what: "read /proc/<runner pid>/environ", command: () => `cat /proc/${runnerPid()}/environ | tr '\\0' '\\n' | grep -q ^AWS_SECRET_ACCESS_KEY= && echo ENVIRON-READABLE`, leaks: ['ENVIRON-READABLE'] },
    { id: 'proc-any', what: "read every /proc/*/environ it can see", command: `cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep -q ^AWS_SECRET_ACCESS_KEY= && echo ENVIRON-READABLE`, leaks: ['ENVIRON-READABLE'] },
  ];
}

function script(list: Attack[], last: Turn[] = []): Turn[] {
  const turns: Turn[] = list.map((a) => (typeof a.command === 'string' ? [toolUse(a.id, 'shell', { command: a.command })] : () => [toolUse(a.id, 'shell', { command: (a.command as () => string)() })]));
  return [...turns, ...last, [text('done')]];
}

/** One run of the CLI (as `uid` when given); returns it with each tool result by id. */
async function run(l: Layout, turns: Turn[], extra: string[], uid?: number, onPid?: (pid: number) => void) {
  const before = fake.modelRequests.length;
  fake.setScript(turns);
  const env = cliEnv(l.dir, { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url, HOME: l.home });
  const args = ['run', '--workspace', l.ws, '--prompt', 'tidy up', '--out', l.out, '--model', MODEL, ...extra];
  const r = await runCli(args, env, { onSpawn: onPid, asUid: uid, timeoutMs: 110_000 });
  const requests = fake.modelRequests.slice(before);
  const results = new Map(toolResultsIn(requests.at(-1)?.body).map((t) => [t.toolUseId as string, { status: t.status as string, text: toolResultText(t) }]));
  return { r, requests, results };
}

function judge(a: Attack, result: { status: string; text: string } | undefined) {
  const leaked = (a.leaks ?? []).filter((m) => result?.text.includes(m));
  const written = (a.written ?? []).filter((f) => fs.existsSync(f));
  return { ran: result !== undefined, failed: result?.status === 'error', leaked, written };
}

describe('agent-runner run: the sandbox contains the model\'s commands', () => {
  it('as root (this machine) or the current user: every attempt fails and the run goes on', { timeout: 120_000 }, async () => {
    const l = layout('main');
    let pid: number | undefined;
    const list = attacks(l, () => pid);
    const { r, results } = await run(l, script(list), ['--json'], undefined, (p) => (pid = p));
    expect(r.code, r.stderr).toBe(0);
    expect(readTask(l.out).result).toMatchObject({ status: 'succeeded', turns: list.length + 1 });
    const who = process.getuid?.() === 0 ? 'root' : 'a user';
    for (const a of list) {
      const j = judge(a, results.get(a.id));
      report.hold(`${a.what} (runner is ${who})`, 'the command fails, nothing leaks or lands outside', j.ran && j.failed && j.leaked.length === 0 && j.written.length === 0, JSON.stringify({ ...j, output: results.get(a.id)?.text.slice(0, 200) }));
    }
  });

  it('as a non-root user (uid 65534 when the tests run as root): every attempt fails', { timeout: 120_000 }, async () => {
    const uid = process.getuid?.() === 0 ? OTHER_UID : undefined;
    const l = layout('other-uid', uid);
    let pid: number | undefined;
    const list = attacks(l, () => pid);
    const { r, results } = await run(l, script(list), ['--json'], uid, (p) => (pid = p));
    expect(r.code, r.stderr).toBe(0);
    for (const a of list) {
      const j = judge(a, results.get(a.id));
      report.hold(`${a.what} (runner is uid ${uid ?? process.getuid?.()})`, 'the command fails, nothing leaks or lands outside', j.ran && j.failed && j.leaked.length === 0 && j.written.length === 0, JSON.stringify({ ...j, output: results.get(a.id)?.text.slice(0, 200) }));
    }
  });

  it('control: with --sandbox off the same attempts succeed, so the checks above can fail', { timeout: 120_000 }, async () => {
    const l = layout('control');
    let pid: number | undefined;
    const list = attacks(l, () => pid).filter((a) => a.id !== 'umount');
    const { r, results } = await run(l, script(list), ['--sandbox', 'off'], undefined, (p) => (pid = p));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('sandbox off');
    const succeeded = (a: Attack) => {
      const j = judge(a, results.get(a.id));
      return j.leaked.length + j.written.length > 0;
    };
    expect(Object.fromEntries(list.map((a) => [a.id, succeeded(a)]))).toEqual(Object.fromEntries(list.map((a) => [a.id, true])));
  });
});

describe('agent-runner run --sandbox offline', () => {
  const reach = (port: number) =>
    `node -e "fetch('http://127.0.0.1:${port}/').then(async (r) => console.log('REACHED', await r.text()), (e) => { console.log('FAILED', e.cause?.code ?? e.message); process.exit(1); })"`;

  it('cannot reach a loopback server of the host, and the run goes on; workspace-write can', { timeout: 120_000 }, async () => {
    const port = (loopback.address() as AddressInfo).port;
    const l = layout('offline');
    loopbackHits = 0;
    const offline = await run(l, [[toolUse('net', 'shell', { command: reach(port) })], [toolUse('after', 'shell', { command: 'echo still here' })], [text('done')]], ['--sandbox', 'offline']);
    expect(offline.r.code, offline.r.stderr).toBe(0);
    const hitsOffline = loopbackHits;
    const net = offline.results.get('net');
    report.hold('reach a loopback HTTP server of the host (offline)', 'connection fails, the server sees nothing', net?.status === 'error' && !net.text.includes('REACHED') && hitsOffline === 0, JSON.stringify({ net, hitsOffline }));
    expect(offline.results.get('after')).toEqual({ status: 'success', text: 'exit code: 0\nstill here\n' });

    fs.rmSync(l.out, { recursive: true, force: true });
    const online = await run(l, [[toolUse('net', 'shell', { command: reach(port) })], [text('done')]], []);
    expect(online.r.code, online.r.stderr).toBe(0);
    expect({ result: online.results.get('net'), hits: loopbackHits }).toEqual({ result: { status: 'success', text: 'exit code: 0\nREACHED reached\n' }, hits: 1 });
  });
});
