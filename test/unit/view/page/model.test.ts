import { describe, expect, it } from 'vitest';
import type { AgentEvent, EventBody } from '../../../../src/task/events.ts';
import { applyEvent, emptyState, formatCost, formatDuration, formatTokens, runningLine, toolLabel } from '../../../../src/view/page/model.ts';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const usage = { inputTokens: 1500, outputTokens: 120, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 };

/** Events with seq from 1 and `time` T0 + seconds. */
function events(...bodies: [number, EventBody][]): AgentEvent[] {
  return bodies.map(([s, body], i) => ({ seq: i + 1, time: new Date(T0 + s * 1000).toISOString(), taskId: 't', ...body }) as AgentEvent);
}

const RUN = events(
  [0, { type: 'task_started', prompt: 'fix it', model: 'm-1', limits: { maxTurns: 10, maxCostUsd: 2 } }],
  [1, { type: 'turn_started', turn: 1 }],
  [2, { type: 'reasoning', turn: 1, text: 'hmm', redacted: false }],
  [2, { type: 'assistant_text', turn: 1, text: 'Running the tests.' }],
  [3, { type: 'usage', turn: 1, usage, totalTokens: 1620, costUsd: 0.0063 }],
  [3, { type: 'tool_call', turn: 1, id: 'a', name: 'shell', input: { command: 'npm test\n# and more' } }],
  [3, { type: 'tool_call', turn: 1, id: 'b', name: 'read_file', input: { path: 'src/x.ts' } }],
  [4, { type: 'tool_result', turn: 1, id: 'b', name: 'read_file', status: 'success', output: '1\tx', durationMs: 5, truncated: false }],
  [5, { type: 'retry', attempt: 1, waitMs: 800, error: { code: 'throttled', message: 'slow down' } }],
);

describe('applyEvent', () => {
  it('builds the header and the conversation from the events', () => {
    const state = emptyState();
    const changes = RUN.flatMap((e) => applyEvent(state, e));
    expect(state.header).toEqual({ phase: 'running', model: 'm-1', turn: 1, inputTokens: 1500, outputTokens: 120, costUsd: 0.0063, startedAt: T0, maxTurns: 10, maxCostUsd: 2 });
    expect(state.items.map((i) => i.kind)).toEqual(['prompt', 'turn', 'reasoning', 'text', 'tool', 'tool', 'notice']);
    expect(state.items[6]).toEqual({ kind: 'notice', level: 'warn', text: 'retry 1 in 800 ms after throttled: slow down' });
    expect(changes.filter((c) => c.op === 'update').map((c) => (c.op === 'update' ? c.item.id : ''))).toEqual(['b']);
    expect(state.lastSeq).toBe(9);
  });

  it('ignores events it has seen (a resumed stream overlapping the last one) and unknown types', () => {
    const state = emptyState();
    for (const e of RUN) applyEvent(state, e);
    const before = structuredClone({ items: state.items, header: state.header });
    expect(RUN.flatMap((e) => applyEvent(state, e))).toEqual([]);
    expect(applyEvent(state, { seq: 10, time: '', taskId: 't', type: 'something_new' } as unknown as AgentEvent)).toEqual([]);
    expect({ items: state.items, header: state.header, lastSeq: state.lastSeq }).toEqual({ ...before, lastSeq: 10 });
  });

  it('shows the live line for the tool still running, and none once the task ended', () => {
    const state = emptyState();
    for (const e of RUN) applyEvent(state, e);
    expect(runningLine(state, T0 + 15_000)).toBe('running `npm test …` for 12 s');
    const [end] = events([20, { type: 'result', taskId: 't', status: 'failed', stopReason: 'error', turns: 1, model: 'm-1', usage, costUsd: 0.01, diff: { files: 0, additions: 0, deletions: 0 }, error: { code: 'model_error', message: 'gone' } }]);
    const changes = applyEvent(state, { ...end, seq: 10 });
    expect(changes.map((c) => c.op)).toEqual(['header', 'result', 'add']);
    expect([state.header.phase, state.header.endedAt, state.result?.status, state.items.at(-1)]).toEqual(['failed', T0 + 20_000, 'failed', { kind: 'notice', level: 'error', text: 'model_error: gone' }]);
    expect(runningLine(state, T0 + 30_000)).toBeUndefined();
  });

  it('shows a result whose call it did not see as a tool item of its own', () => {
    const state = emptyState();
    const [r] = events([9, { type: 'tool_result', turn: 3, id: 'z', name: 'write_file', status: 'error', output: 'denied', durationMs: 2000, truncated: false }]);
    expect(applyEvent(state, r)).toEqual([{ op: 'add', item: { kind: 'tool', id: 'z', turn: 3, name: 'write_file', input: undefined, startedAt: T0 + 7000, status: 'error', output: 'denied', durationMs: 2000, truncated: false } }]);
  });

  it('shows setup steps as tools: live while they run, their output folded, a skipped one as a notice', () => {
    const state = emptyState();
    const evs = events(
      [0, { type: 'setup_skipped', step: 'repository', path: '.agent-runner/setup.sh', reason: "this stack's configuration refuses repository setup scripts" }],
      [1, { type: 'setup_started', step: 'command', command: 'bash .agent-runner/setup.sh' }],
      [31, { type: 'setup_finished', step: 'command', status: 'failed', exitCode: 2, durationMs: 30_000, output: 'pip: not found', truncated: false }],
    );
    applyEvent(state, evs[0]);
    applyEvent(state, evs[1]);
    expect(runningLine(state, T0 + 13_000)).toBe('running `setup bash .agent-runner/setup.sh` for 12 s');
    expect(applyEvent(state, evs[2]).map((c) => c.op)).toEqual(['update']);
    expect(state.items).toEqual([
      { kind: 'notice', level: 'info', text: "setup skipped (.agent-runner/setup.sh): this stack's configuration refuses repository setup scripts" },
      { kind: 'tool', id: 'setup:command', turn: 0, name: 'setup', input: { command: 'bash .agent-runner/setup.sh', step: 'command' }, startedAt: T0 + 1000, status: 'error', output: 'pip: not found', durationMs: 30_000, truncated: false },
    ]);
    expect(runningLine(state, T0 + 40_000)).toBeUndefined();
  });

  it('notes each MCP server, a failed one as a warning', () => {
    const state = emptyState();
    const evs = events(
      [0, { type: 'mcp_server', server: 'docs', transport: 'http', status: 'ready', tools: ['docs__search', 'docs__get'], durationMs: 120 }],
      [0, { type: 'mcp_server', server: 'db', transport: 'stdio', status: 'failed', tools: [], durationMs: 3000, error: { code: 'mcp_start_failed', message: 'exited 1' } }],
    );
    for (const e of evs) applyEvent(state, e);
    expect(state.items).toEqual([
      { kind: 'notice', level: 'info', text: 'MCP server docs (http) ready in 120 ms: 2 tools' },
      { kind: 'notice', level: 'warn', text: 'MCP server db (stdio) failed, the run goes on without it: mcp_start_failed: exited 1' },
    ]);
  });

  it('notes a resumed invocation instead of a second prompt', () => {
    const state = emptyState();
    const [a, b] = events([0, { type: 'task_started', prompt: 'p', model: 'm', limits: {} }], [60, { type: 'task_started', prompt: 'p', model: 'm', limits: {}, resumed: true }]);
    applyEvent(state, a);
    applyEvent(state, b);
    expect([state.items.map((i) => i.kind), state.header.startedAt]).toEqual([['prompt', 'notice'], T0]);
  });
});

describe('labels and figures', () => {
  it('labels tool calls by command, path or pattern', () => {
    expect([toolLabel('shell', { command: 'x'.repeat(100) }), toolLabel('edit_file', { path: 'a.ts' }), toolLabel('search', { pattern: 'TODO' }), toolLabel('apply_patch', { patch: '...' }), toolLabel('shell', null)]).toEqual([
      `${'x'.repeat(79)}…`,
      'a.ts',
      'TODO',
      '',
      '',
    ]);
  });

  it('formats durations, tokens and cost', () => {
    expect([0, 999, 12_400, 184_000, 3_720_000, -1].map(formatDuration)).toEqual(['0 ms', '999 ms', '12 s', '3 min 4 s', '1 h 2 min', '0 s']);
    expect([950, 12_345, 1_234, 2_500_000].map(formatTokens)).toEqual(['950', '12k', '1.2k', '2.5M']);
    expect([0.01234, 12.5].map(formatCost)).toEqual(['$0.0123', '$12.50']);
  });
});
