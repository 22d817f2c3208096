import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../../..');

/** How to get the image suite to run where it did not. */
export const HOW_TO_RUN = 'start one (bash scripts/image/machine.sh installs docker.io and starts dockerd without a bridge; `bash .ci/run` does it all), then run `npx vitest run test/integration/image`';

/** Whether a Docker engine answers here, and why not when it does not. */
export function dockerEngine(): { ok: true; version: string } | { ok: false; reason: string } {
  const res = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', timeout: 20_000 });
  if (res.error) return { ok: false, reason: `the docker command is not available (${res.error.message})` };
  if (res.status !== 0) return { ok: false, reason: `no Docker engine answers (${(res.stderr || res.stdout).trim().split('\n')[0]})` };
  return { ok: true, version: res.stdout.trim() };
}

/** Builds the worker image (scripts/image/build.sh: the local base image, then image/Dockerfile); resolves with the tag. */
export async function buildWorkerImage(tag: string): Promise<string> {
  const { stdout } = await run('bash', [path.join(ROOT, 'scripts/image/build.sh'), tag], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

/** `docker run` of a command in the image, as Lambda runs it (read-only, /tmp only, an arbitrary user). */
export async function runInImage(image: string, uid: number, script: string): Promise<{ stdout: string; stderr: string }> {
  return run('docker', ['run', '--rm', '--network', 'none', '--read-only', '--tmpfs', '/tmp', '--user', `${uid}:${uid}`, '--entrypoint', '/bin/sh', image, '-c', script], { maxBuffer: 4 * 1024 * 1024 });
}

/** The image's size as Docker reports it, bytes. */
export async function imageSize(image: string): Promise<number> {
  const { stdout } = await run('docker', ['image', 'inspect', '--format', '{{.Size}}', image]);
  return Number(stdout.trim());
}
