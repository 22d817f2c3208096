import type { Writable } from 'node:stream';
import { startRuntimeApi, type FunctionError, type InvocationOutcome, type RuntimeApi } from './runtime-api.ts';
import type { LocalResponseStream } from './response-stream.ts';

/** A runtime process (or container) started for one execution environment. */
export interface RunningRuntime {
  /** Resolves when the runtime has ended, with how. */
  exited: Promise<{ code: number | null; signal: string | null }>;
  /** Ends it (Lambda's freeze and shutdown have no local equivalent: it is killed). */
  stop(): Promise<void>;
}

/** Starts a function's runtime pointed at a Runtime API (`host:port`); its output goes to `output`. */
export interface RuntimeLauncher {
  /** For messages: what runs (e.g. `dist/worker/index.mjs under aws-lambda-ric` or the image tag). */
  description: string;
  start(runtimeApi: string, output: Writable): RunningRuntime;
}

export interface LocalFunctionOptions {
  functionName: string;
  region: string;
  timeoutMs: number;
  launcher: RuntimeLauncher;
  /** Where the runtime's own output (logs) goes. */
  output: Writable;
  clock: () => number;
  /** The account id in the function ARN (default 000000000000). */
  accountId?: string;
}

export type LocalInvocation = InvocationOutcome & {
  requestId: string;
  /** Whether this invocation started the execution environment. */
  coldStart: boolean;
  /** For a cold start: from starting the runtime to its first request for work (handler loaded). */
  initMs?: number;
};

/** A function with one execution environment, started on first use and reused, as Lambda does. */
export interface LocalFunction {
  invoke(event: unknown, opts?: { stream?: LocalResponseStream }): Promise<LocalInvocation>;
  stop(): Promise<void>;
}

/**
 * Runs a function as Lambda runs it: its runtime (the RIC under Node.js, or a container image's
 * entrypoint) talks to a Runtime API served here on loopback. One invocation at a time; the
 * environment is started on the first one and kept warm; a runtime that exits, fails to
 * initialise or overruns the timeout is discarded, and the next invocation starts a new one.
 */
export function createLocalFunction(opts: LocalFunctionOptions): LocalFunction {
  const arn = `arn:aws:lambda:${opts.region}:${opts.accountId ?? '000000000000'}:function:${opts.functionName}`;
  let env: Promise<Environment> | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  const discard = async () => {
    const current = env;
    env = undefined;
    if (!current) return;
    const { api, runtime } = await current;
    await runtime.stop().catch(() => undefined);
    await api.close();
  };
  const start = async () => {
    const api = await startRuntimeApi({ functionArn: arn, clock: opts.clock });
    const startedAt = opts.clock();
    const runtime = opts.launcher.start(api.address, opts.output);
    const environment: Environment = { api, runtime, startedAt };
    void api.ready.then(() => (environment.readyAt = opts.clock()));
    void runtime.exited.then(({ code, signal }) => {
      api.abandon({ errorType: 'Runtime.ExitError', errorMessage: `the runtime exited before answering (${signal ? `signal ${signal}` : `exit code ${code}`})` });
    });
    return environment;
  };

  const invokeOnce = async (event: unknown, stream: LocalResponseStream | undefined): Promise<LocalInvocation> => {
    const coldStart = env === undefined;
    env ??= start();
    const environment = await env;
    const { api } = environment;
    const deadlineMs = opts.clock() + opts.timeoutMs;
    const { requestId, outcome } = api.invoke(event, { deadlineMs, ...(stream ? { stream } : {}) });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<InvocationOutcome>((resolve) => {
      timer = setTimeout(() => {
        const error: FunctionError = { errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${(opts.timeoutMs / 1000).toFixed(2)} seconds` };
        resolve({ kind: 'error', error, phase: 'invoke' });
      }, opts.timeoutMs);
    });
    const result = await Promise.race([outcome, timedOut]);
    clearTimeout(timer);
    // A timed-out, crashed or uninitialised environment is not reused.
    if (result.kind === 'error' && (result.phase === 'init' || result.error.errorType === 'Sandbox.Timedout' || result.error.errorType === 'Runtime.ExitError')) {
      await discard();
    }
    const initMs = coldStart && environment.readyAt !== undefined ? environment.readyAt - environment.startedAt : undefined;
    return { ...result, requestId, coldStart, ...(initMs !== undefined ? { initMs } : {}) };
  };

  return {
    invoke(event, invokeOpts = {}) {
      const run = queue.then(() => invokeOnce(event, invokeOpts.stream));
      queue = run.catch(() => undefined);
      return run;
    },
    async stop() {
      await queue;
      await discard();
    },
  };
}

interface Environment {
  api: RuntimeApi;
  runtime: RunningRuntime;
  startedAt: number;
  readyAt?: number;
}

/** One line for a function error: `Type: message`. */
export function describeFunctionError(error: FunctionError): string {
  return error.errorMessage ? `${error.errorType}: ${error.errorMessage}` : error.errorType;
}
