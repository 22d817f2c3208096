/**
 * Vitest global set-up: this run's temporary folder, so that runs of the suite side by side on
 * one machine (several worktrees) never share `os.tmpdir()`. The worker clears its work folder
 * under it at the start of each batch (as Lambda's /tmp needs); in a shared /tmp, one run's
 * worker would clear another's workspaces. Test processes inherit TMPDIR; it is removed at the end.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-runner-tests-'));
  // As /tmp is: tests that run the CLI as another uid need to make their folders (tsx's cache) here.
  fs.chmodSync(dir, 0o1777);
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
