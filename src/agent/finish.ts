import { StoreError } from '../store/errors.ts';
import type { ArtifactStore } from '../store/types.ts';
import type { Message, ModelProvider, ModelRequest } from '../providers/types.ts';
import type { Redactor } from '../security/index.ts';
import { diffSnapshots, takeSnapshot, type Snapshot } from './diff/index.ts';
import type { TaskResult } from '../task/events.ts';

/** What stands in the transcript for an empty answer (Bedrock refuses empty messages); no summary. */
export const NO_ANSWER = '(no answer)';

/** How a run ended, before its diff is known. */
export type RunOutcome = Omit<TaskResult, 'diff' | 'costUsd'> & { costUsd: number };

export interface FinishInput {
  store: ArtifactStore;
  provider: ModelProvider;
  workspace: string;
  baseline: Snapshot;
  /** The last request the model got (or the conversation as resumed), for the transcript; none when no call was made. */
  transcriptOf?: Omit<ModelRequest, 'signal'>;
  /** The model's last answer, appended to the transcript. */
  finalAssistant?: Message;
  redactor?: Redactor;
}

/**
 * Writes a finished run's artifacts (`transcript.json`, `diff.patch`, then `result.json`, all
 * redacted but the diff) and returns the result as written; its `summary` is the model's final
 * message. Whatever the model or its tools left behind (a transcript that cannot be serialised, a
 * file that cannot be read) ends the run `failed` with its result; only store faults throw.
 */
export async function writeRunArtifacts(outcome: RunOutcome, input: FinishInput): Promise<TaskResult> {
  const { store, redactor } = input;
  let ended: Pick<TaskResult, 'status' | 'stopReason' | 'error'> | undefined;
  const failWith = (err: unknown, code: string) => {
    if (err instanceof StoreError) throw err;
    ended = { status: 'failed', stopReason: 'error', error: { code, message: (err as Error)?.message ?? String(err) } };
  };
  if (input.transcriptOf) {
    let text: string | undefined;
    try {
      const transcript = input.provider.transcript(input.transcriptOf, input.finalAssistant ? [input.finalAssistant] : []);
      text = JSON.stringify(redactor ? redactor.json(transcript) : transcript, null, 2);
    } catch (err) {
      failWith(err, 'transcript_failed');
    }
    if (text !== undefined) await store.put(outcome.taskId, 'transcript.json', text);
  }
  let diff: { patch: string; stats: TaskResult['diff'] } = { patch: '', stats: { files: 0, additions: 0, deletions: 0 } };
  try {
    diff = diffSnapshots(input.baseline, await takeSnapshot(input.workspace));
  } catch (err) {
    failWith(err, 'diff_failed');
  }
  await store.put(outcome.taskId, 'diff.patch', diff.patch);
  const { error, failovers, ...rest } = { ...outcome, ...ended };
  const result: TaskResult = {
    ...rest,
    costUsd: Math.round(outcome.costUsd * 1e6) / 1e6,
    diff: diff.stats,
    ...(error ? { error } : {}),
    ...(failovers?.length ? { failovers } : {}),
    ...summaryOf(input.finalAssistant),
  };
  const final = redactor ? redactor.json(result) : result;
  await store.put(outcome.taskId, 'result.json', JSON.stringify(final, null, 2));
  return final;
}

/** `{summary}`: the text blocks of the model's last message, when it said anything. */
function summaryOf(message: Message | undefined): { summary?: string } {
  const text = (message?.content ?? []).flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n').trim();
  return text && text !== NO_ANSWER ? { summary: text } : {};
}
