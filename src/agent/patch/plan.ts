import { applyChunks } from './content.ts';
import { PatchError } from './errors.ts';
import { hunkHeader, type Hunk } from './types.ts';

/** A patch path resolved by the host. */
export interface HostPath {
  /** Where to read and write (symlinks followed). */
  abs: string;
  /** What to remove to delete it (a symlink itself, not its target). */
  linkAbs: string;
  /** How the path is shown in messages and in the summary. */
  display: string;
}

/** What planning needs from the file system; every method may throw host faults. */
export interface PatchHost {
  /** Resolves a path of the patch, or throws PatchError when it is refused (e.g. outside the workspace). */
  resolve(path: string): Promise<HostPath>;
  kind(abs: string): Promise<'file' | 'dir' | 'missing' | 'other'>;
  readFile(abs: string): Promise<Buffer>;
}

export type PlanStep =
  | { op: 'add'; target: HostPath; contents: string }
  | { op: 'delete'; target: HostPath }
  | { op: 'update'; target: HostPath; contents: string; moveTo?: HostPath };

export interface PlanFailure {
  /** 0-based index of the failing hunk. */
  hunk: number;
  header: string;
  message: string;
}

/** The steps verified against the files, in patch order; on failure, those before the failing hunk. */
export interface PatchPlan {
  steps: PlanStep[];
  failure?: PlanFailure;
}

type Overlay = Map<string, { contents: string } | 'missing'>;

/**
 * Verifies each hunk against the files as the earlier hunks leave them (in memory) and computes
 * the exact content to write. Like Codex, hunks apply in order and a failing hunk stops the
 * patch with the earlier ones kept, so the plan holds the steps before the first failure. Paths
 * are all resolved first: a refused path fails the patch before any step. Throws host faults only.
 */
export async function planPatch(hunks: Hunk[], host: PatchHost): Promise<PatchPlan> {
  if (hunks.length === 0) {
    return { steps: [], failure: { hunk: 0, header: '', message: 'The patch holds no hunks (Add/Delete/Update File); no files were modified.' } };
  }
  const resolved: { target: HostPath; moveTo?: HostPath }[] = [];
  for (const [i, hunk] of hunks.entries()) {
    try {
      const target = await host.resolve(hunk.path);
      const moveTo = hunk.type === 'update' && hunk.movePath ? await host.resolve(hunk.movePath) : undefined;
      resolved.push({ target, moveTo });
    } catch (err) {
      if (err instanceof PatchError) return { steps: [], failure: { hunk: i, header: hunkHeader(hunk), message: err.message } };
      throw err;
    }
  }
  const overlay: Overlay = new Map();
  const steps: PlanStep[] = [];
  for (const [i, hunk] of hunks.entries()) {
    try {
      steps.push(await planHunk(hunk, resolved[i].target, resolved[i].moveTo, host, overlay));
    } catch (err) {
      if (err instanceof PatchError) return { steps, failure: { hunk: i, header: hunkHeader(hunk), message: err.message } };
      throw err;
    }
  }
  return { steps };
}

async function planHunk(hunk: Hunk, target: HostPath, moveTo: HostPath | undefined, host: PatchHost, overlay: Overlay): Promise<PlanStep> {
  const kindOf = async (p: HostPath) => {
    const o = overlay.get(p.abs);
    if (o === 'missing') return 'missing';
    if (o) return 'file';
    return host.kind(p.abs);
  };
  const where = target.display;
  if (hunk.type === 'add') {
    if ((await kindOf(target)) === 'dir') throw new PatchError(`Cannot add file ${where}: a folder of that name exists.`);
    overlay.set(target.abs, { contents: hunk.contents });
    return { op: 'add', target, contents: hunk.contents };
  }
  const kind = await kindOf(target);
  if (hunk.type === 'delete') {
    if (kind === 'missing') throw new PatchError(`Failed to delete file ${where}: no such file.`);
    if (kind === 'dir') throw new PatchError(`Failed to delete ${where}: it is a folder; Delete File removes single files only.`);
    overlay.set(target.abs, 'missing');
    return { op: 'delete', target };
  }
  if (kind === 'missing') throw new PatchError(`Failed to read file to update ${where}: no such file (use Add File to create it).`);
  if (kind !== 'file') throw new PatchError(`Failed to update ${where}: it is not a regular file.`);
  const o = overlay.get(target.abs);
  const original = o && o !== 'missing' ? o.contents : await readText(host, target);
  const contents = applyChunks(original, hunk.chunks, where);
  if (moveTo) {
    if ((await kindOf(moveTo)) === 'dir') throw new PatchError(`Cannot move ${where} to ${moveTo.display}: a folder of that name exists.`);
    if (moveTo.abs !== target.abs) overlay.set(target.abs, 'missing');
    overlay.set(moveTo.abs, { contents });
    return { op: 'update', target, contents, moveTo };
  }
  overlay.set(target.abs, { contents });
  return { op: 'update', target, contents };
}

async function readText(host: PatchHost, p: HostPath): Promise<string> {
  const buf = await host.readFile(p.abs);
  if (buf.subarray(0, 8192).includes(0)) throw new PatchError(`Failed to update ${p.display}: it is a binary file.`);
  return buf.toString('utf8');
}
