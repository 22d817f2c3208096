/**
 * Vitest's global set-up: the official Lambda Runtime Interface Client the local runs use
 * (`invoke`, `dev`, the worker tests) is built once into .cache/ when it is not there yet
 * (scripts/image/ric.sh; a few minutes, needs cmake, make, g++ and python3). When it cannot be
 * built, the tests that run functions fail saying so, and the others run.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { findRic } from '../../src/local/ric.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

export default function setup(): void {
  try {
    findRic(ROOT);
    return;
  } catch {
    // not installed yet
  }
  process.stderr.write('Installing the Lambda Runtime Interface Client for the local runs (scripts/image/ric.sh)...\n');
  const res = spawnSync('bash', [path.join(ROOT, 'scripts/image/ric.sh')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (res.status !== 0) process.stderr.write('*** aws-lambda-ric could not be installed: the tests that run functions will fail (see above).\n');
}
