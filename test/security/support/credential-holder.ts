/**
 * A stand-in for the worker process, run as a child of the test with fake credentials in its
 * initial environment (as Lambda starts the runtime): it secures its environment the way the
 * worker does (unless told `no-scrub`, the control run), resolves the credentials as an SDK client
 * would, then runs the probe through the real shell tool with the real tool environment.
 * Prints `{secured, resolvedKeyId, tool}` as JSON.
 * Usage: node --import tsx credential-holder.ts <scrub|no-scrub> <probe.mjs> <workDir>
 */
import fs from 'node:fs';
import path from 'node:path';
import { secureProcessEnv } from '../../../functions/lib/secure-env.ts';
import { buildToolEnv, createShellTool } from '../../../src/agent/tools/index.ts';

const [mode, probe, workDir] = process.argv.slice(2);
const secured = mode === 'scrub' ? secureProcessEnv() : undefined;
const identity = secured?.credentials ? await secured.credentials() : undefined;

const home = path.join(workDir, 'home');
const tmpDir = path.join(workDir, 'tmp');
const workspace = path.join(workDir, 'workspace');
for (const d of [home, tmpDir, workspace]) fs.mkdirSync(d, { recursive: true });
// Something the runner writes in the workspace, as the worker writes the task's files.
fs.writeFileSync(path.join(workspace, 'task-notes.txt'), 'the runner wrote this file\n');

const shell = createShellTool();
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const tool = await shell.run(
  { command: `${quote(process.execPath)} ${quote(probe)} "$PPID" ${quote(home)} ${quote(tmpDir)} ${quote(workspace)}` },
  {
    root: fs.realpathSync(workspace),
    signal: new AbortController().signal,
    clock: Date.now,
    env: buildToolEnv(process.env, { home, tmpDir }),
    shellTimeoutMs: 60_000,
    maxShellTimeoutMs: 60_000,
    maxOutputBytes: 8 * 1024 * 1024,
  },
);
const { credentials: _fn, secretValues, ...report } = secured ?? { credentials: undefined, secretValues: [] };
process.stdout.write(JSON.stringify({ secured: secured ? { ...report, secretCount: secretValues.length } : null, resolvedKeyId: identity?.accessKeyId ?? null, tool }));
