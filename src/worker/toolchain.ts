import fs from 'node:fs/promises';
import path from 'node:path';

/** A program the model may want, and the names it goes by. */
interface Probe {
  label: string;
  commands: string[];
}

/** What the prompt reports on, in its order (git, Node.js, Python, C/C++, JVM, Go, Rust). */
const PROBES: Probe[] = [
  { label: 'git', commands: ['git'] },
  { label: 'node', commands: ['node'] },
  { label: 'npm', commands: ['npm'] },
  { label: 'python3', commands: ['python3'] },
  { label: 'pip', commands: ['pip3', 'pip'] },
  { label: 'make', commands: ['make'] },
  { label: 'g++', commands: ['g++'] },
  { label: 'java', commands: ['java'] },
  { label: 'go', commands: ['go'] },
  { label: 'cargo', commands: ['cargo'] },
];

export interface FoundTool {
  label: string;
  path: string;
}

export interface Toolchain {
  found: FoundTool[];
  missing: string[];
}

/**
 * Looks for the programs the model may need (git, node, npm, python3, pip, make, g++, java, go,
 * cargo) on the PATH of the tool environment. Nothing is assumed: a program counts only when an
 * executable file of its name is on that PATH. Nothing is run (the model can ask for versions
 * itself), so the look costs a few file checks.
 */
export async function detectToolchain(env: Record<string, string>): Promise<Toolchain> {
  const dirs = (env.PATH ?? '').split(':').filter((d) => d !== '' && path.isAbsolute(d));
  const files = await Promise.all(PROBES.map((probe) => which(probe.commands, dirs)));
  return {
    found: PROBES.flatMap((p, i) => (files[i] ? [{ label: p.label, path: files[i] }] : [])),
    missing: PROBES.filter((_, i) => !files[i]).map((p) => p.label),
  };
}

/** The first executable regular file named one of `names` in `dirs`, in PATH order. */
async function which(names: string[], dirs: string[]): Promise<string | undefined> {
  for (const dir of dirs) {
    for (const name of names) {
      const file = path.join(dir, name);
      try {
        const st = await fs.stat(file);
        if (!st.isFile()) continue;
        await fs.access(file, fs.constants.X_OK);
        return file;
      } catch {
        continue;
      }
    }
  }
  return undefined;
}

/** The system prompt's Environment section for what was found. */
export function describeToolchain(t: Toolchain): string {
  const lines = [
    `Programs found on the PATH of your shell: ${t.found.length > 0 ? t.found.map((f) => f.label).join(', ') : 'none of the usual ones'}.`,
    t.missing.length > 0 ? `Not found here: ${t.missing.join(', ')}. You cannot run them; do not guess what they would print. When a check needs one of them, say in your summary that you could not run it.` : '',
    'Run the repository\'s own build and tests with what is there before you finish. There is no root access: install packages under the workspace (git-ignored) or $HOME, e.g. a Python venv, not system-wide.',
  ];
  return lines.filter((l) => l !== '').join('\n');
}
