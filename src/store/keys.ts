import type { AgentEvent } from '../task/events.ts';
import { EventOrderError, InvalidKeyError } from './errors.ts';

// Task ids come from validated messages ([A-Za-z0-9_-]{1,64}) or local runs; the store refuses
// anything that could climb out of its folder or prefix.
const SAFE_TASK_ID = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/;

/** Throws unless `taskId` is safe as one path segment / key segment. */
export function assertTaskId(taskId: string): void {
  if (!SAFE_TASK_ID.test(taskId) || taskId.includes('..')) {
    throw new InvalidKeyError(`invalid task id ${JSON.stringify(taskId)}`);
  }
}

const WHOLE_ARTIFACTS = new Set(['task.json', 'transcript.json', 'diff.patch', 'result.json', 'checkpoint.json', 'lease.json', 'cancel.json', 'spend.json']);
// One plain segment under checkpoint/: no separators, no leading dot, nothing that climbs.
const CHECKPOINT_PART = /^checkpoint\/[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * Throws InvalidKeyError unless `name` is a whole artifact's name or `checkpoint/<part>` with one
 * safe segment as part (no `..`, slash, backslash or leading dot): names become file paths and S3 keys.
 */
export function assertArtifactName(name: string): void {
  if (WHOLE_ARTIFACTS.has(name)) return;
  if (!CHECKPOINT_PART.test(name) || name.includes('..')) {
    throw new InvalidKeyError(`invalid artifact name ${JSON.stringify(name)}`);
  }
}

/** The content type an artifact is stored with, from its extension. */
export function artifactContentType(name: string): string {
  if (name.endsWith('.json')) return 'application/json';
  if (name.endsWith('.patch')) return 'text/x-diff; charset=utf-8';
  return 'application/octet-stream';
}

/** The segment object's file name: the seq of its first event, 8 digits (`00000001.ndjson`). */
export function segmentName(firstSeq: number): string {
  return `${String(firstSeq).padStart(8, '0')}.ndjson`;
}

/** The first seq a segment name stands for, or undefined when it is not a segment name. */
export function segmentFirstSeq(name: string): number | undefined {
  const m = /^(\d{8,})\.ndjson$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** Throws unless the events are non-empty, for one task, with consecutive seqs. */
export function assertConsecutive(taskId: string, events: AgentEvent[]): void {
  if (events.length === 0) throw new EventOrderError('appendEvents needs at least one event');
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.taskId !== taskId) throw new EventOrderError(`event seq ${e.seq} belongs to task ${e.taskId}, not ${taskId}`);
    if (!Number.isInteger(e.seq) || e.seq < 1) throw new EventOrderError(`invalid event seq ${e.seq}`);
    if (i > 0 && e.seq !== events[i - 1].seq + 1) {
      throw new EventOrderError(`event seq ${e.seq} does not follow ${events[i - 1].seq}`);
    }
  }
}

/** NDJSON text of events: one JSON object a line, each line ending in `\n`. */
export function toNdjson(events: AgentEvent[]): string {
  return events.map((e) => JSON.stringify(e) + '\n').join('');
}

/** Parses NDJSON text, skipping blank lines. */
export function parseNdjson(text: string): AgentEvent[] {
  const out: AgentEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() !== '') out.push(JSON.parse(line) as AgentEvent);
  }
  return out;
}
