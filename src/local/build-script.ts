import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** A function of template.yaml built with esbuild. */
export interface TemplateFunction {
  logicalId: string;
  codeUri: string;
  handler?: string;
  props: Record<string, unknown> & { EntryPoints?: string[] };
}

/** What scripts/build.mjs exports (it is plain JavaScript so that `npm run build` needs no loader). */
export interface BuildScript {
  parseTemplate(text: string): any;
  templateFunctions(template: unknown): TemplateFunction[];
  esbuildOptionsFrom(props: Record<string, unknown>): Record<string, unknown>;
  optionsForFunction(template: unknown, name: string): Record<string, unknown>;
  buildFunctions(opts?: { root?: string; outDir?: string; names?: string[]; log?: (line: string) => void }): Promise<string[]>;
}

/** Loads `<root>/scripts/build.mjs`. */
export async function loadBuildScript(root: string): Promise<BuildScript> {
  return (await import(pathToFileURL(path.join(root, 'scripts', 'build.mjs')).href)) as BuildScript;
}

/** The template's function for `functions/<name>.ts` (by its esbuild entry point). */
export function findTemplateFunction(script: BuildScript, template: unknown, name: string): TemplateFunction | undefined {
  const entry = `functions/${name}.ts`;
  return script
    .templateFunctions(template)
    .find((f) => (f.props.EntryPoints ?? []).some((e) => path.posix.normalize(path.posix.join(f.codeUri, e)) === entry));
}
