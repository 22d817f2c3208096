/**
 * The CLI's help, and what it loads to give it: `--help` and `--version` load the command table
 * only, each command's own module loads when that command is chosen.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, cliEnv, runNode, scratchDir } from '../support/cli.ts';

const COMMANDS = ['run', 'runs', 'enqueue', 'watch', 'result', 'cancel', 'usage', 'invoke', 'dev'];
let scratch: string;
let env: Record<string, string>;
let hook: string;

beforeAll(() => {
  scratch = scratchDir('cli-help');
  env = cliEnv(scratch);
  // A module-resolution hook that appends every file URL the process loads to a log.
  hook = path.join(scratch, 'record-loads.mjs');
  fs.writeFileSync(path.join(scratch, 'hooks.mjs'), "import fs from 'node:fs';\nexport async function resolve(s, c, next) { const r = await next(s, c); if (r.url.startsWith('file:')) fs.appendFileSync(process.env.LOAD_LOG, r.url + '\\n'); return r; }\n");
  fs.writeFileSync(hook, `import { register } from 'node:module';\nregister(${JSON.stringify(new URL(`file://${path.join(scratch, 'hooks.mjs')}`).href)});\n`);
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const cli = (args: string[], extra: Record<string, string> = {}, nodeArgs: string[] = []) => runNode([...nodeArgs, BIN, ...args], { ...env, ...extra });

/** The files of dist/cli a CLI run with `args` loaded, relative to dist/cli, and their total size. */
async function loaded(args: string[]) {
  const log = path.join(scratch, `loads-${args.join('-')}.txt`);
  const run = await cli(args, { LOAD_LOG: log }, ['--import', hook]);
  const dist = path.join(ROOT, 'dist', 'cli');
  const files = [...new Set(fs.readFileSync(log, 'utf8').trim().split('\n'))].map((u) => new URL(u).pathname).filter((p) => p.startsWith(dist)).map((p) => path.relative(dist, p));
  return { files, bytes: files.reduce((n, f) => n + fs.statSync(path.join(dist, f)).size, 0), run };
}

describe('agent-runner --help', () => {
  it('lists every command with one line each', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    const listed = r.stdout.split('Commands:\n')[1].split('\n').map((l) => /^ {2}(\S+)/.exec(l)?.[1]).filter(Boolean);
    expect(listed).toEqual([...COMMANDS, 'help']);
  });

  it.each(COMMANDS)('%s --help shows defaults, environment, exit codes and examples', async (name) => {
    const r = await cli([name, '--help']);
    expect(r.code).toBe(0);
    const sections = r.stdout.split('\n').filter((l) => /^[A-Z][a-z ]+:$/.test(l));
    expect(sections.slice(-4)).toEqual(['Defaults:', 'Environment:', 'Exit status:', 'Examples:']);
    expect(r.stdout.match(/^ {2}\$ /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(r.stdout.split('Exit status:\n')[1]).toMatch(/^ {2}0 +\S/);
  });

  it('ends quietly, exit 0, when the reader stops early (agent-runner run --help | head -1)', async () => {
    const child = spawn(process.execPath, [BIN, 'run', '--help'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('shows the same for `help COMMAND`', async () => {
    expect((await cli(['help', 'run'])).stdout).toBe((await cli(['run', '--help'])).stdout);
  });
});

describe('what the CLI loads', () => {
  it('loads the command table only for --help and --version, and a command module when it is chosen', async () => {
    const help = await loaded(['--help']);
    const version = await loaded(['--version']);
    const runHelp = await loaded(['run', '--help']);
    expect([help.run.code, version.run.code, runHelp.run.code]).toEqual([0, 0, 0]);
    for (const l of [help, version]) {
      expect(l.files.filter((f) => new RegExp(`^chunks/(${[...COMMANDS, 'command-help'].join('|')})-`).test(f))).toEqual([]);
      expect(l.bytes).toBeLessThan(100 * 1024);
    }
    expect(runHelp.files.some((f) => /^chunks\/run-/.test(f))).toBe(true);
    const cancelHelp = await loaded(['cancel', '--help']);
    expect({ code: cancelHelp.run.code, cancel: cancelHelp.files.some((f) => /^chunks\/cancel-/.test(f)), run: cancelHelp.files.some((f) => /^chunks\/run-/.test(f)) }).toEqual({ code: 0, cancel: true, run: false });
    expect(runHelp.bytes).toBeGreaterThan(10 * help.bytes);
  });
});
