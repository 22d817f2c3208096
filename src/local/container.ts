import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { Writable } from 'node:stream';
import { LocalRuntimeError } from './errors.ts';
import { processRuntime } from './ric.ts';
import type { RunningRuntime, RuntimeLauncher } from './local-function.ts';

const run = promisify(execFile);

export interface ContainerLauncherOptions {
  /** The image (tag or id) built from the worker's Dockerfile. */
  image: string;
  /** Lambda's variables and the function's: passed by name, so values never show in `ps`. */
  env: Record<string, string>;
  /** The function's memory size: the container's memory limit. */
  memoryMb?: number;
  /** The size of the writable /tmp (Lambda's ephemeral storage), MiB. */
  tmpMb?: number;
  /** The user id to run as (default: a random non-root one, as Lambda's sandbox user is arbitrary). */
  uid?: number;
  /** The docker command (default `docker`). */
  docker?: string;
  /** The command (handler) to pass instead of the image's CMD. */
  command?: string[];
  /** What the docker client needs of the caller's environment (`dockerClientEnv(process.env)`): PATH, HOME, DOCKER_HOST... */
  clientEnv?: Record<string, string>;
}

/** A random uid in 10000-59999: neither root nor any account of the image. */
export function randomUid(): number {
  return 10_000 + (randomBytes(2).readUInt16BE(0) % 50_000);
}

/**
 * Runs a Lambda container image as Lambda does: its own entrypoint and CMD, a read-only root file
 * system with only /tmp writable, an arbitrary non-root user, the host's network (so that it
 * reaches the Runtime API and the services on loopback, and nothing gets a bridge address). The
 * container is removed when it stops.
 */
export function containerLauncher(opts: ContainerLauncherOptions): RuntimeLauncher {
  const docker = opts.docker ?? 'docker';
  return {
    description: `the container image ${opts.image}`,
    start(runtimeApi: string, output: Writable): RunningRuntime {
      const name = `agent-runner-fn-${randomBytes(6).toString('hex')}`;
      const uid = opts.uid ?? randomUid();
      const env = { ...opts.env, AWS_LAMBDA_RUNTIME_API: runtimeApi };
      const args = [
        'run',
        '--rm',
        '--name',
        name,
        '--network',
        'host',
        '--read-only',
        '--tmpfs',
        `/tmp:rw,exec,nosuid,nodev,size=${opts.tmpMb ?? 4096}m`,
        '--user',
        `${uid}:${uid}`,
        ...(opts.memoryMb ? ['--memory', `${opts.memoryMb}m`] : []),
        // By name (the value comes from the docker client's environment), except the names the client needs itself.
        ...Object.entries(env).flatMap(([k, v]) => ['--env', CLIENT_VARIABLES.includes(k) ? `${k}=${v}` : k]),
        opts.image,
        ...(opts.command ?? []),
      ];
      const child = spawn(docker, args, { env: { ...env, ...(opts.clientEnv ?? {}) }, stdio: ['ignore', 'pipe', 'pipe'] });
      return processRuntime(child, output, async () => {
        await run(docker, ['rm', '--force', name]).catch(() => undefined);
      });
    },
  };
}

const CLIENT_VARIABLES = ['PATH', 'HOME', 'DOCKER_HOST', 'DOCKER_CONFIG', 'DOCKER_CONTEXT', 'DOCKER_CERT_PATH', 'DOCKER_TLS_VERIFY'];

/** What the docker client itself needs of an environment (where it and the engine are). */
export function dockerClientEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of CLIENT_VARIABLES) {
    const v = env[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** Checks that a Docker engine answers and has the image; throws LocalRuntimeError saying what is wrong. */
export async function checkImage(image: string, docker = 'docker'): Promise<void> {
  try {
    await run(docker, ['version', '--format', '{{.Server.Version}}'], { timeout: 15_000 });
  } catch (err) {
    throw new LocalRuntimeError('docker_missing', `no Docker engine answers (\`${docker} version\` failed): start one, or run the zip bundle without --image`, { cause: err });
  }
  try {
    await run(docker, ['image', 'inspect', '--format', '{{.Id}}', image], { timeout: 15_000 });
  } catch (err) {
    throw new LocalRuntimeError('image_missing', `the image ${image} does not exist: build it first (scripts/image/build.sh, or docker build -f image/Dockerfile .)`, { cause: err });
  }
}
