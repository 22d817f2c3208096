import fs from 'node:fs';
import { createRedactor } from '../security/index.ts';
import os from 'node:os';
import path from 'node:path';
import { Command, Option } from 'commander';
import { runAgent } from '../agent/index.ts';
import type { TaskResult } from '../task/events.ts';
import { buildToolEnv } from '../agent/tools/index.ts';
import { DEFAULT_LIMITS, DEFAULT_MODEL } from '../config/defaults.ts';
import { createMcpToolSource } from '../mcp/index.ts';
import { FsArtifactStore } from '../store/fs.ts';
import type { Task } from '../task/types.ts';
import { timedTaskId } from '../task/index.ts';
import { colorEnabled, createRenderer } from './render.ts';
import { EXIT, UsageError, exitCodeFor } from './errors.ts';
import { positiveInt, positiveNumber } from './flags.ts';
import { readPrompt } from './prompt.ts';
import { defaultRunsDir } from './runs.ts';
import { resolveRunSetup, type CommonRunOptions } from './setup.ts';
import { sandboxModeArg, setUpLocalSandbox } from './sandbox.ts';
import { checkWorkspace } from './task-target.ts';
import { projectRoot } from './project-root.ts';

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
    .argument('[prompt]', 'what to do (instead of --prompt; - reads it from stdin)')
    .option('--workspace <dir>', 'the folder to work on', '.')
    .option('--prompt <text>', 'what to do')
    .option('--prompt-file <file>', 'read the prompt from a file (- reads stdin)')
    .option('--model <id>', `model or inference-profile id, one with tool use (default ${DEFAULT_MODEL})`)
    .option('--profile <name>', 'configuration profile ([profiles.NAME] of the config file)')
    .option('--region <region>', 'the AWS region of Bedrock (instead of AWS_REGION or the AWS profile\'s)')
    .option('--config <file>', 'configuration file (default ~/.agent-runner/config.toml)')
    .option('--strict-config', 'unknown configuration keys are errors, not warnings')
    .addOption(new Option('--max-turns <n>', `at most N model calls (default ${DEFAULT_LIMITS.maxTurns})`).argParser(positiveInt('--max-turns')))
    .addOption(new Option('--max-cost-usd <x>', `stop when the model cost reaches X USD (default ${DEFAULT_LIMITS.maxCostUsd})`).argParser(positiveNumber('--max-cost-usd')))
    .addOption(new Option('--timeout-seconds <s>', `wall-time limit (default ${DEFAULT_LIMITS.timeoutSeconds})`).argParser(positiveInt('--timeout-seconds')))
    .option('--out <dir>', 'where artifacts go (default ~/.agent-runner/runs; never inside the workspace)')
    .option('--json', 'print every event as one JSON line on stdout, and nothing else')
    .addOption(new Option('--sandbox <mode>', "how the model's commands run: workspace-write (default: bubblewrap, workspace writable), offline (no network), read-only, off").argParser(sandboxModeArg))
    .action(async (positional: string | undefined, opts: RunOptions) => {
      process.exitCode = await runAction(positional, opts);
    });
}

async function runAction(positional: string | undefined, opts: RunOptions): Promise<number> {
  const workspace = checkWorkspace(opts.workspace, { usable: true });
  const out = checkOut(opts.out ?? defaultRunsDir(), workspace);
  const prompt = await readPrompt({ positional, positionalAllowed: true, prompt: opts.prompt, promptFile: opts.promptFile, stdin: () => process.stdin });
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
    sandbox = setUpLocalSandbox({ flag: opts.sandbox, settings: setup.sandbox, workspace, privateTmp: path.join(scratch, 'tmp'), env: process.env, toolEnv, platform: process.platform, uid: process.getuid?.(), configPath: opts.config, runnerRoots: [path.dirname(process.execPath), projectRoot(import.meta.url)] });
  } catch (err) {
    fs.rmSync(scratch, { recursive: true, force: true });
    throw err;
  }
  for (const notice of sandbox.notices) process.stderr.write(`agent-runner: ${notice}\n`);
  const controller = new AbortController();
  const stop = onStopSignals(controller);
  const renderer = createRenderer({ json: !!opts.json, tty: !opts.json && !!process.stderr.isTTY, color: colorEnabled(process.stderr, process.env), out: process.stdout, err: process.stderr });
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
    stop.off();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  if (!opts.json) reportEnd(result, path.join(out, taskId));
  if (controller.signal.aborted) return stop.exitCode();
  return result ? exitCodeFor(result.status) : EXIT.failed;
}

/**
 * After the result line: where the artifacts and the diff are (stderr), and the model's final
 * message on stdout, so that `agent-runner run ... > answer.md` keeps just the answer.
 */
function reportEnd(result: TaskResult | undefined, dir: string): void {
  const diff = result?.diff.files ? `diff: ${path.join(dir, 'diff.patch')}` : 'no changes to the workspace';
  process.stderr.write(`${diff}\nartifacts: ${dir}${path.sep}\n`);
  if (result?.summary) process.stdout.write(`${result.summary.trimEnd()}\n`);
}

/**
 * Ctrl-C and SIGTERM stop the run cleanly (result.json and the diff so far are still written);
 * a second Ctrl-C exits at once. The same signal delivered twice at once (a terminal's Ctrl-C
 * reaches every process of the group, and npx passes it on as well) counts once.
 */
function onStopSignals(controller: AbortController) {
  let first: { signal: NodeJS.Signals; at: number } | undefined;
  const handler = (signal: NodeJS.Signals) => {
    const now = Date.now();
    if (first) {
      if (signal === first.signal && now - first.at < 100) return;
      process.exit(exitForSignal(first.signal));
    }
    first = { signal, at: now };
    controller.abort(signal === 'SIGTERM' ? { code: 'terminated', message: 'terminated (SIGTERM)' } : { code: 'interrupted', message: 'interrupted (Ctrl-C)' });
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    off: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
    exitCode: () => exitForSignal(first?.signal ?? 'SIGINT'),
  };
}

function exitForSignal(signal: NodeJS.Signals): number {
  return signal === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
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
