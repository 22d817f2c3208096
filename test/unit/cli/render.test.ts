import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { createRenderer } from '../../../src/cli/render.ts';
import type { AgentEvent } from '../../../src/agent/events.ts';

const base = { time: '2026-01-01T00:00:00.000Z', taskId: 't1' };
const EVENTS: AgentEvent[] = [
  { seq: 1, ...base, type: 'task_started', prompt: 'p', model: 'm', limits: {} },
  { seq: 2, ...base, type: 'turn_started', turn: 1 },
  { seq: 3, ...base, type: 'tool_call', turn: 1, id: 'a', name: 'shell', input: { command: 'npm test' } },
  { seq: 4, ...base, type: 'tool_result', turn: 1, id: 'a', name: 'shell', status: 'error', output: 'exit code: 1\nboom', durationMs: 12, truncated: false },
  { seq: 5, ...base, type: 'usage', turn: 1, usage: { inputTokens: 10, outputTokens: 5, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 }, totalTokens: 15, costUsd: 0.5 },
  { seq: 6, ...base, type: 'result', taskId: 't1', status: 'succeeded', stopReason: 'end_turn', turns: 1, model: 'm', usage: { inputTokens: 10, outputTokens: 5, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 }, costUsd: 0.5, diff: { files: 1, additions: 2, deletions: 3 } },
];

function collect(json: boolean, tty: boolean) {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (c) => (o += c));
  err.on('data', (c) => (e += c));
  const r = createRenderer({ json, tty, out, err, setInterval: (() => 0) as any, clearInterval: () => undefined });
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
      'succeeded · 1 turns · 15 tokens · $0.5000 · 1 files changed (+2 -3)',
      '',
    ]);
  });

  it('keeps a status line with turn, tokens and cost on a TTY', async () => {
    const c = collect(false, true);
    await new Promise((r) => setImmediate(r));
    expect(c.e()).toContain('turn 1 · 15 tokens · $0.5000');
    expect(c.e()).toContain('\r\x1b[2K');
  });
});
