import type { TaskResult } from '../../task/events.ts';
import type { ArtifactStore } from '../../store/types.ts';
import type { Task } from '../../task/types.ts';

/** What the publisher reads of a finished task. */
export interface TaskOutcome {
  task: Task;
  result: TaskResult;
  /** `diff.patch`, empty when nothing changed. */
  patch: string;
  /** The model's last words (its closing message), empty when unknown. */
  summary: string;
}

function parse<T>(text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/**
 * The text of the last assistant message of a transcript (`{system, messages, toolConfig}` in the
 * Converse wire form), reasoning and tool use left out.
 */
export function closingMessage(transcript: unknown): string {
  const messages = (transcript as { messages?: unknown })?.messages;
  if (!Array.isArray(messages)) return '';
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as { role?: unknown; content?: unknown };
    if (m?.role !== 'assistant' || !Array.isArray(m.content)) continue;
    const text = m.content
      .map((b: unknown) => (typeof (b as { text?: unknown })?.text === 'string' ? (b as { text: string }).text : ''))
      .filter(Boolean)
      .join('\n\n')
      .trim();
    if (text) return text;
  }
  return '';
}

/** Reads task.json, result.json, diff.patch and the transcript's closing message; undefined until the task and its result exist. */
export async function readOutcome(store: ArtifactStore, taskId: string): Promise<TaskOutcome | undefined> {
  const [taskText, resultText, patch, transcriptText] = await Promise.all([
    store.get(taskId, 'task.json'),
    store.get(taskId, 'result.json'),
    store.get(taskId, 'diff.patch'),
    store.get(taskId, 'transcript.json'),
  ]);
  const task = parse<Task>(taskText);
  const result = parse<TaskResult>(resultText);
  if (!task || !result) return undefined;
  return { task, result, patch: patch ?? '', summary: closingMessage(parse<unknown>(transcriptText)) };
}
