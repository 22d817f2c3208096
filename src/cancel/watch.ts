import type { AgentEvent } from '../task/events.ts';
import { CancelledError } from '../agent/errors.ts';
import type { ArtifactStore } from '../store/types.ts';
import { cancelMessage } from './request.ts';

export interface CancelWatchOptions {
  /** Time between checks while a tool runs (default 10 s). */
  pollMs?: number;
  /** A check that failed (it counts as "not cancelled": a flaky read must not end a task). */
  onError?: (err: unknown) => void;
}

/** Default time between checks while tools run: at most 60 requests for a 10-minute command. */
export const CANCEL_POLL_MS = 10_000;

/**
 * Watches one task's cancel request (`cancel.json`) for the worker. `check()` is the loop's
 * `cancelled` port, called once before every model call: one GET. While tools run (from a
 * `tool_call` event until the next check) it also polls every `pollMs`; a request found there
 * aborts `signal` with a CancelledError, which kills the running tool's process group. So a run
 * makes one request a turn, plus one per `pollMs` of tool time. Never throws.
 */
export class CancelWatch {
  private readonly controller = new AbortController();
  private readonly pollMs: number;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<string | undefined> | undefined;
  private found: string | undefined;
  /** GET requests made, for tests and logs. */
  requests = 0;

  constructor(
    private readonly store: ArtifactStore,
    private readonly taskId: string,
    private readonly options: CancelWatchOptions = {},
  ) {
    this.pollMs = options.pollMs ?? CANCEL_POLL_MS;
  }

  /** Aborts, with a CancelledError as reason, when a request is found while tools run. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The cancel message when the task has a cancel request, else undefined. Stops polling. */
  check(): Promise<string | undefined> {
    this.stopPolling();
    return this.read();
  }

  /** Follows the run's events: a tool call starts polling. */
  observe(event: AgentEvent): void {
    if (event.type === 'tool_call') this.startPolling();
    else if (event.type === 'result' || event.type === 'checkpoint') this.stopPolling();
  }

  /** Stops polling for good; resolves once a read still in flight has settled (nothing outlives the invocation). */
  async close(): Promise<void> {
    this.stopPolling();
    await this.inFlight;
  }

  private startPolling(): void {
    if (this.timer || this.found !== undefined) return;
    this.timer = setInterval(() => {
      if (this.inFlight) return;
      void this.read().then((message) => {
        if (message !== undefined && !this.controller.signal.aborted) this.controller.abort(new CancelledError(message));
      });
    }, this.pollMs);
    this.timer.unref();
  }

  private stopPolling(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private read(): Promise<string | undefined> {
    if (this.found !== undefined) return Promise.resolve(this.found);
    this.inFlight ??= (async () => {
      this.requests++;
      try {
        const text = await this.store.get(this.taskId, 'cancel.json');
        if (text !== undefined) this.found = cancelMessage(text);
        return this.found;
      } catch (err) {
        this.options.onError?.(err);
        return undefined;
      } finally {
        this.inFlight = undefined;
      }
    })();
    return this.inFlight;
  }
}
