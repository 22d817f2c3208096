/** A model call whose attempts are retried: readers of the events see each turn's answer once. */
import { describe, expect, it } from 'vitest';
import { EventLog } from '../../../src/agent/index.ts';
import { streamModelTurn, type TurnTotals } from '../../../src/agent/turn.ts';
import type { AgentEvent } from '../../../src/task/events.ts';
import type { StreamEvent } from '../../../src/providers/types.ts';
import { MemoryStore } from '../../support/memory-store.ts';
import { ScriptProvider, say, SCRIPT_MODEL } from '../../support/script-provider.ts';

const retry = (attempt: number): StreamEvent => ({ type: 'retry', attempt, waitMs: 10 * attempt, error: { code: 'network_error', message: 'ECONNRESET: read ECONNRESET' } });

/** An attempt that got as far as a whole text block and a whole reasoning block before it broke. */
const brokenAttempt: StreamEvent[] = [
  { type: 'message_start' },
  { type: 'reasoning_delta', index: 0, text: 'Thinking it over.' },
  { type: 'reasoning_delta', index: 0, signature: 'sig' },
  { type: 'block_stop', index: 0 },
  { type: 'text_delta', index: 1, text: 'A partial answer.' },
  { type: 'block_stop', index: 1 },
];

async function turn(events: StreamEvent[]) {
  const store = new MemoryStore();
  const log = new EventLog('t1', store, () => Date.parse('2026-01-01T00:00:00Z'));
  const totals: TurnTotals = { usage: { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 }, spent: 0, failovers: [] };
  const provider = new ScriptProvider([events]);
  const out: AgentEvent[] = [];
  const gen = streamModelTurn(provider, SCRIPT_MODEL, { model: SCRIPT_MODEL.id, system: 's', messages: [], tools: [] }, log, 1, totals);
  for (;;) {
    const n = await gen.next();
    if (n.done) return { events: out, answer: n.value.message() };
    out.push(n.value);
  }
}

describe('streamModelTurn', () => {
  it('tells the answer of the attempt that succeeded once, after the retries, with seq counting on without gaps', async () => {
    const { events, answer } = await turn([...brokenAttempt, retry(1), ...brokenAttempt, retry(2), ...say('The whole answer.')]);
    expect(events.map((e) => [e.seq, e.type, 'text' in e ? e.text : e.type === 'retry' ? e.attempt : ''])).toEqual([
      [1, 'retry', 1],
      [2, 'retry', 2],
      [3, 'assistant_text', 'The whole answer.'],
    ]);
    expect(answer).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'The whole answer.' }] });
  });

  it('drops what an attempt cut by a failover had told', async () => {
    const failover: StreamEvent = { type: 'failover', from: 'a', to: 'b', error: { code: 'throttled', message: 'ThrottlingException: slow down' } };
    const { events } = await turn([...brokenAttempt, failover, ...brokenAttempt, { type: 'message_stop', stopReason: 'end_turn', rawStopReason: 'end_turn' }]);
    expect(events.map((e) => [e.type, 'text' in e ? e.text : ''])).toEqual([
      ['failover', ''],
      ['reasoning', 'Thinking it over.'],
      ['assistant_text', 'A partial answer.'],
    ]);
  });
});
