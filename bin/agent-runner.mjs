#!/usr/bin/env node
// The agent-runner command: runs the built CLI, dist/cli/main.mjs (made by `npm run build`, and by
// npm's `prepare` at `npm ci` and `npm pack`). Plain JavaScript that any Node can parse, so that
// an older Node gets a clear answer: the CLI needs Node 22, and in a checkout, where npm brought
// Node 22 as the `node` dev dependency, it runs itself again under that one.
import fs from 'node:fs';
import module from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = path.join(ROOT, 'dist', 'cli', 'main.mjs');
const MIN_MAJOR = 22;
// Set for the child run under the newer Node, so that a `node` dependency too old as well cannot loop.
const REEXEC = 'AGENT_RUNNER_REEXEC';

if (Number(process.versions.node.split('.')[0]) < MIN_MAJOR) {
  await runUnder(newerNode());
} else {
  // The top-level help and version are the same from any build: they skip the check of the sources
  // (a stat of every file, the larger part of their start-up).
  const topLevelOnly = process.argv.length <= 3 && ['--help', '-h', '--version', '-V', 'help', undefined].includes(process.argv[2]);
  if (fs.existsSync(path.join(ROOT, 'src', 'cli', 'main.ts'))) await refreshCheckoutBuild({ checkSources: !topLevelOnly });
  // V8's compiled code for the bundle, kept on disk (Node's default cache folder) between runs:
  // compiling the bundle is most of what a start costs.
  module.enableCompileCache?.();
  const { main } = await import(pathToFileURL(ENTRY).href);
  process.exitCode = await main(process.argv.slice(2));
}

/** The repository's own Node (the `node` dev dependency), unless this process already is it. */
function newerNode() {
  const candidate = path.join(ROOT, 'node_modules', 'node', 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  if (fs.existsSync(candidate) && !process.env[REEXEC]) return candidate;
  process.stderr.write(`agent-runner: needs Node.js ${MIN_MAJOR} or newer; this is Node.js ${process.versions.node} (${process.execPath})\n`);
  process.exit(2);
}

/**
 * Runs this script under `node` with the same arguments and streams, passing on the signals
 * this process gets, and ends as the child ended (its exit code, or the same signal).
 */
async function runUnder(node) {
  const { spawn } = await import('node:child_process');
  const child = spawn(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, [REEXEC]: '1' } });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const forward = (sig) => child.kill(sig);
  for (const sig of signals) process.on(sig, forward);
  const [code, signal] = await new Promise((resolve) => child.on('exit', (c, s) => resolve([c, s])));
  for (const sig of signals) process.off(sig, forward);
  if (signal) process.kill(process.pid, signal);
  process.exitCode = code ?? 1;
}

/**
 * In a checkout, rebuilds dist/cli when it is missing or older than a source file, so that a
 * change to src/ shows in the next `npx agent-runner` as it did when the CLI ran through a
 * TypeScript loader. Needs the dev dependencies (esbuild); without them a stale build still runs.
 */
async function refreshCheckoutBuild({ checkSources }) {
  const built = fs.statSync(ENTRY, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (built > 0 && (!checkSources || !changedSince(built))) return;
  try {
    const { buildCli } = await import(pathToFileURL(path.join(ROOT, 'scripts', 'build-cli.mjs')).href);
    await buildCli({ root: ROOT, log: () => undefined });
  } catch (err) {
    const why = String(err?.message ?? err).split('\n')[0];
    if (built === 0) {
      process.stderr.write(`agent-runner: dist/cli/main.mjs is missing and could not be built (${why}): run \`npm ci\` or \`npm run build\` in ${ROOT}\n`);
      process.exit(1);
    }
    process.stderr.write(`agent-runner: warning: could not rebuild dist/cli from the changed sources (${why}); running the previous build\n`);
  }
}

/** Whether a TypeScript file under src/, package.json, the lockfile or the build script changed after `time`. */
function changedSince(time) {
  const newer = (file) => (fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0) > time;
  if (['package.json', 'package-lock.json', 'scripts/build-cli.mjs'].some((f) => newer(path.join(ROOT, f)))) return true;
  // A walk by hand: about 3 ms for the whole tree, where readdirSync's `recursive` takes several times that on its first call.
  const walk = (dir) =>
    fs.readdirSync(dir, { withFileTypes: true }).some((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ts') && newer(path.join(dir, e.name))));
  return walk(path.join(ROOT, 'src'));
}
