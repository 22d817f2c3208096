#!/usr/bin/env node
// npm's `prepare` (after `npm ci` or `npm install` in a checkout, and before `npm pack`): builds the
// CLI into dist/cli/, so that `npx agent-runner` works right after the README's `npm ci`. An install
// without the dev dependencies (`npm ci --omit=dev`, as `sam build` and container builds do) has
// no esbuild and needs no CLI: it skips the build instead of failing the install.
import { buildCli } from './build-cli.mjs';

try {
  await import('esbuild');
} catch {
  console.log('agent-runner: esbuild is not installed (an install without dev dependencies); the CLI is not built');
  process.exit(0);
}
await buildCli({ clean: true });
