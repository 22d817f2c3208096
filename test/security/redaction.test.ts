/**
 * Secrets printed by tools: a real shell command prints fake credentials; the event log, a
 * transcript and the pull-request text must carry only `[REDACTED:<kind>]` markers, and the
 * redactor must stay fast on hostile input.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EventLog } from '../../src/agent/event-log.ts';
import { buildToolEnv, createShellTool } from '../../src/agent/tools/index.ts';
import type { TaskResult } from '../../src/task/events.ts';
import { renderMessage } from '../../src/github/index.ts';
import { createRedactor, UnsafePatternError } from '../../src/security/index.ts';
import { MemoryStore } from '../support/memory-store.ts';
import { growthRatio, LINEAR_4X } from '../support/growth.ts';
import { securityReport } from './report.ts';

const report = securityReport('redaction');
afterAll(() => report.flush());

// Fake, but in the real formats.
const AWS_KEY_ID = 'AKIAZ7QEXAMPLE3FAKE1';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLE1f';
const GH_TOKEN = `ghp_${'R4nd0mT0k3n'.repeat(4).slice(0, 36)}`;
const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAzZ3fakefakefake\nYWJjZGVmZ2hpams=\n-----END RSA PRIVATE KEY-----';
const SECRETS = [AWS_KEY_ID, AWS_SECRET, GH_TOKEN, 'MIIEowIBAAKCAQEAzZ3fakefakefake', 'hunter2-db-pass'];
const leaked = (text: string) => SECRETS.filter((s) => text.includes(s));

const redactor = createRedactor({ patterns: ['db-pass=[^\\s]{4,64}'] });

async function shellPrints(script: string): Promise<string> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sec-redact-'));
  try {
    const r = await createShellTool().run(
      { command: script },
      { root, signal: new AbortController().signal, clock: Date.now, env: buildToolEnv(process.env, { home: root, tmpDir: root }), shellTimeoutMs: 10_000, maxShellTimeoutMs: 10_000, maxOutputBytes: 32 * 1024 },
    );
    return r.output;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

describe('secrets in tool output', () => {
  it('are redacted in the events the log yields and stores', async () => {
    const output = await shellPrints(
      `printf 'aws_access_key_id = ${AWS_KEY_ID}\\naws_secret_access_key = ${AWS_SECRET}\\n'; echo "git push https://x-access-token:${GH_TOKEN}@github.com/o/r"; printf '%s\\n' "${PEM.replace(/\n/g, '\\n')}"; echo "db-pass=hunter2-db-pass"`,
    );
    expect(leaked(output)).toEqual(SECRETS);
    const store = new MemoryStore();
    const log = new EventLog('t1', store, () => 0, 1, redactor);
    const yielded = log.emit({ type: 'tool_result', turn: 1, id: 'c1', name: 'shell', status: 'success', output, durationMs: 5, truncated: false });
    const call = log.emit({ type: 'tool_call', turn: 1, id: 'c2', name: 'shell', input: { command: `curl -H "Authorization: Bearer ${GH_TOKEN}"` } });
    await log.flush();
    const stored = JSON.stringify(store.events('t1'));
    report.check('a shell command prints an AWS key pair, a GitHub token in a URL, a PEM key and a custom db password', 'no secret in the yielded or stored events', leaked(JSON.stringify([yielded, call]) + stored), []);
    expect((yielded as { output: string }).output).toBe(
      [
        'exit code: 0',
        'aws_access_key_id = [REDACTED:aws_access_key_id]',
        'aws_secret_access_key = [REDACTED:aws_secret_access_key]',
        'git push https://x-access-token:[REDACTED:url_credentials]@github.com/o/r',
        '[REDACTED:private_key]',
        '[REDACTED:custom]',
        '',
      ].join('\n'),
    );
  });

  it('the runner\'s own secret values are redacted even bare, as literals', () => {
    const own = createRedactor({ literals: [AWS_SECRET, GH_TOKEN.slice(0, 5), undefined] });
    report.check('a tool echoes the runner\'s own secret key bare (no key name near it)', 'redacted as a known literal', own.text(`echo ${AWS_SECRET}`), 'echo [REDACTED:runner_secret]');
  });

  it('are redacted in a transcript', () => {
    const transcript = {
      system: [{ text: 'you are an agent' }],
      messages: [
        { role: 'assistant', content: [{ toolUse: { toolUseId: 'c1', name: 'shell', input: { command: 'cat ~/.aws/credentials' } } }] },
        { role: 'user', content: [{ toolResult: { toolUseId: 'c1', status: 'success', content: [{ text: `aws_secret_access_key=${AWS_SECRET} ${AWS_KEY_ID}` }] } }] },
      ],
    };
    const out = redactor.json(transcript);
    report.check('a transcript holding a tool result with an AWS key pair', 'no secret in transcript.json', leaked(JSON.stringify(out)), []);
    expect(out.messages[1]).toEqual({
      role: 'user',
      content: [{ toolResult: { toolUseId: 'c1', status: 'success', content: [{ text: 'aws_secret_access_key=[REDACTED:aws_secret_access_key] [REDACTED:aws_access_key_id]' }] } }],
    });
  });

  it('are redacted in pull-request and comment text', () => {
    const result: TaskResult = {
      taskId: 't1',
      status: 'failed',
      stopReason: 'error',
      turns: 2,
      model: 'm',
      usage: { inputTokens: 1, outputTokens: 1, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 },
      costUsd: 0.01,
      diff: { files: 1, additions: 1, deletions: 0 },
      error: { code: 'Error', message: `push failed for https://u:${GH_TOKEN}@github.com` },
    };
    const common = { taskId: 't1', result, summary: `I found ${AWS_KEY_ID} in .env (AWS_SECRET_ACCESS_KEY: ${AWS_SECRET})`, transcriptUri: 's3://b/tasks/t1/transcript.json' };
    const pr = renderMessage({ ...common, kind: 'pull_request', issue: 3, issueIsPullRequest: false, issueTitle: `leak ${GH_TOKEN}`, files: [{ path: 'a.txt', change: 'modified' }] });
    const failed = renderMessage({ ...common, kind: 'failed' });
    const custom = renderMessage({ ...common, summary: 'db-pass=hunter2-db-pass', kind: 'no_change' }, redactor);
    report.check('a task summary, issue title and error message quoting secrets, rendered as PR, failure comment and comment', 'no secret in any title or body', leaked(JSON.stringify([pr, failed, custom])), []);
    expect(pr.title).toBe('agent: leak [REDACTED:github_token]');
  });
});

describe('the redactor under hostile input', () => {
  const MB = 1024 * 1024;
  // Work grows with the input, not faster: 4 times the input takes under 10 times the CPU time (quadratic would be 16).
  const growth = (make: (bytes: number) => string, r = redactor) => growthRatio(make(MB / 4), make(MB), (s) => r.text(s));

  it('redacts ordinary tool output in time linear in its size', () => {
    const line = 'src/app/module.ts:42:  const value = computeSomething(input, 12345); // ordinary output\n';
    const text = (bytes: number) => line.repeat(Math.ceil(bytes / line.length));
    const ratio = growth(text);
    report.hold('ordinary output, 256 KB and 1 MB', 'CPU time linear in the size (1 MB under 10x 256 KB)', ratio < LINEAR_4X, `${ratio.toFixed(1)}x`);
  });

  it('stays linear on adversarial strings built from the patterns\' own prefixes', () => {
    const hostile: Record<string, (bytes: number) => string> = {
      'AKIA repeated': (b) => 'AKIA'.repeat(b / 4),
      'eyJ repeated (JWT prefix)': (b) => 'eyJ'.repeat(b / 3),
      'BEGIN PRIVATE KEY headers without END': (b) => '-----BEGIN PRIVATE KEY-----\n'.repeat(b / 28),
      'scheme://user: without @': (b) => 'a://bbbb:'.repeat(b / 9),
      'authorization: repeated': (b) => 'authorization: '.repeat(b / 15),
      'aws_secret_access_key= repeated': (b) => 'aws_secret_access_key='.repeat(b / 22),
      'sk- repeated': (b) => 'sk-'.repeat(b / 3),
      'ghp_ repeated': (b) => 'ghp_'.repeat(b / 4),
      'one token-like run': (b) => 'A'.repeat(b),
      'whitespace': (b) => ' \t\n'.repeat(b / 3),
    };
    const superlinear = Object.entries(hostile)
      .map(([name, make]) => [name, growth(make)] as const)
      .filter(([, ratio]) => ratio >= LINEAR_4X)
      .map(([name, ratio]) => `${name}: ${ratio.toFixed(1)}x`);
    report.check(`${Object.keys(hostile).length} adversarial strings (256 KB and 1 MB) against the built-in patterns`, 'each linear in its size (CPU time of 1 MB under 10x 256 KB)', superlinear, []);
  });

  it('refuses configured patterns that backtrack exponentially, and bounds polynomial ones', () => {
    const refused = ['(a+)+b', '(a|ab)*c', '(\\w)\\1', 'x(?=y)', '(?:x*)*', 'a*'].map((p) => {
      try {
        createRedactor({ patterns: [p] });
        return 'accepted';
      } catch (err) {
        return err instanceof UnsafePatternError ? 'refused' : String(err);
      }
    });
    report.check('configured patterns (a+)+b, (a|ab)*c, (\\w)\\1, x(?=y), (?:x*)*, a*', 'refused when loaded', refused, ['refused', 'refused', 'refused', 'refused', 'refused', 'refused']);
    const ratio = growth((b) => 'a'.repeat(b), createRedactor({ patterns: ['a.*b.*c'] }));
    report.hold('configured pattern a.*b.*c on 256 KB and 1 MB of "a" (polynomial)', 'bounded by the windowed scan: linear in the size', ratio < LINEAR_4X, `${ratio.toFixed(1)}x`);
  });
});
