import { pathToFileURL } from 'node:url';
import { createLambdaContext, installAwsLambdaGlobal, invokeHandler, type InvokeResult } from './lambda-runtime.ts';
import type { LocalResponseStream } from './response-stream.ts';

let generation = 0;

/**
 * Imports a built function bundle (`dist/<fn>/index.mjs`) the way the Node.js runtime does:
 * the local `awslambda` global is installed first, and each call evaluates the module afresh
 * (module-scope clients pick up the environment as it is now). Returns its `handler`.
 */
export async function loadBundle(bundlePath: string): Promise<unknown> {
  installAwsLambdaGlobal();
  const url = `${pathToFileURL(bundlePath).href}?instance=${++generation}`;
  const mod = (await import(url)) as { handler?: unknown };
  if (typeof mod.handler !== 'function') throw new Error(`${bundlePath} does not export a handler function`);
  return mod.handler;
}

export interface InvokeBundleOptions {
  bundlePath: string;
  event: unknown;
  functionName: string;
  timeoutMs: number;
  memoryMb?: number;
  region?: string;
  clock: () => number;
  /** For streaming functions: the stream to write to (watch its `prelude` and `body` events). */
  stream?: LocalResponseStream;
}

/** Loads a bundle and invokes its handler once with a Lambda-like context. */
export async function invokeBundle(opts: InvokeBundleOptions): Promise<InvokeResult> {
  const handler = await loadBundle(opts.bundlePath);
  const context = createLambdaContext({
    functionName: opts.functionName,
    timeoutMs: opts.timeoutMs,
    memoryMb: opts.memoryMb,
    region: opts.region,
    clock: opts.clock,
  });
  return invokeHandler(handler, opts.event, context, opts.stream);
}
