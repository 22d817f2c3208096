import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { colorEnabled, createRenderer, fitWidth } from '../../../src/cli/render.ts';
import type { AgentEvent } from '../../../src/task/events.ts';

const base = { time: '2026-01-01T00:00:00.000Z', taskId: 't1' };
const EVENTS: AgentEvent[] = [
  { seq: 1, ...base, type: 'task_started', prompt: 'p', model: 'm', limits: {} },
  { seq: 2, ...base, type: 'turn_started', turn: 1 },
  { seq: 3, ...base, type: 'tool_call', turn: 1, id: 'a', name: 'shell', input: { command: 'npm test' } },
  { seq: 4, ...base, type: 'tool_result', turn: 1, id: 'a', name: 'shell', status: 'error', output: 'exit code: 1\nboom', durationMs: 12, truncated: false },
  { seq: 5, ...base, type: 'usage', turn: 1, usage: { inputTokens: 10, outputTokens: 5, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 }, totalTokens: 15, costUsd: 0.5 },
  { seq: 6, ...base, type: 'result', taskId: 't1', status: 'succeeded', stopReason: 'end_turn', turns: 1, model: 'm', usage: { inputTokens: 10, outputTokens: 5, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 }, costUsd: 0.5, diff: { files: 1, additions: 2, deletions: 3 } },
];

function collect(json: boolean, tty: boolean, more: { color?: boolean; columns?: number } = {}) {
  const out = new PassThrough();
  const err = Object.assign(new PassThrough(), { columns: more.columns });
  let o = '';
  let e = '';
  out.on('data', (c) => (o += c));
  err.on('data', (c) => (e += c));
  const r = createRenderer({ json, tty, color: more.color, out, err, setInterval: (() => 0) as any, clearInterval: () => undefined });
  for (const ev of EVENTS) r.event(ev);
  r.close();
  return { o: () => o, e: () => e };
}

describe('createRenderer', () => {
  it('prints one JSON object a line and nothing else with --json', async () => {
    const c = collect(true, false);
    await new Promise((r) => setImmediate(r));
    expect(c.o().trim().split('\n').map((l) => JSON.parse(l))).toEqual(EVENTS);
    expect(c.e()).toBe('');
  });

  it('prints plain lines without terminal codes when not on a TTY', async () => {
    const c = collect(false, false);
    await new Promise((r) => setImmediate(r));
    expect(c.o()).toBe('');
    expect(c.e().split('\n')).toEqual([
      'task t1 · model m',
      'turn 1',
      '→ shell npm test',
      '✗ shell (12 ms): exit code: 1',
      'usage: 15 tokens, $0.5000',
      'succeeded · 1 turn · 15 tokens (0% cache read) · $0.5000 · 1 file changed (+2 -3) · 0 ms',
      '',
    ]);
  });

  it('keeps a status line with turn, tokens and cost on a TTY', async () => {
    const c = collect(false, true);
    await new Promise((r) => setImmediate(r));
    expect(c.e()).toContain('turn 1 · 15 tokens · $0.5000');
    expect(c.e()).toContain('\r\x1b[2K');
  });

  it('fits the status line to the terminal width, one column spare, and draws it again at a new width', () => {
    const err = Object.assign(new PassThrough(), { columns: 40 });
    let e = '';
    err.on('data', (c) => (e += c));
    const r = createRenderer({ json: false, tty: true, out: new PassThrough(), err, setInterval: (() => 0) as any, clearInterval: () => undefined });
    r.event(EVENTS[0]);
    r.event(EVENTS[2]);
    const draws = () => e.split('\r\x1b[2K').filter((d) => d && !d.includes('\n'));
    expect(draws().map((d) => Array.from(d).length)).toEqual(draws().map(() => 39));
    e = '';
    err.columns = 20;
    err.emit('resize');
    expect(draws()).toEqual(['⠋ turn 0 · 0 token…']);
    r.close();
    expect(err.listenerCount('resize')).toBe(0);
  });

  it('cuts by characters, never mid code point, and leaves short lines alone', () => {
    expect(fitWidth('short', 80)).toBe('short');
    expect(fitWidth('⠋ turn 12 · 1.2k tokens', 10)).toBe('⠋ turn 1…');
    expect(fitWidth('abc', 1)).toBe('…');
  });

  it('colours status, marks and thinking only when asked', async () => {
    const plain = collect(false, false);
    const coloured = collect(false, false, { color: true });
    await new Promise((r) => setImmediate(r));
    expect(plain.e()).not.toContain('\x1b[');
    expect(coloured.e()).toContain('\x1b[31m✗\x1b[0m shell');
    expect(coloured.e()).toContain('\x1b[32m\x1b[1msucceeded\x1b[0m\x1b[0m · 1 turn');
    expect(coloured.e().replaceAll('\x1b', '').replace(/\[\d+m/g, '')).toBe(plain.e());
  });

  it('colours a terminal unless NO_COLOR is set (and not empty) or TERM is dumb', () => {
    expect([
      colorEnabled({ isTTY: true }, {}),
      colorEnabled({ isTTY: true }, { NO_COLOR: '1' }),
      colorEnabled({ isTTY: true }, { NO_COLOR: '' }),
      colorEnabled({ isTTY: true }, { TERM: 'dumb' }),
      colorEnabled({ isTTY: false }, {}),
    ]).toEqual([true, false, true, false, false]);
  });
});

describe('createRenderer: workspace setup', () => {
  it('shows the setup steps of a worker task as plain lines', () => {
    const err = new PassThrough();
    let e = '';
    err.on('data', (c) => (e += c));
    const r = createRenderer({ json: false, tty: false, out: new PassThrough(), err, setInterval: (() => 0) as any, clearInterval: () => undefined });
    r.event({ seq: 2, ...base, type: 'setup_started', step: 'command', command: 'pip install -e .' });
    r.event({ seq: 3, ...base, type: 'setup_finished', step: 'command', status: 'succeeded', exitCode: 0, durationMs: 840, output: 'ok', truncated: false });
    r.event({ seq: 4, ...base, type: 'setup_skipped', step: 'repository', path: '.agent-runner/setup.sh', reason: "this stack's configuration refuses repository setup scripts" });
    r.event({ seq: 5, ...base, type: 'setup_finished', step: 'repository', status: 'failed', exitCode: null, durationMs: 600_000, output: '', truncated: false });
    r.close();
    expect(e.split('\n')).toEqual([
      'setup: pip install -e .',
      '✓ setup (840 ms)',
      "setup: .agent-runner/setup.sh not run (this stack's configuration refuses repository setup scripts)",
      '✗ setup (600000 ms): exit code timeout',
      '',
    ]);
  });
});
