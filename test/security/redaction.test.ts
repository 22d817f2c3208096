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
import type { TaskResult } from '../../src/agent/events.ts';
import { renderMessage } from '../../src/github/index.ts';
import { createRedactor, UnsafePatternError } from '../../src/security/index.ts';
import { MemoryStore } from '../support/memory-store.ts';
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
      { root, signal: new AbortController().signal, env: buildToolEnv(process.env, { home: root, tmpDir: root }), shellTimeoutMs: 10_000, maxShellTimeoutMs: 10_000, maxOutputBytes: 32 * 1024 },
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
  const timed = (s: string, r = redactor): number => {
    const t = performance.now();
    r.text(s);
    return performance.now() - t;
  };

  it('redacts 1 MB of ordinary tool output quickly', () => {
    const line = 'src/app/module.ts:42:  const value = computeSomething(input, 12345); // ordinary output\n';
    const text = line.repeat(Math.ceil(MB / line.length));
    timed(text); // warm up
    const ms = timed(text);
    report.hold(`1 MB of ordinary output (${(text.length / MB).toFixed(1)} MB)`, 'under 250 ms', ms < 250, `${ms.toFixed(0)} ms`);
  });

  it('stays linear on adversarial strings built from the patterns\' own prefixes', () => {
    const hostile: Record<string, string> = {
      'AKIA repeated': 'AKIA'.repeat(MB / 4),
      'eyJ repeated (JWT prefix)': 'eyJ'.repeat(MB / 3),
      'BEGIN PRIVATE KEY headers without END': '-----BEGIN PRIVATE KEY-----\n'.repeat(MB / 28),
      'scheme://user: without @': 'a://bbbb:'.repeat(MB / 9),
      'authorization: repeated': 'authorization: '.repeat(MB / 15),
      'aws_secret_access_key= repeated': 'aws_secret_access_key='.repeat(MB / 22),
      'sk- repeated': 'sk-'.repeat(MB / 3),
      'ghp_ repeated': 'ghp_'.repeat(MB / 4),
      'one 1 MB token-like run': 'A'.repeat(MB),
      '1 MB of whitespace': ' \t\n'.repeat(MB / 3),
    };
    const slow = Object.entries(hostile)
      .map(([name, s]) => [name, timed(s)] as const)
      .filter(([, ms]) => ms > 500)
      .map(([name, ms]) => `${name}: ${ms.toFixed(0)} ms`);
    report.check(`${Object.keys(hostile).length} adversarial 1 MB strings against the built-in patterns`, 'each under 500 ms', slow, []);
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
    const poly = createRedactor({ patterns: ['a.*b.*c'] });
    const ms = timed('a'.repeat(MB), poly);
    report.hold('configured pattern a.*b.*c on 1 MB of "a" (polynomial)', 'bounded by the windowed scan (under 5 s)', ms < 5000, `${ms.toFixed(0)} ms`);
  });
});
