import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { LocalRuntimeError } from './errors.ts';
import type { RunningRuntime, RuntimeLauncher } from './local-function.ts';

/** The Node.js major of the Lambda runtime the bundles are built for (template: nodejs22.x). */
export const LAMBDA_NODE_MAJOR = 22;
/** The aws-lambda-ric version local runs use: the one image/Dockerfile installs (`ARG RIC_VERSION`). */
export const RIC_VERSION = '4.0.2';

export interface RicInstall {
  /** The RIC's entry module (`aws-lambda-ric/index.mjs`). */
  entry: string;
  version: string;
  /** A Node.js of the Lambda runtime's major. */
  node: string;
}

/** Where scripts/image/ric.sh installs the RIC for this platform (under `<root>/.cache/`). */
export function defaultRicDir(root: string): string {
  return path.join(root, '.cache', `aws-lambda-ric-${RIC_VERSION}-${os.type()}-${os.machine()}`);
}

/**
 * Finds the official Runtime Interface Client (aws-lambda-ric, installed by scripts/image/ric.sh
 * into `ricDir` since its install compiles a native client) and a Node.js 22 to run it (this one,
 * or the project's `node` dev dependency). Throws LocalRuntimeError saying what is missing and
 * how to get it.
 */
export function findRic(root: string, ricDir = defaultRicDir(root), execPath = process.execPath, version = process.versions.node): RicInstall {
  const dir = path.join(ricDir, 'node_modules', 'aws-lambda-ric');
  const pkgFile = path.join(dir, 'package.json');
  if (!fs.existsSync(pkgFile)) {
    throw new LocalRuntimeError(
      'ric_missing',
      `the Lambda Runtime Interface Client is not installed (${path.relative(root, dir) || dir}): run \`npm run ric\` once (it compiles a native client: needs cmake, make, g++ and python3, Linux only), or run the container image with --image`,
    );
  }
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { version: string; main?: string };
  if (!fs.existsSync(path.join(dir, 'rapid-client.node'))) {
    throw new LocalRuntimeError('ric_missing', `aws-lambda-ric ${pkg.version} in ${dir} has no native client: remove that folder and run \`npm run ric\` again`);
  }
  const node = Number(version.split('.')[0]) === LAMBDA_NODE_MAJOR ? execPath : path.join(root, 'node_modules', 'node', 'bin', 'node');
  if (!fs.existsSync(node)) throw new LocalRuntimeError('node_missing', `Node.js ${LAMBDA_NODE_MAJOR} (the Lambda runtime's) is needed to run the bundles; \`npm ci\` installs it as the \`node\` dev dependency`);
  return { entry: path.join(dir, pkg.main ?? 'index.mjs'), version: pkg.version, node };
}

export interface BundleLauncherOptions {
  ric: RicInstall;
  /** The folder holding the bundle (`dist/worker`), LAMBDA_TASK_ROOT. */
  taskRoot: string;
  /** The whole environment of the runtime (Lambda's variables and the function's). */
  env: Record<string, string>;
}

/**
 * Runs a zip bundle as the Node.js managed runtime does: the official RIC in a Node.js process
 * whose working folder is the task root, with only the given environment (plus
 * AWS_LAMBDA_RUNTIME_API). stdout and stderr go to the output, as they would to CloudWatch.
 */
export function bundleLauncher(opts: BundleLauncherOptions): RuntimeLauncher {
  return {
    description: `${path.join(opts.taskRoot, 'index.mjs')} under aws-lambda-ric ${opts.ric.version}`,
    start(runtimeApi: string, output: Writable): RunningRuntime {
      const child = spawn(opts.ric.node, [opts.ric.entry], {
        cwd: opts.taskRoot,
        env: { ...opts.env, AWS_LAMBDA_RUNTIME_API: runtimeApi, LAMBDA_TASK_ROOT: opts.taskRoot },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      return processRuntime(child, output);
    },
  };
}

/** A runtime whose process output is forwarded and which stops with SIGKILL (as a frozen sandbox is reclaimed). */
export function processRuntime(child: import('node:child_process').ChildProcess, output: Writable, stop?: () => Promise<void>): RunningRuntime {
  child.stdout?.on('data', (c: Buffer) => output.write(c));
  child.stderr?.on('data', (c: Buffer) => output.write(c));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.on('error', (err) => {
      output.write(`cannot start the runtime: ${err.message}\n`);
      resolve({ code: null, signal: null });
    });
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  return {
    exited,
    async stop() {
      if (stop) await stop();
      else if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
