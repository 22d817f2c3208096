/**
 * Speed goals that used to be test assertions (the suite checks only that work grows linearly):
 * redaction of large tool output, the diff of large files, the tools on a 10,000-file tree, and
 * the webhook's answer to a triggering delivery. Each figure is wall time in this process.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { makeSnapshot } from '../src/agent/diff/memory.ts';
import { diffSnapshots } from '../src/agent/diff/index.ts';
import { searchTool, walkWorkspace } from '../src/agent/tools/index.ts';
import { GitHubClient } from '../src/github/client.ts';
import { handleDelivery, signBody } from '../src/github/index.ts';
import type { GitHubTaskMessage } from '../src/github/types.ts';
import { createRedactor } from '../src/security/index.ts';
import { FakeGitHub } from '../test/support/fake-github.ts';
import { issuesLabeled } from '../test/unit/github/payloads.ts';
import type { BenchContext, Measurement } from './types.ts';

const MB = 1024 * 1024;

async function timed(work: () => unknown): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

function redaction(): { ordinary: number; hostile: number } {
  const redactor = createRedactor({});
  const line = 'src/app/module.ts:42:  const value = computeSomething(input, 12345); // ordinary output\n';
  const ordinary = line.repeat(Math.ceil(MB / line.length));
  redactor.text(ordinary); // warm up
  const t0 = performance.now();
  redactor.text(ordinary);
  const ordinaryMs = performance.now() - t0;
  const hostile = ['AKIA'.repeat(MB / 4), 'eyJ'.repeat(MB / 3), '-----BEGIN PRIVATE KEY-----\n'.repeat(MB / 28), 'a://bbbb:'.repeat(MB / 9), 'authorization: '.repeat(MB / 15), 'sk-'.repeat(MB / 3), 'A'.repeat(MB)];
  let worst = 0;
  for (const s of hostile) {
    const t = performance.now();
    redactor.text(s);
    worst = Math.max(worst, performance.now() - t);
  }
  return { ordinary: ordinaryMs, hostile: worst };
}

function diffs(): { text: number; binary: number } {
  const big = Array.from({ length: 100_000 }, (_, i) => `const v${i} = ${i % 7};\n`);
  const edited = big.slice();
  for (let i = 50; i < edited.length; i += 997) edited[i] = `// changed ${i}\n`;
  const rewritten = (tag: string) => Array.from({ length: 20_000 }, (_, i) => `${tag} ${i % 50}\n`).join('');
  const before = makeSnapshot({ 'big.js': big.join(''), 'rw.txt': rewritten('a') });
  const after = makeSnapshot({ 'big.js': edited.join(''), 'rw.txt': rewritten('b') });
  let t = performance.now();
  diffSnapshots(before, after);
  const text = performance.now() - t;
  const bin = Buffer.alloc(5_000_000);
  for (let i = 0; i < bin.length; i++) bin[i] = (i * 2654435761) >>> 24;
  t = performance.now();
  diffSnapshots(makeSnapshot({ 'b.bin': bin }), makeSnapshot({ 'b.bin': Buffer.concat([bin, Buffer.from([1])]) }));
  return { text, binary: performance.now() - t };
}

async function tree(root: string): Promise<void> {
  const body = Array.from({ length: 40 }, (_, i) => `export const value${i} = ${i}; // some ordinary source text`).join('\n');
  for (let d = 0; d < 100; d++) {
    const dir = path.join(root, `pkg${d}`, 'src');
    await fs.mkdir(dir, { recursive: true });
    await Promise.all(Array.from({ length: 100 }, (_, f) => fs.writeFile(path.join(dir, `file${f}.ts`), body + (d === 42 && f === 7 ? '\nconst needleInHaystack = true;\n' : ''))));
  }
}

async function webhookAnswer(github: FakeGitHub, n: number): Promise<number> {
  const secret = 'bench-webhook-secret';
  const payload = issuesLabeled();
  payload.label.name = 'agent';
  const body = Buffer.from(JSON.stringify(payload));
  const queued: GitHubTaskMessage[] = [];
  const ms = await timed(() =>
    handleDelivery(
      { method: 'POST', headers: { 'x-github-event': 'issues', 'x-github-delivery': `bench-${n}-${Date.now()}`, 'x-hub-signature-256': signBody(secret, body) }, body },
      {
        webhookSecret: async () => secret,
        deliveries: { claim: async () => true, release: async () => undefined },
        queue: { send: async (t) => void queued.push(t) },
        github: () => new GitHubClient({ apiUrl: github.url, token: async () => 'ghp_bench' }),
        triggers: { label: 'agent', checkRuns: true },
      },
    ),
  );
  if (queued.length !== 1) throw new Error('bench: the delivery did not enqueue its task');
  return ms;
}

export const speed: Measurement = {
  id: 'speed',
  title: 'Speed of the heavy steps',
  method:
    'Wall time in this process: redacting 1 MB of ordinary tool output (after a warm-up) and the slowest of seven adversarial 1 MB strings; diffing a 100k-line file with scattered edits plus a rewritten 20k-line one, and a 5 MB binary file changed by one byte; walkWorkspace and a search over 10,000 files (after one walk to warm the file-system cache); the webhook handler answering a labelled-issue delivery (signature, GitHub reads and the reaction against the local fake GitHub, an in-memory queue).',
  defaultRuns: 3,
  figures: [
    { key: 'redactOrdinary', label: 'Redact 1 MB of ordinary output', unit: 'ms', target: '< 250 ms', digits: 0 },
    { key: 'redactHostile', label: 'Redact 1 MB adversarial strings, slowest', unit: 'ms', target: '< 500 ms', digits: 0 },
    { key: 'diffText', label: 'Diff 100k lines with scattered edits + 20k rewritten', unit: 'ms', target: '< 3000 ms', digits: 0 },
    { key: 'diffBinary', label: 'Diff a 5 MB binary file', unit: 'ms', target: '< 3000 ms', digits: 0 },
    { key: 'walk', label: 'walkWorkspace, 10,000 files', unit: 'ms', target: '< 2000 ms', digits: 0 },
    { key: 'search', label: 'search, 10,000 files', unit: 'ms', target: '< 5000 ms', digits: 0 },
    { key: 'webhook', label: 'Webhook: labelled issue to 202', unit: 'ms', target: '< 2000 ms', digits: 0 },
  ],
  async measure(ctx: BenchContext, runs: number) {
    const root = path.join(ctx.tmp, 'speed-tree');
    await tree(root);
    await walkWorkspace(root);
    const github = await FakeGitHub.start({ tokens: ['ghp_bench'] });
    const p = issuesLabeled();
    github.addRepo(p.repository.owner.login, p.repository.name, { defaultBranch: p.repository.default_branch, files: { README: 'Hello\n' } });
    github.addIssue(p.repository.owner.login, p.repository.name, { number: p.issue.number, title: p.issue.title, comments: [] });
    try {
      const samples: Record<string, number>[] = [];
      for (let i = 0; i < runs; i++) {
        const r = redaction();
        const d = diffs();
        const walk = await timed(() => walkWorkspace(root));
        const search = await timed(() => searchTool.run({ pattern: 'needleIn\\w+' }, { root, signal: new AbortController().signal, clock: Date.now, env: {}, shellTimeoutMs: 1000, maxShellTimeoutMs: 1000, maxOutputBytes: 32 * 1024 }));
        samples.push({ redactOrdinary: r.ordinary, redactHostile: r.hostile, diffText: d.text, diffBinary: d.binary, walk, search, webhook: await webhookAnswer(github, i) });
      }
      return samples;
    } finally {
      await github.stop();
    }
  },
};
