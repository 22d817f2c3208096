/**
 * What must hold for every task a fault was injected into, read back from fauxqs itself (not
 * through the proxy): one result written once, events numbered 1..N without gaps or repeats, one
 * `task_started` and one `result` event, the result's turns equal to the model turns that
 * completed, a coherent transcript and the expected diff.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { expect } from 'vitest';
import type { AgentEvent, TaskResult } from '../../../src/task/events.ts';
import { parseNdjson } from '../../../src/store/index.ts';
import type { Json } from '../../support/fake-bedrock.ts';
import { BUCKET, type FaultEnv } from './harness.ts';
import type { CaseChecks } from './report.ts';
import { TURN_USAGE } from './script.ts';

export interface TaskArtifacts {
  taskId: string;
  /** Events of every segment, in segment order. */
  events: AgentEvent[];
  /** Segment objects whose name is not the seq of their first event. */
  misnamedSegments: string[];
  result?: TaskResult;
  transcript?: { messages: { role: string; content: Json[] }[] };
  diff?: string;
  /** PUTs of result.json that S3 accepted. */
  resultWrites: number;
}

/** Reads a task's artifacts as they are in the bucket. */
export async function readTask(env: FaultEnv, taskId: string): Promise<TaskArtifacts> {
  const prefix = `tasks/${taskId}/`;
  const listed = await env.aws.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}events/` }));
  const segments = (listed.Contents ?? []).map((o) => o.Key!).sort();
  const events: AgentEvent[] = [];
  const misnamedSegments: string[] = [];
  for (const key of segments) {
    const got = parseNdjson((await env.getText(key)) ?? '');
    if (Number(/(\d+)\.ndjson$/.exec(key)?.[1]) !== got[0]?.seq) misnamedSegments.push(key);
    events.push(...got);
  }
  const json = async <T>(name: string): Promise<T | undefined> => {
    const text = await env.getText(prefix + name);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  };
  return {
    taskId,
    events,
    misnamedSegments,
    result: await json<TaskResult>('result.json'),
    transcript: await json('transcript.json'),
    diff: await env.getText(`${prefix}diff.patch`),
    resultWrites: env.proxy.requests.filter((r) => r.method === 'PUT' && r.key === `${prefix}result.json` && r.status === 200).length,
  };
}

export interface Expected {
  status: TaskResult['status'];
  /** Model turns that completed: the result's turns, the transcript's assistant messages. */
  turns: number;
  /** Assistant messages in the transcript when they differ from `turns` (a failed turn counts as a turn). */
  transcriptTurns?: number;
  /** diff.patch exactly. */
  diff?: string;
  /** Every turn reported TURN_USAGE: the result's usage counts each turn once. */
  usagePerTurn?: boolean;
}

/** Checks (and records) the invariants every faulted task must keep. */
export function checkTask(c: CaseChecks, art: TaskArtifacts, want: Expected): void {
  const { events, result } = art;
  c.hold('exactly one result.json, written once', () => {
    expect(result).toBeDefined();
    expect(art.resultWrites).toBe(1);
  });
  c.hold(`status ${want.status}`, () => expect(result?.status).toBe(want.status));
  c.hold('event seq 1..N without gaps or repeats', () => {
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(art.misnamedSegments).toEqual([]);
  });
  c.hold('one task_started, one result event (the last, equal to result.json)', () => {
    expect(events.filter((e) => e.type === 'task_started')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'result')).toHaveLength(1);
    const { seq: _s, time: _t, type: _ty, ...fields } = events.at(-1) as AgentEvent & { type: 'result' };
    expect(fields).toEqual(result);
  });
  const answered = want.transcriptTurns ?? want.turns;
  c.hold(`turns = ${want.turns} model turns, ${answered} answered in the transcript`, () => {
    expect(result?.turns).toBe(want.turns);
    expect(art.transcript?.messages.filter((m) => m.role === 'assistant')).toHaveLength(answered);
  });
  c.hold('transcript coherent: each tool_use answered by exactly one tool_result', () => expect(transcriptProblems(art)).toEqual([]));
  if (want.diff !== undefined) c.hold('diff as expected', () => expect(art.diff).toBe(want.diff));
  if (want.usagePerTurn) {
    c.hold('usage counts each completed turn once', () =>
      expect(result?.usage).toEqual({ inputTokens: TURN_USAGE.inputTokens * want.turns, outputTokens: TURN_USAGE.outputTokens * want.turns, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 }),
    );
  }
}

/** What is wrong with the transcript: roles not alternating, tool uses unanswered or answered twice. */
export function transcriptProblems(art: TaskArtifacts): string[] {
  const messages = art.transcript?.messages ?? [];
  const problems: string[] = [];
  if (messages.length === 0) return ['no transcript'];
  messages.forEach((m, i) => {
    if (m.role !== (i % 2 === 0 ? 'user' : 'assistant')) problems.push(`message ${i} has role ${m.role}`);
    const uses = m.content.filter((b) => b.toolUse).map((b) => String(b.toolUse.toolUseId));
    const next = messages[i + 1]?.content ?? [];
    const answers = next.filter((b) => b.toolResult).map((b) => String(b.toolResult.toolUseId));
    if (m.role !== 'assistant') return;
    for (const id of uses) {
      const n = answers.filter((a) => a === id).length;
      if (n !== 1) problems.push(`tool use ${id} answered ${n} times`);
    }
    for (const id of answers) if (!uses.includes(id)) problems.push(`tool result ${id} answers nothing`);
  });
  return problems;
}

/** Events of one type (typed). */
export function eventsOf<T extends AgentEvent['type']>(events: AgentEvent[], type: T): Extract<AgentEvent, { type: T }>[] {
  return events.filter((e): e is Extract<AgentEvent, { type: T }> => e.type === type);
}
