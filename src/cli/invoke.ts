import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { checkAwsAccess, type AwsConfigResolvers } from '../client/aws-checks.ts';
import { isLoopback } from '../client/index.ts';
import {
  callerCredentials,
  callerRegion,
  describeFunctionError,
  dockerClientEnv,
  endpointVariables,
  findTemplateFunction,
  functionConfig,
  FunctionLogWatch,
  loadBuildScript,
  LocalResponseStream,
  LocalRuntimeError,
  passThroughVariables,
  prepareLocalFunction,
  unreachableEndpoints,
  type CallerCredentials,
  type LocalInvocation,
} from '../local/index.ts';
import { UsageError } from './errors.ts';
import { finishedTasks, withNewTaskIds } from './invoke-event.ts';
import { projectRoot } from './project-root.ts';

/** The repository root (where template.yaml, scripts/ and dist/ are). */
export const PROJECT_ROOT = projectRoot(import.meta.url);

/** Lambda's region when neither AWS_REGION nor AWS_DEFAULT_REGION (nor --region, nor the profile) says one. */
const DEFAULT_REGION = 'us-east-1';

interface InvokeOptions {
  envVars?: string;
  timeout?: string;
  build?: boolean;
  image?: string;
  region?: string;
  newTaskId?: boolean;
}

export interface InvokeIo {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  cwd: string;
  root?: string;
  /** The credentials the function's SDK clients would find (default: an S3 client's, from the environment). */
  awsConfig?: () => Promise<Pick<AwsConfigResolvers, 'credentials'>>;
}

/** Registers `agent-runner invoke <function> <event.json>` (the lead adds it to main.ts). */
export function invokeCommand(program: Command): void {
  program
    .command('invoke')
    .description('run a function once on an event as Lambda would: the built bundle under the official Runtime Interface Client, or the worker image (--image), against a local Runtime API')
    .argument('<function>', 'worker, progress, webhook, publisher (or the template\'s logical id, e.g. Worker)')
    .argument('<event>', 'the event JSON file (e.g. events/worker-sqs.json); - reads stdin')
    .option('--env-vars <file>', 'the function\'s variables in `sam local invoke --env-vars` form ({"Parameters": {...}, "<LogicalId>": {...}})')
    .option('--timeout <seconds>', "the function's timeout (default: the template's)")
    .option('--region <region>', 'AWS_REGION for the function (default: yours, else us-east-1)')
    .option('--image <tag>', 'run this container image (built from image/Dockerfile) instead of the zip bundle')
    .option('--new-task-id', 'give each SQS record of the event a fresh task id (and message id), so a sample event runs again')
    .option('--build', 'build the bundle first')
    .action(async (fn: string, eventPath: string, opts: InvokeOptions) => {
      process.exitCode = await invokeAction(fn, eventPath, opts, { env: process.env, stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() });
    });
}

/**
 * Runs a function once as Lambda would: Lambda's variables (region, name, memory, log group, the
 * caller's credentials in place of the role's), the template's and `--env-vars`' variables, the
 * bundle under aws-lambda-ric (or the image), a local Runtime API. The response goes to stdout
 * (a stream as it is written, its status and headers on stderr), the function's logs to stderr.
 * Resolves to 0; 1 when the function failed (an error, a timeout, a message it reports failed);
 * throws UsageError (exit 2) when it cannot run, with one line saying why.
 */
export async function invokeAction(fn: string, eventPath: string, opts: InvokeOptions, io: InvokeIo): Promise<number> {
  const root = io.root ?? PROJECT_ROOT;
  const script = await loadBuildScript(root);
  const template = script.parseTemplate(fs.readFileSync(path.join(root, 'template.yaml'), 'utf8'));
  const name = resolveFunctionName(fn, root, script.templateFunctions(template).map((f) => ({ logicalId: f.logicalId, entries: f.props.EntryPoints ?? [] })));
  const logicalId = findTemplateFunction(script, template, name)?.logicalId ?? name.charAt(0).toUpperCase() + name.slice(1);
  const config = functionConfig(template, logicalId);
  let event = readJson(eventPath === '-' ? 0 : path.resolve(io.cwd, eventPath), eventPath);
  if (opts.newTaskId) {
    const renamed = withNewTaskIds(event);
    event = renamed.event;
    for (const id of renamed.taskIds) io.stderr.write(`task: ${id}\n`);
  }
  const timeoutS = opts.timeout !== undefined ? Number(opts.timeout) : config.timeoutS;
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new UsageError(`--timeout must be a positive number of seconds, got ${opts.timeout}`);
  const variables = { ...config.variables, ...passThroughVariables(io.env) };
  const where = opts.image ? "the container uses this host's network" : 'the bundle runs on this host';
  if (opts.envVars) Object.assign(variables, envVarsFor(readJson(path.resolve(io.cwd, opts.envVars), opts.envVars), logicalId, io.stderr, where));

  let region = opts.region ?? (io.env.AWS_REGION?.trim() || io.env.AWS_DEFAULT_REGION?.trim() || (await callerRegion()));
  if (!region) {
    io.stderr.write(`note: AWS_REGION is not set: ${logicalId} runs in ${DEFAULT_REGION} (Lambda always sets the function's region; set AWS_REGION for another)\n`);
    region = DEFAULT_REGION;
  }
  const credentials = await accessFor(logicalId, region, variables, opts, io);
  if (name === 'worker') {
    for (const id of await finishedTasks(event, resultLookup(variables, region, credentials))) {
      io.stderr.write(`note: task ${id} already has a result, so the worker will not run it again (--new-task-id gives the event a fresh task id)\n`);
    }
  }
  if (opts.build && !opts.image) await script.buildFunctions({ root, names: [name], log: (l) => void io.stderr.write(`${l}\n`) });

  const logs = new FunctionLogWatch(io.stderr as unknown as import('node:stream').Writable);
  let prepared;
  try {
    prepared = await prepareLocalFunction({
      root,
      name,
      config,
      region,
      credentials,
      variables,
      ...(opts.image ? { image: opts.image, dockerEnv: dockerClientEnv(io.env) } : {}),
      ...(io.env.AGENT_RUNNER_RIC_DIR ? { ricDir: io.env.AGENT_RUNNER_RIC_DIR } : {}),
      timeoutMs: timeoutS * 1000,
      output: logs,
      clock: Date.now,
    });
  } catch (err) {
    if (err instanceof LocalRuntimeError) throw new UsageError(`${logicalId} cannot run: ${err.message}`, { cause: err });
    throw err;
  }
  for (const k of prepared.dropped) io.stderr.write(`note: ${k} is reserved by Lambda; the value in --env-vars is ignored\n`);

  const stream = new LocalResponseStream();
  stream.on('prelude', (p: { statusCode?: number; headers?: Record<string, string> } | undefined) => {
    if (p) io.stderr.write(`HTTP ${p.statusCode ?? 200} ${JSON.stringify(p.headers ?? {})}\n`);
  });
  stream.on('body', (chunk: Buffer) => io.stdout.write(chunk));
  const local = prepared.create();
  let out: LocalInvocation;
  try {
    out = await local.invoke(event, { stream });
  } finally {
    await local.stop();
  }
  return report(out, event, logicalId, logs, io);
}

/** Prints the outcome; the exit code. */
function report(out: LocalInvocation, event: unknown, logicalId: string, logs: FunctionLogWatch, io: InvokeIo): number {
  if (out.kind === 'error') {
    const line = `${logicalId} ${out.phase === 'init' ? 'failed to initialise' : 'failed'}: ${describeFunctionError(out.error)}`;
    if (out.phase === 'init') throw new UsageError(`${line} (it cannot run with this configuration)`);
    io.stderr.write(`agent-runner: ${line}\n`);
    return 1;
  }
  if (out.streaming) {
    if (out.error) {
      io.stderr.write(`agent-runner: ${logicalId} failed while streaming: ${describeFunctionError(out.error)}\n`);
      return 1;
    }
    return 0;
  }
  io.stdout.write(`${JSON.stringify(out.payload ?? null, null, 2)}\n`);
  const failed = (out.payload as { batchItemFailures?: unknown } | null)?.batchItemFailures;
  const n = Array.isArray(failed) ? failed.length : 0;
  if (n > 0) {
    const records = Array.isArray((event as { Records?: unknown })?.Records) ? (event as { Records: unknown[] }).Records.length : n;
    const why = logs.problems.length > 0 ? `the ERROR log line${n === 1 ? '' : 's'} above say${n === 1 ? 's' : ''} why` : 'its log above says why';
    io.stderr.write(`agent-runner: ${logicalId} reported ${n} of ${records} message${records === 1 ? '' : 's'} failed (Lambda would deliver ${n === 1 ? 'it' : 'them'} again): ${why}\n`);
    return 1;
  }
  return 0;
}

/**
 * The caller's credentials for the function, after refusing (one line) what would keep it from
 * running: an unknown region, no credentials, a local endpoint (`AWS_ENDPOINT_URL_*` on
 * loopback) nothing listens on.
 */
async function accessFor(logicalId: string, region: string, variables: Record<string, string>, opts: InvokeOptions, io: InvokeIo): Promise<CallerCredentials> {
  const cannotRun = (why: string) => new UsageError(`${logicalId} cannot run: ${why}`);
  const local = isLoopback(variables.AWS_ENDPOINT_URL_S3 ?? variables.AWS_ENDPOINT_URL ?? '');
  const sdk = io.awsConfig ? await io.awsConfig() : new S3Client({ region }).config;
  try {
    await checkAwsAccess({ region: async () => region, credentials: () => sdk.credentials() }, io.env, { regionHint: 'set AWS_REGION', ...(opts.region ? { regionFrom: '--region' } : {}) });
  } catch (err) {
    const message = (err as Error).message;
    throw cannotRun(`${message}${local && /^no AWS credentials/.test(message) ? ' (the local S3 and SQS take any keys, e.g. AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test)' : ''}`);
  }
  const [down] = await unreachableEndpoints(endpointVariables(variables, isLoopback));
  if (down) {
    const from = opts.envVars ? ` (from ${opts.envVars} or the environment)` : '';
    throw cannotRun(`nothing listens at ${down.url}, ${down.variable}${from}: start it first (\`agent-runner dev\` serves S3 and SQS at http://127.0.0.1:4566) or point ${down.variable} elsewhere`);
  }
  const credentials = await callerCredentials(region);
  if (!credentials) throw cannotRun('no AWS credentials found: configure them with `aws configure`, AWS_PROFILE or the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY variables');
  return credentials;
}

/**
 * Whether a task has a result in the function's artifact bucket, asked as the function would
 * (its bucket and S3 endpoint, the caller's credentials), within a couple of seconds.
 */
function resultLookup(variables: Record<string, string>, region: string, credentials: CallerCredentials) {
  const bucket = variables.ARTIFACT_BUCKET;
  const endpoint = variables.AWS_ENDPOINT_URL_S3 ?? variables.AWS_ENDPOINT_URL;
  return async (taskId: string): Promise<boolean> => {
    if (!bucket) return false;
    const s3 = new S3Client({ region, credentials, maxAttempts: 1, ...(endpoint ? { endpoint, forcePathStyle: true } : {}) });
    try {
      await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `tasks/${taskId}/result.json` }), { abortSignal: AbortSignal.timeout(3000) });
      return true;
    } catch {
      return false;
    } finally {
      s3.destroy();
    }
  };
}

/** `worker`, `Worker`, `functions/worker.ts` → `worker` (a file under functions/). */
function resolveFunctionName(fn: string, root: string, fns: { logicalId: string; entries: string[] }[]): string {
  const available = fs
    .readdirSync(path.join(root, 'functions'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => f.slice(0, -3));
  const byLogical = fns.find((f) => f.logicalId === fn);
  const fromLogical = byLogical?.entries[0] ? path.basename(byLogical.entries[0]).replace(/\.ts$/, '') : undefined;
  const candidate = fromLogical ?? path.basename(fn).replace(/\.(ts|mjs|js)$/, '').toLowerCase();
  if (!available.includes(candidate)) throw new UsageError(`unknown function ${fn}; one of: ${available.join(', ')}`);
  return candidate;
}

function readJson(file: string | 0, shown: string): any {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${shown}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${shown} is not JSON: ${(err as Error).message}`);
  }
}

/**
 * A SAM env-vars file's variables for a function: `Parameters` for every function, then the
 * function's own section. `host.docker.internal` (what a SAM container needs to reach the host)
 * becomes 127.0.0.1: the bundle runs on this host, and the image with the host's network.
 */
export function envVarsFor(vars: unknown, logicalId: string, stderr: NodeJS.WritableStream, where = 'the bundle runs on this host'): Record<string, string> {
  if (typeof vars !== 'object' || vars === null) throw new UsageError('--env-vars must hold a JSON object');
  const v = vars as Record<string, unknown>;
  const sections = [v.Parameters, v[logicalId]].filter((s): s is Record<string, unknown> => typeof s === 'object' && s !== null);
  const out: Record<string, string> = {};
  let rewrote = false;
  for (const section of sections) {
    for (const [k, raw] of Object.entries(section)) {
      if (raw === null || typeof raw === 'object') continue;
      let value = String(raw);
      if (value.includes('host.docker.internal')) {
        value = value.replaceAll('host.docker.internal', '127.0.0.1');
        rewrote = true;
      }
      out[k] = value;
    }
  }
  if (rewrote) stderr.write(`note: host.docker.internal in --env-vars points at 127.0.0.1 (${where})\n`);
  return out;
}
