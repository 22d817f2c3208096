import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import {
  budgetRefusal,
  buildTaskMessage,
  checkTaskId,
  createUploadProgress,
  deleteQuietly,
  finishTask,
  formatBytes,
  plural,
  inputKey,
  newTaskId,
  openRemote,
  packWorkspace,
  printViewLink,
  parseGithubSpec,
  sendTask,
  uploadFile,
  type CommandIo,
  type Remote,
  type RemoteSource,
} from '../client/index.ts';
import { EXIT, UsageError, exitCodeFor } from './errors.ts';
import { positiveInt, positiveNumber } from './flags.ts';
import { readPrompt } from './prompt.ts';
import { addStackOptions, followWithRenderer, remoteAction, type StackOptions } from './remote.ts';
import { checkOut, checkWorkspace } from './task-target.ts';

interface EnqueueOptions extends StackOptions {
  prompt?: string;
  promptFile?: string;
  workspace: string;
  repo?: string;
  ref?: string;
  github?: string;
  model?: string;
  profile?: string;
  maxTurns?: string;
  maxCostUsd?: string;
  timeoutSeconds?: string;
  taskId?: string;
  wait?: boolean;
  apply?: boolean;
  applyPartial?: boolean;
  out?: string;
  json?: boolean;
  maxUploadMb?: string;
  startTimeoutSeconds?: string;
}

/** Registers `agent-runner enqueue` (issue "From CI"); sets the exit code through `io`. */
export function enqueueCommand(program: Command, io: Partial<CommandIo> = {}): Command {
  const cmd = program
    .command('enqueue')
    .description("pack the working tree (or name a repository), send the task to the stack's queue and print its id; --wait follows it")
    .option('--prompt <text>', 'what to do')
    .option('--prompt-file <file>', 'read the prompt from a file (- reads stdin)')
    .option('--workspace <dir>', 'the working tree to pack (and to apply the diff to)', '.')
    .option('--repo <url>', 'a git repository (https) as the source instead of the working tree')
    .option('--ref <ref>', 'the branch, tag or commit of --repo')
    .option('--github <owner/repo@ref>', 'a GitHub repository as the source')
    .option('--model <id>', 'model or inference-profile id')
    .option('--profile <name>', 'configuration profile of the stack')
    .option('--max-turns <n>', 'at most N model calls')
    .option('--max-cost-usd <x>', 'stop when the model cost reaches X USD')
    .option('--timeout-seconds <s>', 'wall-time limit of the task')
    .option('--task-id <id>', 'the task id ([A-Za-z0-9_-]{1,64}; default: generated)')
    .option('--wait', 'follow the task until it ends and exit with its status')
    .option('--apply', 'apply the diff of a succeeded task to the working tree (implies --wait)')
    .option('--apply-partial', 'with --apply, also apply the partial diff of a task that failed or stopped at a limit')
    .option('--out <dir>', 'download the artifacts to DIR/<taskId>/ (implies --wait)')
    .option('--json', 'print one JSON object on stdout: {taskId, queueUrl, bucket, inputKey[, viewUrl][, result]}')
    .option('--max-upload-mb <n>', 'refuse a packed working tree above N MB (default 200, or AGENT_RUNNER_MAX_UPLOAD_MB)')
    .option('--start-timeout-seconds <s>', 'with --wait: how long to wait for a worker to start the task (default 900)');
  addStackOptions(cmd);
  cmd.action(remoteAction(io, (full, signal, opts: EnqueueOptions) => enqueueAction(opts, full, signal)));
  return cmd;
}

async function enqueueAction(opts: EnqueueOptions, io: CommandIo, signal: AbortSignal): Promise<number> {
  const prompt = await readPrompt({ prompt: opts.prompt, promptFile: opts.promptFile, stdin: () => process.stdin });
  const limits = {
    maxTurns: optionalNumber(opts.maxTurns, '--max-turns', true),
    maxCostUsd: optionalNumber(opts.maxCostUsd, '--max-cost-usd', false),
    timeoutSeconds: optionalNumber(opts.timeoutSeconds, '--timeout-seconds', true),
  };
  const maxUploadMb = optionalNumber(opts.maxUploadMb ?? io.env.AGENT_RUNNER_MAX_UPLOAD_MB, '--max-upload-mb', false) ?? 200;
  const startTimeout = optionalNumber(opts.startTimeoutSeconds, '--start-timeout-seconds', false);
  if (opts.applyPartial && !opts.apply) throw new UsageError('--apply-partial goes with --apply');
  const wait = !!(opts.wait || opts.apply || opts.out);
  const remoteSource = sourceFromFlags(opts);
  const workspace = remoteSource && !opts.apply ? undefined : checkWorkspace(opts.workspace);
  const out = opts.out ? checkOut(opts.out, workspace) : undefined;
  const taskId = opts.taskId !== undefined ? checkTaskId(opts.taskId) : newTaskId(io.now());

  const remote = await openRemote(opts, io, true);
  const { queueUrl, bucket } = remote.stack;
  const key = remoteSource ? undefined : inputKey(taskId);
  const source: RemoteSource = remoteSource ?? { s3: { bucket, key: key as string } };
  const message = { ...buildTaskMessage({ taskId, prompt, source, model: opts.model, profile: opts.profile, limits }), taskId };
  // A caller that may not read the ledger still sends: the worker checks the budget when the task starts.
  const refusal = await budgetRefusal(remote, 'github' in source ? source.github : undefined, io.now()).catch((err: unknown) => {
    io.stderr.write(`agent-runner: could not read the spend ledger (${((err as Error)?.message ?? String(err)).split('\n')[0]}); the worker checks the budget\n`);
    return undefined;
  });
  if (refusal) {
    io.stderr.write(`agent-runner: task not enqueued: ${refusal}\n`);
    return EXIT.limit_reached;
  }

  if (key && workspace) await packAndUpload(remote, workspace, key, maxUploadMb, io, signal);
  try {
    await sendTask(remote.clients.sqs, queueUrl, message);
  } catch (err) {
    if (key) await deleteQuietly(remote.clients.s3, bucket, key);
    throw err;
  }
  if (!opts.json) io.stdout.write(`${taskId}\n`);
  io.stderr.write(`enqueued task ${taskId}${wait ? '' : ` (follow it with: agent-runner watch ${taskId})`}\n`);
  const viewUrl = await printViewLink(remote.stack, taskId, { env: io.env, now: io.now, err: io.stderr });
  const summary = { taskId, queueUrl, bucket, ...(key ? { inputKey: key } : {}), ...(viewUrl ? { viewUrl } : {}) };
  if (!wait) {
    if (opts.json) io.stdout.write(`${JSON.stringify(summary)}\n`);
    return EXIT.succeeded;
  }
  const result = await followWithRenderer(remote, taskId, io, signal, { json: false, startTimeoutMs: startTimeout === undefined ? undefined : startTimeout * 1000 });
  await finishTask(remote.store, result, { out, applyTo: opts.apply ? workspace : undefined, applyPartial: opts.applyPartial, err: io.stderr });
  if (opts.json) io.stdout.write(`${JSON.stringify({ ...summary, result })}\n`);
  return exitCodeFor(result.status);
}

async function packAndUpload(remote: Remote, workspace: string, key: string, maxUploadMb: number, io: CommandIo, signal: AbortSignal): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-runner-pack-'));
  try {
    const packed = await packWorkspace(workspace, { outFile: path.join(tmp, 'input.tar.gz'), maxBytes: Math.floor(maxUploadMb * 1024 * 1024), signal });
    const progress = createUploadProgress({ err: io.stderr, tty: !!io.stderr.isTTY, label: 'uploading' });
    const up = await uploadFile({ s3: remote.clients.s3, bucket: remote.stack.bucket, key, file: packed.file, signal, onProgress: (l, t) => progress.update(l, t) });
    progress.done(`uploaded ${plural(packed.files, 'file')} (${formatBytes(up.bytes)}) to s3://${remote.stack.bucket}/${key}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function sourceFromFlags(opts: EnqueueOptions): RemoteSource | undefined {
  if (opts.repo && opts.github) throw new UsageError('give at most one of --repo and --github');
  if (opts.ref && !opts.repo) throw new UsageError('--ref goes with --repo (for --github write owner/repo@ref)');
  if (opts.repo) return { git: opts.ref ? { url: opts.repo, ref: opts.ref } : { url: opts.repo } };
  if (opts.github) {
    try {
      return { github: parseGithubSpec(opts.github) };
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  return undefined;
}

function optionalNumber(v: string | undefined, flag: string, integer: boolean): number | undefined {
  return v === undefined ? undefined : (integer ? positiveInt : positiveNumber)(flag)(v);
}
