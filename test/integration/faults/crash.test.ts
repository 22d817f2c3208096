/**
 * Workers that stop mid-turn: one killed (SIGKILL, in a child process) while a tool runs, whose
 * message comes back to an in-process worker; one whose Lambda deadline arrives mid-tool, which
 * pauses and continues through an SQS continuation. The turn in flight is lost and redone; the
 * turns before it are not.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { metadata, text, toolUse } from '../../support/fake-bedrock.ts';
import { BUCKET, DEFAULT_TIMING, useFaultEnv, waitFor, type FaultEnv } from './harness.ts';
import { checkTask, eventsOf, readTask } from './invariants.ts';
import { FaultReport, type CaseChecks } from './report.ts';
import { appendedDiff, appendStep, casePrompt, stepsScript, TURN_USAGE } from './script.ts';
import type { ChildConfig } from './worker-child.ts';

let env: FaultEnv;
const report = new FaultReport('crash');
useFaultEnv(report, (e) => (env = e));
// Processes this file started (child workers, the tools they left sleeping): ended by pid.
const started = new Set<number>();
const end = (pid: number) => {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
  started.delete(pid);
};

afterAll(() => {
  for (const pid of started) end(pid);
});

/** Starts the child worker; it takes the next message of the task queue. */
function spawnWorkerChild(opts: Pick<ChildConfig, 'visibilityTimeoutS' | 'remainingMs'>) {
  const cfg: ChildConfig = {
    s3Endpoint: env.proxy.url,
    sqsEndpoint: env.aws.endpoint,
    bedrockEndpoint: env.fake.url,
    bucket: BUCKET,
    queueUrl: env.queueUrl,
    queueArn: env.queueArn,
    tmpRoot: path.join(env.tmpRoot, 'child-tmp'),
    ...opts,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'worker-child.ts')], {
    env: { ...process.env, FAULT_CHILD: JSON.stringify(cfg) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child.pid!);
  child.once('exit', () => started.delete(child.pid!));
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c));
  const received = new Promise<{ messageId: string }>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c;
      const line = out.split('\n').find((l) => l.startsWith('{"received"'));
      if (line) resolve((JSON.parse(line) as { received: { messageId: string } }).received);
    });
    child.once('exit', () => reject(new Error(`the child worker ended before receiving a message: ${out}${err}`)));
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, received, exited };
}

/** Tool calls and results of a task written so far. */
async function toolEventsSoFar(taskId: string): Promise<string[]> {
  const { events } = await readTask(env, taskId);
  return events.flatMap((e) => (e.type === 'tool_call' || e.type === 'tool_result' ? [`${e.type}:${e.id}`] : []));
}

/**
 * Runs a 3-step task in the child worker, kills it while turn 3's tool sleeps, lets the in-process
 * worker take the message when it comes back, and checks what must hold.
 */
async function killMidTool(c: CaseChecks, taskId: string, child: Pick<ChildConfig, 'visibilityTimeoutS' | 'remainingMs'>) {
  const pidFile = path.join(env.tmpRoot, `${taskId}.sleeper.pid`);
  // The sleeping shell writes its pid first, so that the test can end it after the kill.
  const sleeper = [text('Step 3: a long command.'), toolUse('t3', 'shell', { command: `echo $$ > ${pidFile}; exec sleep 20` }), metadata(TURN_USAGE)];
  env.scripts.register(taskId, stepsScript({ steps: 3, step: (k, req) => (k === 3 && req.attempt === 0 ? sleeper : appendStep(k)) }));
  // Only the child takes the message; the in-process worker gets it when it comes back.
  await env.pausePolling();
  let killed: { messageId: string; beforeKill: string[]; signal: NodeJS.Signals | null };
  try {
    await env.send({ taskId, prompt: casePrompt(taskId, 'count to three, slowly') });
    const worker = spawnWorkerChild(child);
    const { messageId } = await worker.received;
    const sleeping = Number(await waitFor('the sleeping tool', () => (fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8').trim() || undefined : undefined), child.remainingMs));
    started.add(sleeping);
    const beforeKill = await toolEventsSoFar(taskId);
    end(worker.child.pid!);
    const { signal } = await worker.exited;
    // The tool of a killed worker lives on in its own process group: end it too.
    end(sleeping);
    killed = { messageId, beforeKill, signal };
  } finally {
    env.resumePolling();
  }
  await env.waitForResult(taskId, 30_000);
  await env.waitIdle();
  const art = await readTask(env, taskId);
  checkTask(c, art, { status: 'succeeded', turns: 4, diff: appendedDiff(3), usagePerTurn: true });
  c.hold('the worker died by SIGKILL while turn 3\'s tool ran', () => {
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.beforeKill).toEqual(['tool_call:t1', 'tool_result:t1', 'tool_call:t2', 'tool_result:t2', 'tool_call:t3']);
  });
  c.hold('the same message came back and resumed at the last checkpoint (turn 2): only turn 3 asked again', () => {
    expect(env.invocationsOf(taskId).every((i) => i.messageIds[0] === killed.messageId)).toBe(true);
    expect(eventsOf(art.events, 'checkpoint').map((e) => `${e.reason}@${e.turn}`)).toEqual(['resumed@2']);
    expect(env.scripts.of(taskId).map((s) => s.turn)).toEqual([1, 2, 3, 3, 4]);
  });
  c.hold('the lost turn\'s events stay (its tool call without result); the redone turn follows them', () =>
    expect(eventsOf(art.events, 'tool_call').map((e) => e.id)).toEqual(['t1', 't2', 't3', 't3']),
  );
}

describe('a worker killed mid-turn', () => {
  // Times leave the child worker room to reach turn 3 on a busy machine (two cores taken by other
  // work): what the cases check is the order of the lease's end and the message's return.
  it('resumes from the last checkpoint when the message comes back after the dead worker\'s lease ended', async () => {
    await report.case('worker SIGKILLed mid-tool; redelivered after its lease ended', async (c) => {
      await killMidTool(c, 'crash-late', { visibilityTimeoutS: 10, remainingMs: 7_000 });
      c.hold('one in-process delivery, not failed', () => expect(env.invocationsOf('crash-late').map((i) => i.failures.length)).toEqual([0]));
    });
  }, 90_000);

  it('retries (does not drop) a redelivery that finds the dead worker\'s lease still live', async () => {
    await report.case('worker SIGKILLed mid-tool; redelivered while its lease is live', async (c) => {
      await killMidTool(c, 'crash-early', { visibilityTimeoutS: 7, remainingMs: 7_800 });
      c.hold('the delivery during the lease failed (message kept), the next one ran it', () =>
        expect(env.invocationsOf('crash-early').map((i) => i.failures.length)).toEqual([1, 0]),
      );
    });
  }, 90_000);
});

describe('the Lambda deadline reached mid-tool', () => {
  it('pauses at the last checkpoint, continues through SQS and redoes only the turn in flight', async () => {
    await report.case('deadline reached while a tool runs (4 s "Lambda", abort 1.5 s before)', async (c) => {
      const taskId = 'deadline';
      const sleeper = [text('Step 2: a long command.'), toolUse('t2', 'shell', { command: 'sleep 30' }), metadata(TURN_USAGE)];
      const step = (k: number, req: { attempt: number }) => {
        // Only the first invocation is short (it took its timing when it started): the one that
        // continues it has time for its turns, however busy the machine.
        if (k === 1) env.timing = { ...DEFAULT_TIMING };
        return k === 2 && req.attempt === 0 ? sleeper : appendStep(k);
      };
      env.scripts.register(taskId, stepsScript({ steps: 2, step }));
      env.timing = { ...DEFAULT_TIMING, timeoutMs: 4_000, hardMarginMs: 1_500, pauseMarginMs: 0, minStartMs: 100 };
      try {
        await env.send({ taskId, prompt: casePrompt(taskId, 'count to two, slowly') });
        await env.waitForResult(taskId, 20_000);
        await env.waitIdle();
      } finally {
        env.timing = { ...DEFAULT_TIMING };
      }
      const art = await readTask(env, taskId);
      checkTask(c, art, { status: 'succeeded', turns: 3, diff: appendedDiff(2), usagePerTurn: true });
      const runs = env.invocationsOf(taskId);
      c.hold('two invocations: paused (continued), then resumed from turn 1 to the end', () => {
        expect(runs.map((i) => [i.failures.length, i.outcomes.map((o) => o.outcome)])).toEqual([
          [0, ['continued']],
          [0, ['succeeded']],
        ]);
        expect(new Set(runs.map((i) => i.messageIds[0])).size).toBe(2);
        expect(eventsOf(art.events, 'checkpoint').map((e) => `${e.reason}@${e.turn}`)).toEqual(['deadline@1', 'resumed@1']);
      });
      c.hold('only the turn in flight asked again', () => expect(env.scripts.of(taskId).map((s) => s.turn)).toEqual([1, 2, 2, 3]));
    });
  });

  it('leaves nothing in the dead-letter queue', async () => {
    await report.case('all crashes above', async (c) => {
      const dead = await env.deadLetters();
      c.hold('the DLQ is empty', () => expect(dead).toEqual([]));
    });
  });
});
