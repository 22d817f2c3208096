import type { Writable } from 'node:stream';
import type { AgentEvent, TaskResult } from '../task/events.ts';
import { S3ArtifactStore } from '../store/s3.ts';
import { createAwsClients, resolveCallerIdentity, type AwsClients, type CallerIdentity, type Env } from './aws.ts';
import { resolveStack, type StackEndpoints, type StackFlags } from './stack.ts';
import { followTaskEvents, type FollowTiming } from './follow.ts';
import { pollTaskEvents } from './poll.ts';
import { createSigV4Signer } from './sign.ts';
import { readTaskResult } from './artifacts.ts';

/** What the remote commands get from their edge (the CLI passes the process's; tests their own). */
export interface CommandIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: Env;
  setExitCode: (code: number) => void;
  /** Wall clock, for task ids. */
  now: () => Date;
  fetch?: typeof fetch;
  /** Builds the AWS clients (default: createAwsClients from `env`). */
  clients?: (env: Env) => AwsClients;
  /** Overrides of the progress stream's timing (tests use short ones). */
  follow?: FollowTiming & { pollIntervalMs?: number };
  /** Subscribes to Ctrl-C / SIGTERM; returns the unsubscribe function. */
  onInterrupt?: (cb: () => void) => () => void;
}

export interface Remote {
  clients: AwsClients;
  identity: CallerIdentity;
  stack: StackEndpoints;
  store: S3ArtifactStore;
}

/**
 * Resolves credentials (first, so a missing one is reported as such), then the stack, and opens
 * the artifact store of its bucket. Throws ClientConfigError for anything the user must fix.
 */
export async function openRemote(flags: StackFlags, io: CommandIo, needQueue: boolean): Promise<Remote> {
  const clients = (io.clients ?? createAwsClients)(io.env);
  const identity = await resolveCallerIdentity(clients.s3, io.env);
  const stack = await resolveStack(flags, { env: io.env, cloudFormation: () => clients.cloudFormation, needQueue, region: identity.region });
  return { clients, identity, stack, store: new S3ArtifactStore({ client: clients.s3, bucket: stack.bucket }) };
}

/**
 * Follows a task to its end, handing every event to `onEvent`: through the progress function
 * URL when the stack has one (SigV4-signed SSE, resumed after drops), else by polling the
 * event segments in S3. Returns the task's result.
 */
export async function followTask(
  remote: Remote,
  taskId: string,
  io: CommandIo,
  onEvent: (e: AgentEvent) => void,
  opts: { signal?: AbortSignal; startTimeoutMs?: number; onReconnect?: (info: { afterSeq: number; reason: string }) => void } = {},
): Promise<TaskResult> {
  const timing = { ...io.follow, ...(opts.startTimeoutMs !== undefined ? { startTimeoutMs: opts.startTimeoutMs } : {}) };
  const run = remote.stack.progressUrl
    ? followTaskEvents({
        ...timing,
        progressUrl: remote.stack.progressUrl,
        taskId,
        sign: createSigV4Signer({ region: remote.identity.region, credentials: remote.identity.credentials }),
        signal: opts.signal,
        fetch: io.fetch,
        checkResult: () => readTaskResult(remote.store, taskId),
        onReconnect: opts.onReconnect,
      })
    : pollTaskEvents({ store: remote.store, taskId, signal: opts.signal, intervalMs: io.follow?.pollIntervalMs, startTimeoutMs: timing.startTimeoutMs });
  for (;;) {
    const next = await run.next();
    if (next.done) return next.value;
    onEvent(next.value);
  }
}
