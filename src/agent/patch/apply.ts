import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { PatchPlan, PlanStep } from './plan.ts';

export interface AppliedChange {
  kind: 'A' | 'M' | 'D';
  display: string;
}

export interface ApplyOutcome {
  /** The changes made, in order. */
  applied: AppliedChange[];
  /** Why applying stopped early (a step or the plan failed); the applied changes stay on disk. */
  failure?: string;
}

/** Errors of file operations caused by the patch's paths rather than by the host. */
const REQUEST_ERRORS = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'EEXIST', 'EACCES', 'EPERM', 'ENAMETOOLONG', 'ELOOP', 'ENOTEMPTY']);

/**
 * Carries out a verified plan in order: creates folders, writes, moves and deletes files. A step
 * failing for a reason the patch can fix (a file in the way, permissions) stops there, earlier
 * steps kept; host faults (EIO, ENOSPC...) throw.
 */
export async function applyPlan(plan: PatchPlan): Promise<ApplyOutcome> {
  const applied: AppliedChange[] = [];
  for (const step of plan.steps) {
    try {
      await applyStep(step);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (!code || !REQUEST_ERRORS.has(code)) throw err;
      return { applied, failure: `Failed to write ${(step.op === 'update' && step.moveTo ? step.moveTo : step.target).display}: ${code} (${(err as Error).message}).` };
    }
    applied.push(change(step));
  }
  return { applied, failure: plan.failure ? `${plan.failure.header ? `${plan.failure.header}: ` : ''}${plan.failure.message}` : undefined };
}

async function applyStep(step: PlanStep): Promise<void> {
  if (step.op === 'delete') {
    await fs.unlink(step.target.linkAbs);
    return;
  }
  const dest = step.op === 'update' && step.moveTo ? step.moveTo : step.target;
  await fs.mkdir(path.dirname(dest.abs), { recursive: true });
  await fs.writeFile(dest.abs, step.contents, 'utf8');
  if (step.op === 'update' && step.moveTo && step.moveTo.abs !== step.target.abs) await fs.unlink(step.target.linkAbs);
}

function change(step: PlanStep): AppliedChange {
  if (step.op === 'add') return { kind: 'A', display: step.target.display };
  if (step.op === 'delete') return { kind: 'D', display: step.target.display };
  return { kind: 'M', display: (step.moveTo ?? step.target).display };
}

/** Codex's summary: `A path`, `M path`, `D path` lines, grouped in that order. */
export function formatSummary(applied: AppliedChange[]): string {
  const order = { A: 0, M: 1, D: 2 };
  return applied
    .map((c, i) => [c, i] as const)
    .sort((a, b) => order[a[0].kind] - order[b[0].kind] || a[1] - b[1])
    .map(([c]) => `${c.kind} ${c.display}`)
    .join('\n');
}
