import type { ArtifactStore } from '../store/types.ts';
import type { Message, ModelProvider, ModelRequest } from '../providers/types.ts';
import type { Redactor } from '../security/index.ts';
import { diffSnapshots, takeSnapshot, type Snapshot } from './diff/index.ts';
import type { TaskResult } from './events.ts';

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
 * redacted but the diff) and returns the result as written.
 */
export async function writeRunArtifacts(outcome: RunOutcome, input: FinishInput): Promise<TaskResult> {
  const { store, redactor } = input;
  if (input.transcriptOf) {
    const transcript = input.provider.transcript(input.transcriptOf, input.finalAssistant ? [input.finalAssistant] : []);
    await store.put(outcome.taskId, 'transcript.json', JSON.stringify(redactor ? redactor.json(transcript) : transcript, null, 2));
  }
  const diff = diffSnapshots(input.baseline, await takeSnapshot(input.workspace));
  await store.put(outcome.taskId, 'diff.patch', diff.patch);
  const { error, failovers, ...rest } = outcome;
  const result: TaskResult = {
    ...rest,
    costUsd: Math.round(outcome.costUsd * 1e6) / 1e6,
    diff: diff.stats,
    ...(error ? { error } : {}),
    ...(failovers?.length ? { failovers } : {}),
  };
  const final = redactor ? redactor.json(result) : result;
  await store.put(outcome.taskId, 'result.json', JSON.stringify(final, null, 2));
  return final;
}
