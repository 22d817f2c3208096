import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { CallerCredentials } from './caller-aws.ts';
import { checkImage, containerLauncher } from './container.ts';
import { LocalRuntimeError } from './errors.ts';
import type { FunctionConfig } from './function-config.ts';
import { asLocalProcess, lambdaEnvironment, withFunctionVariables } from './lambda-env.ts';
import { createLocalFunction, type LocalFunction } from './local-function.ts';
import { bundleLauncher, findRic } from './ric.ts';

export interface LocalFunctionSpec {
  /** The repository root (dist/, the RIC). */
  root: string;
  /** The bundle's name: `<distDir>/<name>/index.mjs`. */
  name: string;
  /** Where the bundles are (default `<root>/dist`). */
  distDir?: string;
  config: FunctionConfig;
  region: string;
  /** Handed to the function as Lambda hands it its role's. */
  credentials?: CallerCredentials;
  /** The function's own variables (template, --env-vars, endpoints). */
  variables: Record<string, string>;
  /** Run this container image (built from image/Dockerfile) instead of the zip bundle. */
  image?: string;
  /** Where scripts/image/ric.sh installed the RIC (default: under `<root>/.cache/`). */
  ricDir?: string;
  /** For --image: what the docker client needs of the caller's environment (`dockerClientEnv(process.env)`). */
  dockerEnv?: Record<string, string>;
  /** Overrides the template's timeout. */
  timeoutMs?: number;
  /** Where the function's logs go. */
  output: Writable;
  clock: () => number;
}

export interface PreparedFunction {
  /** A new execution environment of the function (started on its first invocation). */
  create(): LocalFunction;
  /** What runs, for messages. */
  description: string;
  /** Reserved names the variables tried to set (Lambda ignores them too). */
  dropped: string[];
}

/** Lambda's PATH for Node.js functions, with the local Node.js 22 in place of /var/lang/bin. */
export function lambdaPath(nodeBin: string): string {
  return [path.dirname(nodeBin), '/usr/local/bin', '/usr/bin', '/bin', '/opt/bin'].join(':');
}

/**
 * A function checked and ready to run as Lambda would run it: the zip bundle under the official RIC with
 * Node.js 22, or the container image under its entrypoint, each against a local Runtime API,
 * with Lambda's variables (region, name, memory, log group, credentials...) and the function's.
 * Throws LocalRuntimeError when it cannot run (no RIC, no bundle, no Docker engine or image).
 */
export async function prepareLocalFunction(spec: LocalFunctionSpec): Promise<PreparedFunction> {
  const { config } = spec;
  const base = { functionName: config.logicalId, memoryMb: config.memoryMb, region: spec.region, clock: spec.clock, ...(spec.credentials ? { credentials: spec.credentials } : {}) };
  let launcher;
  let dropped: string[];
  if (spec.image) {
    await checkImage(spec.image);
    const merged = withFunctionVariables(lambdaEnvironment({ ...base, packageType: 'Image' }), spec.variables);
    dropped = merged.dropped;
    launcher = containerLauncher({ image: spec.image, env: merged.env, memoryMb: config.memoryMb, tmpMb: config.ephemeralMb, ...(spec.dockerEnv ? { clientEnv: spec.dockerEnv } : {}) });
  } else {
    const taskRoot = path.join(spec.distDir ?? path.join(spec.root, 'dist'), spec.name);
    if (!fs.existsSync(path.join(taskRoot, 'index.mjs'))) {
      throw new LocalRuntimeError('bundle_missing', `${path.relative(spec.root, path.join(taskRoot, 'index.mjs'))} does not exist: run \`npm run build\` first (or pass --build)`);
    }
    const ric = findRic(spec.root, spec.ricDir);
    const lambda = lambdaEnvironment({ ...base, packageType: 'Zip', handler: 'index.handler', taskRoot, path: lambdaPath(ric.node) });
    const merged = withFunctionVariables(lambda, spec.variables);
    dropped = merged.dropped;
    launcher = bundleLauncher({ ric, taskRoot, env: asLocalProcess(merged.env) });
  }
  const create = () =>
    createLocalFunction({
      functionName: config.logicalId,
      region: spec.region,
      timeoutMs: spec.timeoutMs ?? config.timeoutS * 1000,
      launcher,
      output: spec.output,
      clock: spec.clock,
    });
  return { create, description: launcher.description, dropped };
}
