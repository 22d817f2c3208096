import type { Message, ModelInfo, ModelProvider, ModelRequest, Usage } from '../providers/types.ts';
import { costUsd } from '../providers/index.ts';
import { truncateOutput } from './tools/index.ts';
import { MessageAssembler } from './assembler.ts';
import type { EventLog } from './event-log.ts';
import { planToolGroups, type ToolCall, type ToolExecutor } from './tool-runner.ts';
import type { AgentEvent, EventBody } from '../task/events.ts';
import type { ToolContext } from './tools/types.ts';

export const EVENT_OUTPUT_MAX_BYTES = 4 * 1024;

/** What a model call adds to the run's totals as it streams. */
export interface TurnTotals {
  usage: Usage;
  spent: number;
  failovers: { from: string; to: string }[];
}

/**
 * Streams one model call: yields its retry and failover events as they happen and its text and
 * reasoning events once the attempt that answered has ended, adds its usage and cost to `totals`
 * (priced at the model that answered, after a failover), and returns the assembled answer. What
 * an attempt cut by a retry or failover had streamed is discarded, events included: a reader sees
 * each turn's answer once.
 */
export async function* streamModelTurn(
  provider: ModelProvider,
  model: ModelInfo,
  request: ModelRequest,
  log: EventLog,
  turn: number,
  totals: TurnTotals,
): AsyncGenerator<AgentEvent, MessageAssembler> {
  const asm = new MessageAssembler();
  // The events of the attempt in progress, held back until it ends well.
  let held: EventBody[] = [];
  for await (const ev of provider.stream(request)) {
    if (ev.type === 'retry' || ev.type === 'failover') {
      asm.reset();
      held = [];
      if (ev.type === 'failover') totals.failovers.push({ from: ev.from, to: ev.to });
      yield log.emit(ev.type === 'retry' ? { type: 'retry', attempt: ev.attempt, waitMs: ev.waitMs, error: ev.error } : { type: 'failover', from: ev.from, to: ev.to, error: ev.error });
      await log.flush();
      continue;
    }
    if (ev.type === 'usage') {
      addUsage(totals.usage, ev.usage);
      totals.spent += costUsd(ev.usage, provider.activeModel?.() ?? model);
      continue;
    }
    const done = asm.add(ev);
    if (done?.type === 'text' && done.text.trim()) held.push({ type: 'assistant_text', turn, text: done.text });
    if (done?.type === 'reasoning') held.push({ type: 'reasoning', turn, text: done.text, redacted: false });
    if (done?.type === 'redacted_reasoning') held.push({ type: 'reasoning', turn, text: '', redacted: true });
  }
  for (const body of held) yield log.emit(body);
  return asm;
}

/**
 * Runs one answer's tool calls (read-only ones in parallel groups, the others alone and in
 * order), yielding a `tool_result` event per call, and returns the user message of results.
 */
export async function* runToolCalls(
  calls: ToolCall[],
  tools: ToolExecutor,
  ctx: ToolContext,
  log: EventLog,
  turn: number,
  clock: () => number,
): AsyncGenerator<AgentEvent, Message> {
  const results: Message = { role: 'user', content: [] };
  for (const group of planToolGroups(calls, (n) => tools.isReadOnly(n))) {
    const started = clock();
    const outcomes = await Promise.all(group.map((call) => tools.execute(call, ctx)));
    const durationMs = clock() - started;
    for (const [i, call] of group.entries()) {
      const r = outcomes[i];
      results.content.push({ type: 'tool_result', toolUseId: call.id, status: r.status, content: r.output, ...(r.images?.length ? { images: r.images } : {}) });
      const cut = truncateOutput(r.output, EVENT_OUTPUT_MAX_BYTES);
      yield log.emit({ type: 'tool_result', turn, id: call.id, name: call.name, status: r.status, output: cut, durationMs, truncated: cut !== r.output });
    }
  }
  return results;
}

/** Adds `u` to `total` in place. */
export function addUsage(total: Usage, u: Usage): void {
  total.inputTokens += u.inputTokens;
  total.outputTokens += u.outputTokens;
  total.cacheReadInputTokens += u.cacheReadInputTokens;
  total.cacheWriteInputTokens += u.cacheWriteInputTokens;
}
