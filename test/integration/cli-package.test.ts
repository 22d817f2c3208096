/**
 * The CLI as an npm package: `npm pack` of a checkout (its `prepare` builds dist/cli), installed
 * globally into a temporary prefix, run from a folder outside any checkout against the fake
 * Bedrock. A copy of the checkout is packed, so the repository's own dist/ is left alone while
 * other tests use it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { text, toolUse } from '../support/fake-bedrock.ts';
import { ROOT, readTask, runProgram, scratchDir, useFakeBedrockCli } from '../support/cli.ts';

const cli = useFakeBedrockCli('cli-package');
let work: string;
let tarball: string;
let prefix: string;
// npm with the repository's Node first on PATH (what `npm ci` brings), and the user's npm cache.
const npmEnv = () => ({ ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}` });
const npm = (args: string[], cwd: string) => execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, env: npmEnv(), encoding: 'utf8' });

beforeAll(() => {
  work = scratchDir('cli-package');
  const checkout = path.join(work, 'checkout');
  for (const p of ['bin', 'src', 'scripts', 'package.json', 'package-lock.json', 'README.md']) fs.cpSync(path.join(ROOT, p), path.join(checkout, p), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(checkout, 'node_modules'));
  // prepare's own output comes before npm's JSON.
  const out = npm(['pack', '--json', '--pack-destination', work], checkout);
  const packed = JSON.parse(out.slice(out.search(/^\[/m))) as { filename: string }[];
  tarball = path.join(work, packed[0].filename);
  prefix = path.join(work, 'prefix');
  npm(['install', '--global', '--prefix', prefix, '--prefer-offline', tarball], work);
}, 240_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('the packed CLI', () => {
  it('holds the launcher and the built CLI only: no sources, source maps or tests', () => {
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n').sort();
    expect(files.filter((f) => !/^package\/dist\/cli\/(main|chunks\/[\w-]+)\.mjs$/.test(f))).toEqual(['package/README.md', 'package/bin/agent-runner.mjs', 'package/package.json']);
    expect(files).toContain('package/dist/cli/main.mjs');
  });

  it('installs globally and runs a task from a folder outside any checkout', async () => {
    const c = cli.newCase({ 'notes.txt': 'old\n' }, { PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}` });
    cli.fake().setScript([[toolUse('w1', 'write_file', { path: 'notes.txt', content: 'new\n' })], [text('Updated notes.txt.')]]);
    const elsewhere = fs.mkdtempSync(path.join(c.scratch, 'elsewhere-'));
    const bin = path.join(prefix, 'bin', 'agent-runner');
    const r = await runProgram(bin, ['run', '--workspace', c.ws, '--out', c.out, 'Update the notes'], c.env, { cwd: elsewhere });
    expect({ code: r.code, stdout: r.stdout }, r.stderr).toEqual({ code: 0, stdout: 'Updated notes.txt.\n' });
    expect(readTask(c.out).result).toMatchObject({ status: 'succeeded', turns: 2, diff: { files: 1, additions: 1, deletions: 1 }, summary: 'Updated notes.txt.' });
    expect(fs.readFileSync(path.join(c.ws, 'notes.txt'), 'utf8')).toBe('new\n');
    const version = await runProgram(bin, ['--version'], c.env, { cwd: elsewhere });
    expect(version.stdout).toBe(`${JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version}\n`);
  });
});
