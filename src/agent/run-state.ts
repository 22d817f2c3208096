/**
 * The state of one run as it goes: what it has spent (carried across invocations when it
 * resumes), how it is to end, and its checkpoints. The loop changes it; nothing else does.
 */
import type { ErrorInfo, Message, ModelRequest, Usage } from '../providers/types.ts';
import type { Task } from '../task/types.ts';
import type { TaskStatus } from '../task/events.ts';
import type { AgentDeps, PausedRun, TurnPace } from './deps.ts';
import { diffSnapshots, takeSnapshot, type PreviousSnapshot, type Snapshot } from './diff/index.ts';
import { EventLog } from './event-log.ts';
import { snapshotDigest, type CheckpointHead } from './checkpoint.ts';
import type { LimitStop } from './limits.ts';

const ZERO_USAGE: Usage = { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 };

export class RunState {
  readonly log: EventLog;
  /** The checkpoint this invocation goes on from, if it resumes. */
  readonly resume: CheckpointHead | undefined;
  /** The conversation so far, the task's prompt first. */
  messages: Message[];
  readonly usage: Usage;
  turns: number;
  spent: number;
  /** Turns started in this invocation. */
  turnsHere = 0;
  readonly pace: TurnPace = { longestTurnMs: 0, longestSaveMs: 0 };
  readonly failovers: { from: string; to: string }[];
  status: TaskStatus = 'succeeded';
  stopReason = 'end_turn';
  error: ErrorInfo | undefined;
  /** The last model request and the answer that ended the run (for transcript.json). */
  lastRequest: ModelRequest | undefined;
  finalAssistant: Message | undefined;
  /** The last answer was cut for want of context: the next turn must trim. */
  forceTrim = false;
  /** The turn of the last checkpoint. */
  private savedTurn: number;
  /** The workspace patch of the last checkpoint, and the snapshot it was taken from. */
  private lastPatch: string;
  private lastSnapshot: PreviousSnapshot | undefined;
  private baselineDigest = '';
  private startedAt = 0;

  readonly taskId: string;

  constructor(
    task: Task,
    private readonly deps: AgentDeps,
  ) {
    this.taskId = task.taskId;
    const cont = deps.continuation;
    const resume = cont?.resume?.head;
    this.resume = resume;
    this.log = new EventLog(task.taskId, deps.store, deps.clock, cont?.firstSeq ?? resume?.nextSeq ?? 1, deps.redactor);
    this.messages = [{ role: 'user', content: [{ type: 'text', text: task.prompt }] }, ...(cont?.resume?.messages ?? [])];
    this.usage = { ...(resume?.usage ?? ZERO_USAGE) };
    this.turns = resume?.turn ?? 0;
    this.spent = resume?.costUsd ?? 0;
    this.savedTurn = resume?.turn ?? 0;
    this.lastPatch = cont?.resume?.workspacePatch ?? '';
    this.failovers = [...(resume?.failovers ?? [])];
  }

  /** Starts this invocation's clock; elapsed time counts from here (plus earlier invocations'). */
  start(): void {
    this.startedAt = this.deps.clock();
  }

  /** The workspace the run started from: checkpoints name it by digest. */
  setBaseline(baseline: Snapshot): void {
    if (this.deps.continuation) this.baselineDigest = snapshotDigest(baseline);
  }

  /** Run time so far, across invocations, in ms. */
  elapsedMs(): number {
    return (this.resume?.elapsedMs ?? 0) + this.deps.clock() - this.startedAt;
  }

  /** Turns this invocation completed: `saved` counts only those a checkpoint holds. */
  turnsDone(saved: boolean): number {
    return (saved ? this.savedTurn : this.turns) - (this.resume?.turn ?? 0);
  }

  stopFor(status: TaskStatus, reason: string, error?: ErrorInfo): void {
    this.status = status;
    this.stopReason = reason;
    this.error = error;
  }

  stopAt(limit: LimitStop): void {
    this.stopFor('limit_reached', limit.stopReason, limit.error);
  }

  /** Records the workspace as it is now as the next checkpoint's patch (after tools changed it). */
  async snapshotWorkspace(baseline: Snapshot): Promise<void> {
    const takenAt = this.deps.clock();
    // Only the files changed since the last snapshot are read again.
    const current = await takeSnapshot(this.deps.workspace, this.lastSnapshot ? { previous: this.lastSnapshot } : {});
    this.lastSnapshot = { snapshot: current, takenAt };
    this.lastPatch = diffSnapshots(baseline, current).patch;
  }

  /** Flushes the events and saves a checkpoint holding the messages `added` since the last one. */
  async saveCheckpoint(added: Message[]): Promise<void> {
    const saveStarted = this.deps.clock();
    await this.log.flush();
    await this.deps.continuation!.checkpointer.save(
      {
        turn: this.turns,
        usage: { ...this.usage },
        costUsd: this.spent,
        elapsedMs: this.elapsedMs(),
        nextSeq: this.log.seq,
        failovers: [...this.failovers],
        baselineDigest: this.baselineDigest,
        invocations: (this.resume?.invocations ?? 0) + 1,
        savedAt: new Date(this.deps.clock()).toISOString(),
      },
      added,
      this.lastPatch,
    );
    this.savedTurn = this.turns;
    this.pace.longestSaveMs = Math.max(this.pace.longestSaveMs, this.deps.clock() - saveStarted);
  }

  /** Ends the invocation paused at `turn`, its events flushed. */
  async paused(turn: number, reason: PausedRun['reason']): Promise<PausedRun> {
    await this.log.flush();
    return { status: 'paused', taskId: this.taskId, turn, reason, turnsDone: this.turnsDone(true) };
  }

  /** The turn of the last checkpoint. */
  get checkpointTurn(): number {
    return this.savedTurn;
  }
}
