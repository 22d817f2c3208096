import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { isBuiltin } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { text, toolUse } from '../support/fake-bedrock.ts';
import { startLocalStackHarness, type LocalStackHarness } from '../unit/client/support/local-stack.ts';
// @ts-expect-error: plain JavaScript without type declarations
import { buildActionCli } from '../../scripts/build-cli.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const action = parseYaml(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { required?: boolean; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: { id?: string; uses?: string; with?: Record<string, string>; run?: string; shell?: string; env?: Record<string, string>; 'working-directory'?: string }[] };
};
const runStep = action.runs.steps.find((s) => s.id === 'run');

let stack: LocalStackHarness;
let tmp: string;
beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-action-'));
  stack = await startLocalStackHarness((prompt, turn) => {
    if (prompt.startsWith('EDIT')) return turn === 0 ? [toolUse('tooluse_1', 'write_file', { path: 'docs/NOTE.md', content: 'written by the agent\n' })] : [text('Added docs/NOTE.md.')];
    return [toolUse(`tooluse_${turn}`, 'list_files', {})];
  });
});
afterAll(async () => {
  await stack?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Evaluates the step's `env:` as the runner would, for the expressions the action uses. */
function stepEnv(inputs: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(runStep?.env ?? {})) {
    out[k] = v.replace(/\$\{\{\s*([a-z_.-]+)\s*\}\}/g, (_, expr: string) => {
      if (expr === 'github.action_path') return ROOT;
      const m = /^inputs\.([a-z-]+)$/.exec(expr);
      if (!m || !(m[1] in action.inputs)) throw new Error(`unexpected expression ${expr}`);
      return inputs[m[1]] ?? action.inputs[m[1]].default ?? '';
    });
  }
  return out;
}

/** Runs the action's main step with bash in `cwd`, as a GitHub runner would; returns its outputs. */
async function runAction(cwd: string, inputs: Record<string, string>) {
  const outputFile = path.join(tmp, `output-${Math.random().toString(16).slice(2)}`);
  fs.writeFileSync(outputFile, '');
  const env = {
    ...process.env,
    ...stack.cliEnv,
    ...stepEnv(inputs),
    PATH: `${path.join(ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}`,
    GITHUB_OUTPUT: outputFile,
    RUNNER_TEMP: tmp,
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    NO_COLOR: '1',
  };
  const child = spawn('bash', ['-e', '-c', runStep?.run ?? 'exit 99'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const outputs = Object.fromEntries(fs.readFileSync(outputFile, 'utf8').trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  return { code, outputs, stdout, stderr };
}

function sampleTree(name: string): string {
  const root = path.join(tmp, name);
  fs.mkdirSync(path.join(root, 'src'), { recursive: true });
  fs.writeFileSync(path.join(root, 'src', 'index.js'), 'export {};\n');
  return root;
}

describe('action.yml', () => {
  it('is a composite action with the documented inputs and outputs, passing inputs only through env', () => {
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs).sort()).toEqual(
      ['apply-partial', 'bucket', 'max-cost-usd', 'max-turns', 'max-upload-mb', 'model', 'out', 'profile', 'progress-url', 'prompt', 'prompt-file', 'queue-url', 'stack', 'task-id', 'timeout-seconds', 'working-directory'].sort(),
    );
    expect(action.outputs).toEqual({
      'task-id': expect.objectContaining({ value: '${{ steps.run.outputs.task-id }}' }),
      status: expect.objectContaining({ value: '${{ steps.run.outputs.status }}' }),
      'cost-usd': expect.objectContaining({ value: '${{ steps.run.outputs.cost-usd }}' }),
    });
    expect(action.runs.steps[0]).toEqual({ name: 'Set up Node.js 22', uses: 'actions/setup-node@v4', with: { 'node-version': '22' } });
    expect(runStep?.run).toContain('enqueue --wait --apply --json');
    // Expressions inside `run:` would paste input text into the script (injection).
    expect(action.runs.steps.filter((s) => s.run?.includes('${{'))).toEqual([]);
  });

  it('installs nothing: it runs action/agent-runner.mjs, a tracked file holding the CLI with its dependencies', () => {
    expect(action.runs.steps.map((s) => s.uses ?? 'run')).toEqual(['actions/setup-node@v4', 'run']);
    expect(action.runs.steps.filter((s) => /\bnpm\b|\bnpx\b/.test(s.run ?? ''))).toEqual([]);
    expect(runStep?.env?.AR_BIN).toBe('${{ github.action_path }}/action/agent-runner.mjs');
    expect(execFileSync('git', ['ls-files', 'action/agent-runner.mjs'], { cwd: ROOT, encoding: 'utf8' }).trim()).toBe('action/agent-runner.mjs');
  });

  it('carries the committed action/agent-runner.mjs as `npm run build:action` makes it from the sources, importing built-ins only', async () => {
    const { text: fresh, imports } = await buildActionCli({ root: ROOT });
    expect(imports.length).toBeGreaterThan(3);
    expect(imports.filter((i: string) => !isBuiltin(i))).toEqual([]);
    const committed = fs.readFileSync(path.join(ROOT, 'action', 'agent-runner.mjs'), 'utf8');
    expect(committed === fresh, 'action/agent-runner.mjs is stale: run `npm run build:action` and commit it').toBe(true);
  });

  it('runs enqueue --wait --apply: the change lands in the working tree and the outputs are set', async () => {
    const ws = sampleTree('ws-ok');
    const run = await runAction(ws, { prompt: 'EDIT add a note; with "quotes" and $(no substitution)', 'max-turns': '5' });
    // action/agent-runner.mjs must register enqueue (src/cli/action.ts).
    expect(run.stderr).not.toMatch(/unknown command/);
    expect({ code: run.code, status: run.outputs.status, taskId: run.outputs['task-id'], cost: Number(run.outputs['cost-usd']) > 0 }).toEqual({
      code: 0,
      status: 'succeeded',
      taskId: expect.stringMatching(/^gh-4242-1-[0-9a-f]{32}$/),
      cost: true,
    });
    expect(fs.readFileSync(path.join(ws, 'docs', 'NOTE.md'), 'utf8')).toBe('written by the agent\n');
    expect(run.stdout).toBe(`agent-runner: task ${run.outputs['task-id']} succeeded, $${Number(run.outputs['cost-usd']).toFixed(4)}\n`);
    // The prompt reached the model verbatim: quotes kept, nothing substituted by the shell.
    const firstUserTexts = stack.bedrock.modelRequests.map((r) => JSON.stringify(r.body?.messages?.[0]?.content ?? []));
    expect(firstUserTexts.some((t) => t.includes(JSON.stringify('EDIT add a note; with "quotes" and $(no substitution)').slice(1, -1)))).toBe(true);
  });

  it('fails the step with exit 3 at a limit, still setting the outputs', async () => {
    const ws = sampleTree('ws-limit');
    const run = await runAction(ws, { prompt: 'LOOP', 'max-turns': '1', 'task-id': 'gha-limit-1' });
    expect({ code: run.code, outputs: { ...run.outputs, 'cost-usd': Number(run.outputs['cost-usd']) > 0 }, files: fs.readdirSync(ws) }).toEqual({
      code: 3,
      outputs: { 'task-id': 'gha-limit-1', status: 'limit_reached', 'cost-usd': true },
      files: ['src'],
    });
  });
});
