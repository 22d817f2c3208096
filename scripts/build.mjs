#!/usr/bin/env node
// Bundles every functions/<name>.ts into dist/<name>/index.mjs with the esbuild options of the
// template's Metadata.BuildProperties, so that `npm run build` and `sam build` produce the same
// code, and the CLI into dist/cli/ (scripts/build-cli.mjs). Plain JavaScript: it runs on the
// machine's Node without a TypeScript loader.
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { parse } from 'yaml';
import { ACTION_CLI, buildActionCli, buildCli } from './build-cli.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// CloudFormation's short-form tags, read as their long forms.
const CFN_TAGS = ['Ref', 'Condition', 'Base64', 'Cidr', 'FindInMap', 'GetAtt', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'Transform', 'And', 'Equals', 'If', 'Not', 'Or', 'ToJsonString', 'Length'];
const longName = (tag) => (tag === 'Ref' || tag === 'Condition' ? tag : `Fn::${tag}`);

/** yaml custom tags turning `!Ref X`, `!Sub [..]`, `!GetAtt A.B` ... into `{Ref: X}`, `{'Fn::Sub': [..]}` ... */
export const cfnYamlTags = CFN_TAGS.flatMap((tag) => [
  { tag: `!${tag}`, resolve: (value) => ({ [longName(tag)]: tag === 'GetAtt' ? value.split('.') : value }) },
  { tag: `!${tag}`, collection: 'seq', resolve: (seq) => ({ [longName(tag)]: seq.toJSON() }) },
  { tag: `!${tag}`, collection: 'map', resolve: (map) => ({ [longName(tag)]: map.toJSON() }) },
]);

/** Parses a CloudFormation/SAM template, short-form tags converted to long form. */
export function parseTemplate(text) {
  return parse(text, { customTags: cfnYamlTags });
}

/** Every AWS::Serverless::Function with esbuild metadata: {logicalId, codeUri, handler, props}. */
export function templateFunctions(template) {
  const out = [];
  for (const [logicalId, res] of Object.entries(template.Resources ?? {})) {
    if (res?.Type !== 'AWS::Serverless::Function' || res.Metadata?.BuildMethod !== 'esbuild') continue;
    out.push({ logicalId, codeUri: res.Properties?.CodeUri ?? '.', handler: res.Properties?.Handler, props: res.Metadata.BuildProperties ?? {} });
  }
  return out;
}

const splitPairs = (list, what) =>
  Object.fromEntries(
    (list ?? []).map((item) => {
      const i = String(item).indexOf('=');
      if (i < 1) throw new Error(`BuildProperties.${what}: expected "key=value", got ${JSON.stringify(item)}`);
      return [String(item).slice(0, i), String(item).slice(i + 1)];
    }),
  );

/**
 * The esbuild options SAM's esbuild builder derives from BuildProperties (aws-lambda-builders:
 * bundle, platform node, and the listed flags; minify unless `Minify: false`), without the entry
 * points and output location.
 */
export function esbuildOptionsFrom(props) {
  const opts = {
    bundle: true,
    platform: 'node',
    format: props.Format ?? 'cjs',
    target: props.Target ?? 'es2020',
    minify: props.Minify ?? true,
    sourcemap: props.Sourcemap === true,
    external: props.External ?? [],
    outExtension: splitPairs(props.OutExtension, 'OutExtension'),
    banner: splitPairs(props.Banner, 'Banner'),
  };
  if (props.MainFields) opts.mainFields = String(props.MainFields).split(',');
  if (props.Loader) opts.loader = splitPairs(props.Loader, 'Loader');
  return opts;
}

/** The options to build the function `name` with: its template entry's, else the worker's. */
export function optionsForFunction(template, name) {
  const fns = templateFunctions(template);
  const entry = `functions/${name}.ts`;
  const own = fns.find((f) => (f.props.EntryPoints ?? []).some((e) => path.posix.normalize(path.posix.join(f.codeUri, e)) === entry));
  const base = own ?? fns.find((f) => f.logicalId === 'Worker') ?? fns[0];
  if (!base) throw new Error('template.yaml has no AWS::Serverless::Function with esbuild metadata');
  return esbuildOptionsFrom(base.props);
}

// Built-ins, with or without the node: prefix (CommonJS dependencies use the bare names).
const ALLOWED_EXTERNAL = (p) => p.startsWith('node:') || builtinModules.includes(p.split('/')[0]) || builtinModules.includes(p) || p.startsWith('@aws-sdk/');

/**
 * Builds dist/<name>/index.mjs for every functions/<name>.ts (or only `names`). Fails when a
 * bundle would import anything at run time but `node:` built-ins and `@aws-sdk/*`.
 */
export async function buildFunctions({ root = ROOT, outDir = path.join(root, 'dist'), names, log = console.log } = {}) {
  const template = parseTemplate(fs.readFileSync(path.join(root, 'template.yaml'), 'utf8'));
  const all = fs
    .readdirSync(path.join(root, 'functions'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
  const selected = names ?? all;
  // The view function serves the page built from src/view/page/: it must be current.
  if (selected.includes('view')) await (await import('./build-page.mjs')).buildPage({ root, write: false });
  const outputs = [];
  for (const name of selected) {
    if (!all.includes(name)) throw new Error(`no functions/${name}.ts`);
    const dir = path.join(outDir, name);
    fs.rmSync(dir, { recursive: true, force: true });
    const result = await build({
      ...optionsForFunction(template, name),
      absWorkingDir: root,
      entryPoints: [`functions/${name}.ts`],
      outdir: dir,
      entryNames: 'index',
      metafile: true,
      logLevel: 'warning',
    });
    const bad = new Set();
    for (const out of Object.values(result.metafile.outputs)) {
      for (const imp of out.imports) if (imp.external && !ALLOWED_EXTERNAL(imp.path)) bad.add(imp.path);
    }
    if (bad.size > 0) throw new Error(`dist/${name}/index.mjs would import ${[...bad].join(', ')} at run time; only node: built-ins and @aws-sdk/* are available in Lambda`);
    const file = path.join(dir, 'index.mjs');
    outputs.push(file);
    log(`built ${path.relative(root, file)} (${Math.round(fs.statSync(file).size / 1024)} KiB)`);
  }
  return outputs;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  // `node scripts/build.mjs [NAME...]`: every function and the CLI, or only the named ones (`cli`
  // for the CLI, `action` for the GitHub Action's committed action/agent-runner.mjs, never built
  // unless named).
  const args = process.argv.slice(2);
  const names = args.filter((a) => a !== 'cli' && a !== 'action');
  const build = async () => {
    if (args.length === 0 || names.length > 0) await buildFunctions({ names: names.length > 0 ? names : undefined });
    if (args.length === 0 || args.includes('cli')) await buildCli({ clean: true });
    if (args.includes('action')) {
      const file = path.join(ROOT, ACTION_CLI);
      await buildActionCli({ outFile: file });
      console.log(`built ${ACTION_CLI} (${Math.round(fs.statSync(file).size / 1024)} KiB)`);
    }
  };
  build().catch((err) => {
    console.error(`build failed: ${err.message}`);
    process.exitCode = 1;
  });
}
