import fs from 'node:fs';
import { createRedactor } from '../security/index.ts';
import os from 'node:os';
import path from 'node:path';
import { Command, Option } from 'commander';
import { runAgent } from '../agent/index.ts';
import type { TaskResult } from '../agent/events.ts';
import { buildToolEnv } from '../agent/tools/index.ts';
import { createMcpToolSource } from '../mcp/index.ts';
import { FsArtifactStore } from '../store/index.ts';
import type { Task } from '../task/types.ts';
import { timedTaskId } from '../task/index.ts';
import { createRenderer } from './render.ts';
import { EXIT, UsageError, exitCodeFor } from './errors.ts';
import { resolveRunSetup, type CommonRunOptions } from './setup.ts';
import { sandboxModeArg, setUpLocalSandbox } from './sandbox.ts';

interface RunOptions extends CommonRunOptions {
  workspace: string;
  prompt?: string;
  promptFile?: string;
  out?: string;
  json?: boolean;
  sandbox?: string;
}

/** Registers `agent-runner run` (contract section 3). */
export function runCommand(program: Command): void {
  program
    .command('run')
    .description('run the agent loop on a local folder against Bedrock; artifacts go to OUT/<taskId>/')
    .option('--workspace <dir>', 'the folder to work on', '.')
    .option('--prompt <text>', 'what to do')
    .option('--prompt-file <file>', 'read the prompt from a file')
    .option('--model <id>', 'model or inference-profile id (must support tool use)')
    .option('--profile <name>', 'configuration profile ([profiles.NAME] of the config file)')
    .option('--config <file>', 'configuration file (default ~/.agent-runner/config.toml)')
    .option('--strict-config', 'unknown configuration keys are errors, not warnings')
    .addOption(new Option('--max-turns <n>', 'at most N model calls').argParser(positiveInt('--max-turns')))
    .addOption(new Option('--max-cost-usd <x>', 'stop when the model cost reaches X USD').argParser(positiveNumber('--max-cost-usd')))
    .addOption(new Option('--timeout-seconds <s>', 'wall-time limit').argParser(positiveInt('--timeout-seconds')))
    .option('--out <dir>', 'where artifacts go (default ~/.agent-runner/runs; never inside the workspace)')
    .option('--json', 'print every event as one JSON line on stdout, and nothing else')
    .addOption(new Option('--sandbox <mode>', "how the model's commands run: workspace-write (default: bubblewrap, workspace writable), offline (no network), read-only, off").argParser(sandboxModeArg))
    .action(async (opts: RunOptions) => {
      process.exitCode = await runAction(opts);
    });
}

async function runAction(opts: RunOptions): Promise<number> {
  const workspace = checkWorkspace(opts.workspace);
  const out = checkOut(opts.out ?? path.join(os.homedir(), '.agent-runner', 'runs'), workspace);
  const prompt = readPrompt(opts);
  const setup = await resolveRunSetup(opts, process.env);
  for (const w of setup.warnings) process.stderr.write(`agent-runner: warning: ${w}\n`);

  const taskId = timedTaskId(new Date());
  const task: Task = { taskId, prompt, source: { local: { path: workspace } }, model: setup.model.id, ...(opts.profile ? { profile: opts.profile } : {}), limits: setup.limits };
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-runner-scratch-'));
  fs.mkdirSync(path.join(scratch, 'home'));
  fs.mkdirSync(path.join(scratch, 'tmp'));
  const toolEnv = buildToolEnv(process.env, { home: path.join(scratch, 'home'), tmpDir: path.join(scratch, 'tmp') });
  let sandbox;
  try {
    sandbox = setUpLocalSandbox({ flag: opts.sandbox, settings: setup.sandbox, workspace, privateTmp: path.join(scratch, 'tmp'), env: process.env, toolEnv, platform: process.platform, uid: process.getuid?.(), configPath: opts.config });
  } catch (err) {
    fs.rmSync(scratch, { recursive: true, force: true });
    throw err;
  }
  for (const notice of sandbox.notices) process.stderr.write(`agent-runner: ${notice}\n`);
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT.interrupted);
    controller.abort({ code: 'interrupted', message: 'interrupted (Ctrl-C)' });
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const renderer = createRenderer({ json: !!opts.json, tty: !opts.json && !!process.stderr.isTTY, out: process.stdout, err: process.stderr });
  let result: TaskResult | undefined;
  try {
    const run = runAgent(task, {
      provider: setup.provider,
      model: setup.model,
      store: new FsArtifactStore(out),
      workspace,
      toolEnv,
      ...(sandbox.wrapCommand ? { wrapCommand: sandbox.wrapCommand } : {}),
      ...(sandbox.tools ? { tools: sandbox.tools } : {}),
      clock: Date.now,
      signal: controller.signal,
      limits: setup.limits,
      reasoningEffort: setup.reasoningEffort,
      shellTimeoutMs: setup.shellTimeoutMs,
      redactor: createRedactor({ patterns: setup.redactPatterns }),
      // MCP variables passed by reference (env_vars, bearer tokens) come from the user's environment.
      extraTools: createMcpToolSource(setup.mcpServers, { lookup: (name) => process.env[name] }),
    });
    for (;;) {
      const next = await run.next();
      if (next.done) {
        result = next.value;
        break;
      }
      renderer.event(next.value);
    }
  } finally {
    renderer.close();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  if (!opts.json) process.stdout.write(`${path.join(out, taskId)}\n`);
  if (controller.signal.aborted) return EXIT.interrupted;
  return result ? exitCodeFor(result.status) : EXIT.failed;
}

function checkWorkspace(dir: string): string {
  const abs = path.resolve(dir);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch {
    throw new UsageError(`workspace ${abs} does not exist; give an existing folder with --workspace`);
  }
  if (!st.isDirectory()) throw new UsageError(`workspace ${abs} is not a folder`);
  try {
    fs.accessSync(abs, fs.constants.R_OK | fs.constants.W_OK | fs.constants.X_OK);
  } catch {
    throw new UsageError(`workspace ${abs} is not readable and writable by this user`);
  }
  return fs.realpathSync(abs);
}

/** The output folder, refused when inside the workspace (nothing we write may land there). */
function checkOut(dir: string, workspace: string): string {
  const abs = path.resolve(dir);
  const real = realpathOfNearest(abs);
  const rel = path.relative(workspace, real);
  if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
    throw new UsageError(`--out ${abs} is inside the workspace ${workspace}; choose a folder outside it`);
  }
  fs.mkdirSync(abs, { recursive: true });
  return abs;
}

function realpathOfNearest(p: string): string {
  let cur = p;
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync(cur), ...rest.reverse());
    } catch {
      const parent = path.dirname(cur);
      if (parent === cur) return p;
      rest.push(path.basename(cur));
      cur = parent;
    }
  }
}

function readPrompt(opts: RunOptions): string {
  if ((opts.prompt === undefined) === (opts.promptFile === undefined)) throw new UsageError('give exactly one of --prompt and --prompt-file');
  if (opts.prompt !== undefined) {
    if (!opts.prompt.trim()) throw new UsageError('--prompt is empty');
    return opts.prompt;
  }
  try {
    const text = fs.readFileSync(opts.promptFile as string, 'utf8');
    if (!text.trim()) throw new UsageError(`--prompt-file ${opts.promptFile} is empty`);
    return text;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read --prompt-file ${opts.promptFile}: ${(err as Error).message}`);
  }
}


function positiveInt(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} must be a positive whole number, got ${JSON.stringify(v)}`);
    return n;
  };
}

function positiveNumber(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number, got ${JSON.stringify(v)}`);
    return n;
  };
}
