/**
 * `agent-runner run` on a terminal: in a pseudo-terminal made by util-linux `script`, its output
 * replayed into a terminal emulator (xterm.js, headless) of the same size. The status line must
 * fit the width (so that redrawing it leaves nothing behind), follow a resize, and be coloured
 * only without NO_COLOR.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import xterm from '@xterm/headless';
import { delay, text, toolUse } from '../support/fake-bedrock.ts';
import { BIN, ROOT, useFakeBedrockCli } from '../support/cli.ts';

const cli = useFakeBedrockCli('cli-tty');
const SPINNER = /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] turn/;
const ESC = String.fromCharCode(27);
const SGR = new RegExp(`${ESC}\\[[0-9;]*m`, 'g');

/** Seven turns of `list_files`, each slow enough for the spinner to redraw the status line. */
const SCRIPT = [...Array.from({ length: 6 }, (_, i) => [delay(400), text(`Looking, step ${i + 1}, at the files of the workspace.`), toolUse(`l${i}`, 'list_files', {})]), [delay(400), text('Done.')]];

interface TtyRun {
  code: number | null;
  /** Everything written to the terminal, and how much of it had arrived when the resize was done. */
  output: string;
  resizedAt?: number;
}

/**
 * Runs `agent-runner run` in a 40-column pseudo-terminal. With `resizeAfter`, once that text has
 * appeared the terminal becomes 20 columns wide (stty sends the process SIGWINCH).
 */
function runInTerminal(env: Record<string, string>, args: string[], resizeAfter?: string): Promise<TtyRun> {
  const dir = fs.mkdtempSync(path.join(env.HOME, 'tty-'));
  const go = path.join(dir, 'resize');
  const done = path.join(dir, 'resized');
  const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const cmd = [
    'stty cols 40 rows 50',
    `${q(process.execPath)} ${q(BIN)} ${args.map(q).join(' ')} & pid=$!`,
    `while [ ! -e ${q(go)} ] && kill -0 $pid 2>/dev/null; do sleep 0.05; done`,
    `if [ -e ${q(go)} ]; then stty cols 20; sleep 0.3; touch ${q(done)}; fi`,
    'wait $pid',
  ].join('\n');
  return new Promise((resolve) => {
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let resizedAt: number | undefined;
    child.stdout.on('data', (c) => {
      output += c;
      if (resizeAfter && output.includes(resizeAfter) && !fs.existsSync(go)) fs.writeFileSync(go, '');
    });
    const poll = setInterval(() => {
      if (resizedAt === undefined && fs.existsSync(done)) resizedAt = output.length;
    }, 20);
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ code, output, resizedAt });
    });
  });
}

/** The terminal's lines after `output`, the first `at` characters at 40 columns, the rest at 20. */
async function screen(output: string, at = output.length): Promise<string[]> {
  const term = new xterm.Terminal({ cols: 40, rows: 50, scrollback: 1000, allowProposedApi: true });
  await new Promise<void>((r) => term.write(output.slice(0, at), r));
  term.resize(20, 50);
  await new Promise<void>((r) => term.write(output.slice(at), r));
  const lines: string[] = [];
  for (let i = 0; i < term.buffer.active.length; i++) lines.push(term.buffer.active.getLine(i)?.translateToString(true) ?? '');
  term.dispose();
  return lines.filter((l) => l.trim());
}

/** Each state of the status line: what follows a `\r` + erase-line up to the next line break or redraw. */
function statusDraws(output: string): string[] {
  return output.split('\r\u001b[2K').slice(1).map((s) => s.split(/[\r\n]/)[0].replace(SGR, '')).filter((s) => SPINNER.test(s));
}

describe('agent-runner run on a terminal', () => {
  it('keeps one status line that fits the width, follows a resize and leaves no stale line behind', async () => {
    const c = cli.newCase({ 'a.txt': 'a\n' }, { TERM: 'xterm-256color' });
    cli.fake().setScript(SCRIPT);
    const r = await runInTerminal(c.env, ['run', '--workspace', c.ws, '--out', c.out, 'Look at the files'], 'step 3');
    expect(r.code, r.output).toBe(0);
    expect(r.resizedAt).toBeGreaterThan(0);
    const before = statusDraws(r.output.slice(0, r.resizedAt));
    const after = statusDraws(r.output.slice(r.resizedAt));
    expect(before.length).toBeGreaterThan(3);
    expect(after.length).toBeGreaterThan(3);
    expect(Math.max(...before.map((s) => Array.from(s).length))).toBeLessThanOrEqual(39);
    expect(Math.max(...after.map((s) => Array.from(s).length))).toBeLessThanOrEqual(19);
    const lines = await screen(r.output, r.resizedAt);
    // Every tool call is on the screen once; no status line is (the last one is cleared at the end).
    expect(lines.filter((l) => SPINNER.test(l))).toEqual([]);
    expect(lines.filter((l) => l.startsWith('→ list_files'))).toHaveLength(6);
    expect(lines.some((l) => /^succeeded · 7 turns/.test(l))).toBe(true);
  });

  it('colours its output on a terminal, and not with NO_COLOR', async () => {
    const c = cli.newCase({}, { TERM: 'xterm-256color', NO_COLOR: undefined });
    cli.fake().setScript([[toolUse('l1', 'list_files', {})], [text('Done.')]]);
    const coloured = await runInTerminal(c.env, ['run', '--workspace', c.ws, '--out', c.out, 'look']);
    cli.fake().setScript([[toolUse('l1', 'list_files', {})], [text('Done.')]]);
    const plain = await runInTerminal({ ...c.env, NO_COLOR: '1' }, ['run', '--workspace', c.ws, '--out', c.out, 'look']);
    expect([coloured.code, plain.code]).toEqual([0, 0]);
    expect(coloured.output).toContain('\u001b[32m✓\u001b[0m list_files');
    expect(coloured.output).toContain(`${ESC}[32m${ESC}[1msucceeded${ESC}[0m`);
    expect(plain.output.match(SGR)).toBeNull();
    expect(plain.output).toContain('✓ list_files');
  });
});
