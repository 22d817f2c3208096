import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { containerLauncher, randomUid } from '../../../src/local/container.ts';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'container-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('a container image as a local runtime', () => {
  it('runs it as Lambda does: read-only, /tmp only, a non-root user, the host network; variables by name, never in the arguments', async () => {
    // A stand-in for the docker client: records its arguments and environment.
    const docker = path.join(dir, 'docker');
    fs.writeFileSync(docker, `#!/bin/sh\nprintf '%s\\n' "$@" > ${dir}/args\nenv > ${dir}/env\n`, { mode: 0o755 });
    const launcher = containerLauncher({
      image: 'agent-runner-worker:test',
      env: { AWS_REGION: 'eu-west-1', AWS_SECRET_ACCESS_KEY: 'very-secret', PATH: '/custom/bin' },
      memoryMb: 2048,
      tmpMb: 4096,
      uid: 23456,
      docker,
      clientEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin', DOCKER_HOST: 'unix:///run/docker.sock' },
    });
    const runtime = launcher.start('127.0.0.1:40123', new PassThrough().resume());
    expect(await runtime.exited).toEqual({ code: 0, signal: null });
    const args = fs.readFileSync(path.join(dir, 'args'), 'utf8').trim().split('\n');
    expect(args).toEqual([
      'run',
      '--rm',
      '--name',
      expect.stringMatching(/^agent-runner-fn-[0-9a-f]{12}$/),
      '--network',
      'host',
      '--read-only',
      '--tmpfs',
      '/tmp:rw,exec,nosuid,nodev,size=4096m',
      '--user',
      '23456:23456',
      '--memory',
      '2048m',
      '--env',
      'AWS_REGION',
      '--env',
      'AWS_SECRET_ACCESS_KEY',
      '--env',
      'PATH=/custom/bin',
      '--env',
      'AWS_LAMBDA_RUNTIME_API',
      'agent-runner-worker:test',
    ]);
    expect(args.join(' ')).not.toContain('very-secret');
    const env = fs.readFileSync(path.join(dir, 'env'), 'utf8');
    expect(env).toContain('AWS_SECRET_ACCESS_KEY=very-secret\n');
    expect(env).toContain('AWS_LAMBDA_RUNTIME_API=127.0.0.1:40123\n');
    expect(env).toContain('DOCKER_HOST=unix:///run/docker.sock\n');
  });

  it('picks a user id that is neither root nor a system account', () => {
    const uids = Array.from({ length: 50 }, () => randomUid());
    expect(uids.filter((u) => u < 10_000 || u >= 60_000)).toEqual([]);
  });
});
