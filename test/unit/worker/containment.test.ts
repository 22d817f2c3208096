/**
 * One task cannot reach the next: what its tools leave running is killed when it ends, its folder
 * has a name nobody can derive, and a task whose deliveries keep killing the worker ends with a
 * result on the queue's last delivery.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readProcess, ToolProcessSweeper } from '../../../src/security/index.ts';
import { HostFaultError, processRecord, WORK_DIR_NAME } from '../../../src/worker/index.ts';
import { createMcpToolSource } from '../../../src/mcp/index.ts';
import { EVERYTHING, stdioServer } from '../../support/mcp-servers.ts';
import { MemoryStore } from '../../support/memory-store.ts';
import { callTools, say } from '../../support/script-provider.ts';
import { harness, sqsRecord, type Harness } from './helpers.ts';

const RUN = { signal: new AbortController().signal, maxSeconds: 850 };
let h: Harness | undefined;
const pids = new Set<number>();
let scratch: string;

afterEach(() => {
  h?.cleanup();
  // Whatever a case left (when it fails), ended by pid.
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  pids.clear();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

const alive = (pid: number): boolean => {
  const p = readProcess(pid);
  return p !== undefined && p.state !== 'Z';
};

describe('a task cannot reach the next one', () => {
  it('kills a process a tool left running in a new session (setsid nohup) when the task ends', async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'containment-'));
    const pidFile = path.join(scratch, 'spy.pid');
    const spy = `setsid nohup sh -c 'echo $$ > ${pidFile}; while :; do sleep 0.2; done' >/dev/null 2>&1 & sleep 0.5; cat ${pidFile}`;
    h = harness(new MemoryStore(), [callTools([['t1', 'shell', { command: spy }]]), say('done')], { processes: new ToolProcessSweeper({ scope: 'marked' }) });
    const out = await processRecord(sqsRecord(JSON.stringify({ taskId: 'spy', prompt: 'p' }), 'm-1'), h.deps, RUN);
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    pids.add(pid);
    expect([out.outcome, pid > 0, alive(pid)]).toEqual(['succeeded', true, false]);
    expect(h.logs.filter((l) => l.message.startsWith('killed processes left running by tool commands')).map((l) => [l.message, l.extra])).toEqual([
      // The spy and whatever it had running (its sleep).
      ['killed processes left running by tool commands, after the task', { pids: expect.arrayContaining([pid]) }],
    ]);
  });

  it('kills what an MCP server started in a new session when the task ends (the session closes only its own group)', async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'containment-'));
    const pidFile = path.join(scratch, 'mcp-spy.pid');
    // The server leaves a process in a session of its own, then serves as server-everything.
    const script = `setsid sh -c 'echo $$ > ${pidFile}; exec sleep 300' >/dev/null 2>&1 & exec "$0" "$1"`;
    const server = stdioServer('everything', ['-c', script, process.execPath, EVERYTHING], { command: '/bin/sh' });
    const extraTools = createMcpToolSource([server], { lookup: async () => undefined })!;
    h = harness(new MemoryStore(), [say('done')], { processes: new ToolProcessSweeper({ scope: 'marked' }) });
    const base = h.deps.settings;
    h.deps.settings = async (task) => ({ ...(await base(task)), extraTools });
    const out = await processRecord(sqsRecord(JSON.stringify({ taskId: 'mcp-spy', prompt: 'p' }), 'm-5'), h.deps, RUN);
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    pids.add(pid);
    const toolNames = (h.provider.requests[0]?.tools ?? []).map((t) => t.name);
    expect([out.outcome, toolNames.some((n) => n.startsWith('mcp__everything__')), pid > 0, alive(pid)]).toEqual(['succeeded', true, true, false]);
  }, 60_000);

  it('kills what a cancelled command left in a new session (cancel ends only the command\'s group)', async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'containment-'));
    const pidFile = path.join(scratch, 'cancel-spy.pid');
    const store = new MemoryStore();
    const command = `setsid sh -c 'echo $$ > ${pidFile}; exec sleep 300' >/dev/null 2>&1 & exec sleep 60`;
    h = harness(store, [callTools([['s', 'shell', { command }]]), say('never')], { processes: new ToolProcessSweeper({ scope: 'marked' }), cancelPollMs: 20 });
    const pending = processRecord(sqsRecord(JSON.stringify({ taskId: 'cancel-spy', prompt: 'p' }), 'm-6'), h.deps, RUN);
    while (!fs.existsSync(pidFile) || fs.readFileSync(pidFile, 'utf8').trim() === '') await new Promise((r) => setTimeout(r, 10));
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    pids.add(pid);
    await store.put('cancel-spy', 'cancel.json', '{"by":"@octo"}');
    const out = await pending;
    expect([out.result?.stopReason, alive(pid)]).toEqual(['cancelled', false]);
  }, 60_000);

  it('leaves processes that are not its tools alone (marked scope, a developer machine)', async () => {
    const other = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    pids.add(other.pid!);
    h = harness(new MemoryStore(), [callTools([['t1', 'shell', { command: 'true' }]]), say('done')], { processes: new ToolProcessSweeper({ scope: 'marked' }) });
    await processRecord(sqsRecord(JSON.stringify({ taskId: 'calm', prompt: 'p' }), 'm-2'), h.deps, RUN);
    expect(alive(other.pid!)).toBe(true);
  });

  it('works in a folder with a random name (not the task id) that only its owner can enter', async () => {
    h = harness(new MemoryStore(), [callTools([['t1', 'shell', { command: 'pwd; stat -c %a "$(dirname "$PWD")"' }]]), say('done')]);
    const out = await processRecord(sqsRecord(JSON.stringify({ taskId: 'named', prompt: 'p' }), 'm-3'), h.deps, RUN);
    const events = await (h.deps.store as MemoryStore).readEvents('named');
    const shown = events.find((e) => e.type === 'tool_result');
    expect([out.outcome, shown && 'output' in shown ? shown.output : '']).toEqual(['succeeded', expect.stringMatching(new RegExp(`^exit code: 0\\n${path.join(h.tmpRoot, WORK_DIR_NAME)}/[0-9a-f]{32}/workspace\\n700\\n$`))]);
  });
});

describe('a task whose deliveries keep killing the worker', () => {
  const body = JSON.stringify({ taskId: 'killer', prompt: 'run kill -9 $PPID' });
  const future = Date.parse('2027-01-01T00:00:00Z');
  const seedCrashedRun = async (store: MemoryStore, expiresAt: number) => {
    await store.put('killer', 'task.json', JSON.stringify({ taskId: 'killer', prompt: 'run kill -9 $PPID' }));
    await store.appendEvents('killer', [
      { seq: 1, time: '2026-01-01T00:00:00.000Z', taskId: 'killer', type: 'task_started', prompt: 'p', model: 'm', limits: {} },
      { seq: 2, time: '2026-01-01T00:00:01.000Z', taskId: 'killer', type: 'turn_started', turn: 1 },
    ]);
    // Never released: its holder died mid-task.
    await store.put('killer', 'lease.json', JSON.stringify({ owner: 'm-k/first', messageId: 'm-k', expiresAt, acquiredAt: 0 }));
  };

  it('ends failed with worker_crashed on the last delivery, after the events written, without running it again', async () => {
    const store = new MemoryStore();
    await seedCrashedRun(store, future);
    h = harness(store, [say('never')], { maxReceiveCount: 3 });
    // Before the last delivery the holder's own message is retried, as ever.
    await expect(processRecord(sqsRecord(body, 'm-k', 2), h.deps, RUN)).rejects.toBeInstanceOf(HostFaultError);
    const out = await processRecord(sqsRecord(body, 'm-k', 3), h.deps, RUN);
    const error = {
      code: 'worker_crashed',
      message: "the worker stopped while running this task on its earlier deliveries (a tool may have killed it, or it ran out of memory); it is not run again on delivery 3 of 3, the queue's last",
    };
    expect([out.outcome, out.result?.error, store.json('killer', 'result.json').error]).toEqual(['failed', error, error]);
    expect(store.events('killer').map((e) => [e.seq, e.type])).toEqual([[1, 'task_started'], [2, 'turn_started'], [3, 'result']]);
    expect(h.provider.requests).toEqual([]);
    expect(store.json('killer', 'lease.json').expiresAt).toBe(0);
  });

  it('ends it too when the dead delivery\'s lease has expired but was never let go', async () => {
    const store = new MemoryStore();
    await seedCrashedRun(store, Date.parse('2025-12-31T00:00:00Z'));
    h = harness(store, [say('never')], { maxReceiveCount: 3 });
    const out = await processRecord(sqsRecord(body, 'm-k', 3), h.deps, RUN);
    expect([out.outcome, out.result?.error?.code, h.provider.requests.length]).toEqual(['failed', 'worker_crashed', 0]);
  });

  it('does not take a delivery still running in this process for a dead one (a visibility timeout shorter than the run)', async () => {
    const store = new MemoryStore();
    let release!: () => void;
    let asked!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const modelAsked = new Promise<void>((r) => (asked = r));
    h = harness(store, [async () => (asked(), await slow, say('finished'))], { maxReceiveCount: 2 });
    const first = processRecord(sqsRecord(body, 'm-k', 1), h.deps, RUN);
    // The first delivery holds the task once it asks the model.
    await modelAsked;
    const again = await processRecord(sqsRecord(body, 'm-k', 2), h.deps, RUN).catch((e: unknown) => e);
    release();
    expect([again instanceof HostFaultError, (await first).outcome, store.json('killer', 'result.json').status]).toEqual([true, 'succeeded', 'succeeded']);
  });

  it('runs it again before the last delivery, and on the last one when the earlier deliveries did not die (lease let go)', async () => {
    const store = new MemoryStore();
    await seedCrashedRun(store, Date.parse('2025-12-31T00:00:00Z'));
    h = harness(store, [say('ran'), say('ran again')], { maxReceiveCount: 3 });
    expect((await processRecord(sqsRecord(body, 'm-k', 2), h.deps, RUN)).outcome).toBe('succeeded');
    const released = new MemoryStore();
    await seedCrashedRun(released, 0);
    h.cleanup();
    h = harness(released, [say('ran')], { maxReceiveCount: 3 });
    expect((await processRecord(sqsRecord(body, 'm-k', 3), h.deps, RUN)).outcome).toBe('succeeded');
  });
});
