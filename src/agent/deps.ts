/** What a run is given (the agent's dependencies) and the shapes of a run that pauses. */
import type { ArtifactStore } from '../store/types.ts';
import type { EventBody } from '../task/events.ts';
import type { ErrorInfo, ModelInfo, ModelProvider, ModelRequest, ReasoningEffort } from '../providers/types.ts';
import type { Redactor } from '../security/index.ts';
import type { CommandWrapper } from '../sandbox/index.ts';
import type { Timers } from '../time/index.ts';
import type { Snapshot } from './diff/index.ts';
import type { ToolExecutor } from './tool-runner.ts';
import type { ToolSource } from './tool-source.ts';
import type { ToolContext } from './tools/types.ts';
import type { AgentLimits } from './limits.ts';
import type { Checkpointer, ResumeState } from './checkpoint.ts';

export interface AgentDeps {
  provider: ModelProvider;
  model: ModelInfo;
  store: ArtifactStore;
  /** Absolute path of the workspace. */
  workspace: string;
  /** The complete, scrubbed environment of tool processes. */
  toolEnv: Record<string, string>;
  /** Milliseconds since the epoch. */
  clock: () => number;
  /** Where the run's time limit is timed (default: Node's timers). */
  timers?: Timers;
  /** Cancellation from outside (Ctrl-C, the Lambda deadline, a cancel request while a tool runs). */
  signal: AbortSignal;
  /**
   * Asked once before every model call: a message ends the run there, `failed` with stopReason
   * and error code `cancelled` (the worker reads the task's cancel request; one request a turn).
   */
  cancelled?: () => Promise<string | undefined>;
  limits: AgentLimits;
  reasoningEffort?: ReasoningEffort;
  shellTimeoutMs?: number;
  tools?: ToolExecutor & { specs(): ModelRequest['tools'] };
  /** The workspace as it was when the task started (taken now when absent). */
  baseline?: Snapshot;
  /** Checkpoints after every turn, resume and pause: the worker's way past Lambda's time limit. */
  continuation?: Continuation;
  /** Redacts secrets (keys, tokens, configured patterns) from events, transcript and checkpoints. */
  redactor?: Redactor;
  /** Wraps every command the tools start (`agent-runner run`'s sandbox); the worker contains them otherwise. */
  wrapCommand?: CommandWrapper;
  /** Tools started with the run beside the built-in ones (MCP servers), stopped when it ends. */
  extraTools?: ToolSource;
  /**
   * Runs after the start (and after a resume), before the first turn, in the task's time: the
   * worker's setup scripts and its look at the tools there are. Its events go into the task's
   * stream; an `error` ends the task failed (stop reason `setup_failed`); `environment` becomes the
   * system prompt's Environment section.
   */
  prepare?: (ctx: ToolContext) => AsyncGenerator<EventBody, Prepared>;
}

/** How a run is checkpointed, resumed and paused. */
export interface Continuation {
  checkpointer: Checkpointer;
  /**
   * The checkpoint to go on from. The workspace must already hold its changes, and `baseline`
   * must be the source as fetched (before they were applied), so the final diff is whole.
   */
  resume?: ResumeState;
  /** The seq of the first event of this invocation (after whatever earlier ones wrote). */
  firstSeq?: number;
  /**
   * Asked before each turn once this invocation has done one, with what turns and saves have
   * taken so far in this invocation: true ends the run paused.
   */
  shouldPause?: (pace: TurnPace) => boolean;
  /** `signal` aborting with this reason code means "pause from the last checkpoint" (a deadline), not a failure. */
  pauseOnAbortCode?: string;
  /**
   * Asked where the run would pause (between turns, or at the deadline) with the turns this
   * invocation completed: an answer ends the run there instead, with its status and error (its
   * continuations are spent, or it makes no progress).
   */
  pauseRefusal?: (turnsDone: number) => PauseRefusal | undefined;
}

/** What the preparation found. */
export interface Prepared {
  error?: ErrorInfo;
  environment?: string;
}

/** How a run ends where it may not pause. */
export interface PauseRefusal {
  status: 'failed' | 'limit_reached';
  stopReason: string;
  error: ErrorInfo;
}

/** The longest turn (model call and tools) and checkpoint save of this invocation, in ms. */
export interface TurnPace {
  longestTurnMs: number;
  longestSaveMs: number;
}

/** A run that stopped before its end, its state in the last checkpoint: the caller continues it. */
export interface PausedRun {
  status: 'paused';
  taskId: string;
  /** Turns completed and checkpointed. */
  turn: number;
  /** `continuation`: asked to pause between turns; `deadline`: aborted mid-turn (that turn is lost). */
  reason: 'continuation' | 'deadline';
  /** Turns this invocation completed (0: it made no progress). */
  turnsDone: number;
}
