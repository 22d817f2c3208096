// Bundles the CLI (src/cli/main.ts) into dist/cli/: main.mjs and the chunks each command loads
// when chosen (esbuild code splitting on the dynamic imports of src/cli/main.ts), dependencies
// included, so the command starts without a TypeScript loader and without resolving hundreds of
// files in node_modules. Plain JavaScript, imported by scripts/build.mjs, scripts/prepare.mjs and
// bin/agent-runner.mjs (which rebuilds a stale bundle in a checkout). Needs only esbuild.
import fs from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** What the CLI bundle must not inline: dev-only tools loaded by `agent-runner dev`, when present. */
export const CLI_EXTERNAL = ['fauxqs'];

/**
 * Builds dist/cli/main.mjs (exporting `main(argv)`) and its chunks. The new files are written
 * beside the old ones and renamed into place, main.mjs last, so a CLI starting meanwhile runs
 * either the old build or the new one, never a mix; chunks carry content hashes, so old ones
 * never clash with new ones. `clean` removes the old build first (what `npm run build` does).
 * Returns the path of main.mjs.
 */
export async function buildCli({ root = ROOT, outDir = path.join(root, 'dist', 'cli'), clean = false, log = console.log } = {}) {
  const { build } = await import('esbuild');
  fs.mkdirSync(path.dirname(outDir), { recursive: true });
  const staging = fs.mkdtempSync(path.join(path.dirname(outDir), '.cli-build-'));
  try {
    const result = await build({
      absWorkingDir: root,
      entryPoints: { main: 'src/cli/main.ts' },
      outdir: staging,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      // The ES module builds (the AWS SDK's dist-es): tree-shaken and hoisted into one scope, where the
      // CommonJS builds run as hundreds of module closures at start-up.
      mainFields: ['module', 'main'],
      target: 'node22',
      minify: true,
      sourcemap: 'linked',
      // Source maps resolve against the sources in a checkout; a package has none and needs none.
      sourcesContent: false,
      outExtension: { '.js': '.mjs' },
      chunkNames: 'chunks/[name]-[hash]',
      external: CLI_EXTERNAL,
      // CommonJS dependencies call require() for built-ins.
      banner: { js: "import { createRequire as __agentRunnerCreateRequire } from 'node:module'; const require = __agentRunnerCreateRequire(import.meta.url);" },
      metafile: true,
      logLevel: 'warning',
    });
    if (clean) fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(path.join(outDir, 'chunks'), { recursive: true });
    const outputs = Object.keys(result.metafile.outputs).map((f) => path.relative(staging, path.resolve(root, f)));
    const last = (f) => (f.startsWith('main.mjs') ? 1 : 0);
    for (const rel of outputs.sort((a, b) => last(a) - last(b))) fs.renameSync(path.join(staging, rel), path.join(outDir, rel));
    const main = path.join(outDir, 'main.mjs');
    const kib = outputs.filter((f) => f.endsWith('.mjs')).reduce((n, f) => n + fs.statSync(path.join(outDir, f)).size, 0) / 1024;
    log(`built ${path.relative(root, main)} (${Math.round(fs.statSync(main).size / 1024)} KiB; ${Math.round(kib)} KiB with the chunks commands load)`);
    return main;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Where the GitHub Action's committed CLI lives (action.yml runs it). */
export const ACTION_CLI = 'action/agent-runner.mjs';

/**
 * Bundles src/cli/action.ts (`enqueue` alone) into one self-contained file: returns its text and
 * the modules it imports at run time (node: built-ins only), and writes it to `outFile` when
 * given. Deterministic for given sources and dependencies, so that a test can tell a stale
 * committed copy from a fresh build.
 */
export async function buildActionCli({ root = ROOT, outFile } = {}) {
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['src/cli/action.ts'],
    bundle: true,
    format: 'esm',
    platform: 'node',
    mainFields: ['module', 'main'],
    target: 'node22',
    minify: true,
    legalComments: 'eof',
    write: false,
    metafile: true,
    outfile: ACTION_CLI,
    banner: {
      js: "// Made by `npm run build:action` from src/cli/action.ts; do not edit. The GitHub Action (action.yml) runs it, so it installs nothing.\nimport { createRequire as __agentRunnerCreateRequire } from 'node:module'; const require = __agentRunnerCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  const text = result.outputFiles[0].text;
  const imports = [...new Set(Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path)))].sort();
  const foreign = imports.filter((i) => !isBuiltin(i));
  if (foreign.length > 0) throw new Error(`${ACTION_CLI} would import ${foreign.join(', ')} at run time; the action installs nothing`);
  if (outFile) {
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    fs.writeFileSync(outFile, text);
  }
  return { text, imports };
}
