/** The function bundles the benchmarks measure, built once per run with `npm run build`'s code. */
import fs from 'node:fs';
import path from 'node:path';
import { findTemplateFunction, loadBuildScript } from '../src/local/index.ts';

/** Builds every function into `outDir/<fn>/index.mjs`; returns the error message when the build fails. */
export async function buildBundles(root: string, outDir: string): Promise<string | undefined> {
  try {
    await (await loadBuildScript(root)).buildFunctions({ root, outDir, log: () => undefined });
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** The path of a built function's bundle; throws when the build did not produce it. */
export function bundlePath(distDir: string, fn: string): string {
  const file = path.join(distDir, fn, 'index.mjs');
  if (!fs.existsSync(file)) throw new Error(`${path.relative(process.cwd(), file)} was not built (see the build error above)`);
  return file;
}

/** Names of the functions built into `distDir`. */
export function builtFunctions(distDir: string): string[] {
  if (!fs.existsSync(distDir)) return [];
  return fs.readdirSync(distDir).filter((d) => fs.existsSync(path.join(distDir, d, 'index.mjs'))).sort();
}

/**
 * The NODE_OPTIONS a function gets when deployed (its own environment over the template's
 * globals), so a child measuring it runs as Lambda would; undefined when neither sets any.
 */
export async function templateNodeOptions(root: string, fn: string): Promise<string | undefined> {
  const script = await loadBuildScript(root);
  const template = script.parseTemplate(fs.readFileSync(path.join(root, 'template.yaml'), 'utf8'));
  const found = findTemplateFunction(script, template, fn);
  const own = found ? template.Resources[found.logicalId]?.Properties?.Environment?.Variables?.NODE_OPTIONS : undefined;
  const value = own ?? template.Globals?.Function?.Environment?.Variables?.NODE_OPTIONS;
  return typeof value === 'string' ? value : undefined;
}
