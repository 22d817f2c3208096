import type { AgentEvent } from '../../../src/task/events.ts';

/** Consecutive `turn_started` events `from..to` of a task. */
export function turnEvents(taskId: string, from: number, to: number): AgentEvent[] {
  const out: AgentEvent[] = [];
  for (let seq = from; seq <= to; seq++) {
    out.push({ seq, time: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)).toISOString(), taskId, type: 'turn_started', turn: seq });
  }
  return out;
}
