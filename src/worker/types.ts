import type { AgentLimits, ToolSource } from '../agent/index.ts';
import type { TaskResult } from '../task/events.ts';
import type { ModelInfo, ModelProvider, ReasoningEffort } from '../providers/types.ts';
import type { ArtifactStore, ConditionalStore } from '../store/types.ts';
import type { SourceDeps } from '../sources/index.ts';
import type { ContinuationInfo, Task } from '../task/types.ts';
import type { Log, TaskMetricsSink, TaskOutcome } from '../observability/index.ts';
import type { Redactor, ToolProcessSweeper } from '../security/index.ts';
import type { Timers } from '../time/index.ts';
import type { WorkerBudget } from './budget.ts';
import type { SetupSettings } from './setup.ts';

/** What a task runs with once configuration and its own overrides are merged. */
export interface TaskSettings {
  model: ModelInfo;
  limits: AgentLimits;
  reasoningEffort?: ReasoningEffort;
  shellTimeoutMs?: number;
  /** The provider for this task (its profile may pick another one); `WorkerDeps.provider` when absent. */
  provider?: ModelProvider;
  /** The task's MCP servers (from the deployed configuration and its profile), started with the loop. */
  extraTools?: ToolSource;
  /** How the workspace is set up before the loop; no setup step (only the toolchain look) when absent. */
  setup?: SetupSettings;
}

export interface WorkerDeps {
  store: ArtifactStore & ConditionalStore & { clearEvents?(taskId: string): Promise<void> };
  provider: ModelProvider;
  /** Model, limits and provider for a task; throws (or rejects with) TaskSettingsError to reject it. */
  settings(task: Task): TaskSettings | Promise<TaskSettings>;
  /** The default model id, recorded in results of rejected messages that name none. */
  defaultModel: string;
  sources: Omit<SourceDeps, 'signal'>;
  /** The function's environment, filtered by buildToolEnv for tool processes. */
  parentEnv: Record<string, string | undefined>;
  /** Parent of the per-message work folder (`os.tmpdir()` in Lambda). */
  tmpRoot: string;
  clock: () => number;
  /** Where the invocation's deadline and the run's time limit are timed (default: Node's timers). */
  timers?: Timers;
  newId: () => string;
  log: Log;
  metrics: TaskMetricsSink;
  allowedSourceBuckets?: string[];
  /** Deliveries after which a still-unreachable source fails the task instead of retrying (default 3). */
  maxSourceAttempts?: number;
  /**
   * Queues the task again (SQS SendMessage of the task itself, in its continuation form with the
   * hop count) so another invocation goes on from its checkpoint. Without it, a task is cut at the
   * invocation's time limit instead.
   */
  continueTask?(task: Task, continuation: ContinuationInfo): Promise<void>;
  /**
   * Continuations a task may have (the worker's own bound on its SQS -> Lambda -> SQS chain);
   * past it the task ends `limit_reached`. Absent or 0: derived from the task's time limit and
   * the invocation's time (`maxContinuationsFor`).
   */
  maxContinuations?: number;
  /** Redacts secrets from events, transcripts, checkpoints and results (the runner's own secrets and configured patterns). */
  redactor?: Redactor;
  /** Time between reads of a task's cancel request while its tools run (default 10 s). */
  cancelPollMs?: number;
  /** The spend ledger and budgets: every result is counted, fresh tasks are checked. Absent: neither. */
  budget?: WorkerBudget;
  /**
   * Tags the processes of each task's tools and kills whatever they leave running, before and
   * after every task (src/security/sweep.ts). Without it, only the shell tool's process group ends.
   */
  processes?: Pick<ToolProcessSweeper, 'open' | 'close' | 'sweep'>;
  /**
   * The task queue's maxReceiveCount. On that delivery, a task whose earlier deliveries died while
   * running it (a tool killed the worker, memory ran out) ends `failed` with `worker_crashed`
   * instead of running again and reaching the dead-letter queue without a result.
   */
  maxReceiveCount?: number;
}

export interface RecordRun {
  /** The deadline: aborts the loop (reason code `deadline`). */
  signal: AbortSignal;
  /** Seconds left for the loop: without continuations, the task's time limit is lowered to this. */
  maxSeconds: number;
  /** When this invocation will have ended for sure (ms since the epoch): the task's lease. */
  leaseUntil?: number;
  /** Milliseconds left in the invocation; with continuations, the loop pauses when under the pause margin. */
  remainingMs?: () => number;
  /** The most the pause margin may be (default 150 s). */
  pauseMarginMs?: number;
  /** The time the invocation started with (its timeout, for the first message of a batch). */
  invocationMs?: number;
  /** When the deadline aborts the loop: this long before the invocation's end. */
  hardMarginMs?: number;
}

export interface RecordOutcome {
  taskId: string;
  /** `continued`: paused and queued again; `duplicate`: another delivery has it or it is done. */
  outcome: TaskOutcome;
  result?: TaskResult;
  /** For `continued`: what the continuation message carries. */
  continuation?: ContinuationInfo;
}

/**
 * The parent of per-message work folders under `tmpRoot`. Each message gets its own folder (a
 * random name, mode 0700), removed when the message is done; processBatch wipes the whole parent
 * first (leftovers of an invocation that died) when no other batch of this process is using it.
 */
export const WORK_DIR_NAME = 'agent-runner-work';
