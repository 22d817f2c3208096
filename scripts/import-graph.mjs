#!/usr/bin/env node
// The import graph between the top-level modules of src/ (src/agent, src/store, ...) and its
// cycles. Arrows between modules point one way, down: a cycle means two modules each need the
// other, and the shared part belongs in a module both import. `node scripts/import-graph.mjs`
// prints the cycles and exits 1 when there is one; test/architecture/ runs it in `npm test`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(m|c)?tsx?$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/**
 * The module-level import graph of `srcDir`: for each top-level folder, the other top-level
 * folders its files import (static imports, re-exports, `import type` and dynamic imports alike),
 * each edge with the files and specifiers that make it.
 */
export function moduleGraph(srcDir) {
  const graph = new Map();
  for (const file of sourceFiles(srcDir)) {
    const [from, ...rest] = path.relative(srcDir, file).split(path.sep);
    if (rest.length === 0) continue;
    if (!graph.has(from)) graph.set(from, new Map());
    const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const rel = path.relative(srcDir, path.resolve(path.dirname(file), fileName));
      const to = rel.split(path.sep)[0];
      if (rel.startsWith('..') || to === from || !rel.includes(path.sep)) continue;
      const edges = graph.get(from);
      if (!edges.has(to)) edges.set(to, []);
      edges.get(to).push(`${path.relative(srcDir, file)} -> ${fileName}`);
    }
  }
  return graph;
}

/** The cycles of `graph`: each strongly connected set of two or more modules, names sorted. */
export function moduleCycles(graph) {
  // Tarjan's strongly connected components.
  let next = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const cycles = [];
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) !== index.get(v)) return;
    const scc = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      scc.push(w);
    } while (w !== v);
    if (scc.length > 1) cycles.push(scc.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return cycles.sort((a, b) => a[0].localeCompare(b[0]));
}

/** Each cycle of `srcDir` with the imports that close it, as lines to print. */
export function describeCycles(srcDir) {
  const graph = moduleGraph(srcDir);
  return moduleCycles(graph).map((scc) => {
    const inside = new Set(scc);
    const edges = scc.flatMap((from) => [...(graph.get(from) ?? [])].filter(([to]) => inside.has(to)).map(([to, why]) => `  ${from} -> ${to}: ${why.slice(0, 3).join(', ')}${why.length > 3 ? ` (+${why.length - 3})` : ''}`));
    return `cycle: ${scc.join(', ')}\n${edges.join('\n')}`;
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const cycles = describeCycles(path.join(ROOT, 'src'));
  for (const c of cycles) console.error(c);
  if (cycles.length > 0) process.exitCode = 1;
  else console.log('no import cycle between the modules of src/');
}
