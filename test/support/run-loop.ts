import { runAgent, type AgentDeps } from '../../src/agent/index.ts';
import type { AgentEvent, TaskResult } from '../../src/task/events.ts';
import type { Task } from '../../src/task/types.ts';

/** Deps for loop tests: a ticking fake clock, a PATH-only tool env, generous limits; `over` wins. */
export function testDeps(base: Pick<AgentDeps, 'provider' | 'model' | 'store' | 'workspace'> & Partial<AgentDeps>): AgentDeps {
  let t = Date.parse('2026-01-01T00:00:00Z');
  return {
    toolEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    clock: () => (t += 5),
    signal: new AbortController().signal,
    limits: { maxTurns: 10, maxCostUsd: 5, timeoutSeconds: 60 },
    ...base,
  };
}

/** Runs a generator to its end: what it yielded, in order, and what it returned. */
export async function drain<E, R>(gen: AsyncGenerator<E, R>): Promise<{ events: E[]; result: R }> {
  const events: E[] = [];
  for (;;) {
    const n = await gen.next();
    if (n.done) return { events, result: n.value };
    events.push(n.value);
  }
}

/** Runs the loop to the end, collecting its events and its result. */
export function drainAgent(task: Task, deps: AgentDeps): Promise<{ events: AgentEvent[]; result: TaskResult }> {
  return drain(runAgent(task, deps));
}
