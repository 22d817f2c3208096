import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { checkAwsAccess, type AwsConfigResolvers } from '../client/aws-checks.ts';
import { isLoopback } from '../client/index.ts';
import { endpointVariables, findTemplateFunction, invokeBundle, lambdaEnvironment, loadBuildScript, LocalResponseStream, unreachableEndpoints } from '../local/index.ts';
import { UsageError } from './errors.ts';
import { projectRoot } from './project-root.ts';

/** The repository root (where template.yaml, scripts/ and dist/ are). */
export const PROJECT_ROOT = projectRoot(import.meta.url);

interface InvokeOptions {
  envVars?: string;
  timeout?: string;
  build?: boolean;
}

export interface InvokeIo {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  cwd: string;
  root?: string;
  /** The region and credentials the function's SDK clients would find (default: an S3 client's, from the environment). */
  awsConfig?: () => Promise<AwsConfigResolvers>;
}

/** Lambda's region when neither AWS_REGION nor AWS_DEFAULT_REGION says one. */
const DEFAULT_REGION = 'us-east-1';

/** Registers `agent-runner invoke <function> <event.json>` (the lead adds it to main.ts). */
export function invokeCommand(program: Command): void {
  program
    .command('invoke')
    .description('run a built function bundle (dist/<function>/index.mjs) once on an event, as Lambda would')
    .argument('<function>', 'worker, progress, webhook, publisher (or the template\'s logical id, e.g. Worker)')
    .argument('<event>', 'the event JSON file (e.g. events/worker-sqs.json); - reads stdin')
    .option('--env-vars <file>', 'environment variables in `sam local invoke --env-vars` form ({"Parameters": {...}, "<LogicalId>": {...}})')
    .option('--timeout <seconds>', "the function's timeout (default: the template's)")
    .option('--build', 'build the bundle first')
    .action(async (fn: string, eventPath: string, opts: InvokeOptions) => {
      process.exitCode = await invokeAction(fn, eventPath, opts, { env: process.env, stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() });
    });
}

/**
 * Runs `dist/<fn>/index.mjs` in this process with the environment (plus `--env-vars`), a
 * Lambda-like context and, for streaming functions, a local `awslambda` global whose response
 * stream is printed as it is written (status and headers on stderr, body on stdout). A buffered
 * result is printed as JSON. The environment gets what Lambda sets (region, function name, ...);
 * what would keep the function from running (no credentials, an unknown region, a local endpoint
 * nothing listens on) is a UsageError first. Resolves to the exit code: 0, or 1 when the handler
 * threw or reported failed messages (`batchItemFailures`).
 */
export async function invokeAction(fn: string, eventPath: string, opts: InvokeOptions, io: InvokeIo): Promise<number> {
  const root = io.root ?? PROJECT_ROOT;
  const script = await loadBuildScript(root);
  const template = script.parseTemplate(fs.readFileSync(path.join(root, 'template.yaml'), 'utf8'));
  const name = resolveFunctionName(fn, root, script.templateFunctions(template).map((f) => ({ logicalId: f.logicalId, entries: f.props.EntryPoints ?? [] })));
  const tf = findTemplateFunction(script, template, name);
  const logicalId = tf?.logicalId ?? name.charAt(0).toUpperCase() + name.slice(1);
  if (opts.build) await script.buildFunctions({ root, names: [name], log: (l) => void io.stderr.write(`${l}\n`) });
  const bundlePath = path.join(root, 'dist', name, 'index.mjs');
  if (!fs.existsSync(bundlePath)) throw new UsageError(`${path.relative(io.cwd, bundlePath)} does not exist: run \`npm run build\` first (or pass --build)`);

  const event = readJson(eventPath === '-' ? 0 : path.resolve(io.cwd, eventPath), eventPath);
  if (opts.envVars) applyEnvVars(readJson(path.resolve(io.cwd, opts.envVars), opts.envVars), logicalId, io.env, io.stderr);
  const props = (template.Resources?.[logicalId]?.Properties ?? {}) as { Timeout?: unknown; MemorySize?: unknown };
  const globals = (template.Globals?.Function ?? {}) as { Timeout?: unknown; MemorySize?: unknown };
  const timeoutS = opts.timeout !== undefined ? Number(opts.timeout) : Number(props.Timeout ?? globals.Timeout ?? 3);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new UsageError(`--timeout must be a positive number of seconds, got ${opts.timeout}`);
  const memory = props.MemorySize ?? globals.MemorySize;
  const memoryMb = typeof memory === 'number' ? memory : undefined;
  await prepareEnvironment(logicalId, memoryMb, opts, io);

  const stream = new LocalResponseStream();
  stream.on('prelude', (p: { statusCode?: number; headers?: Record<string, string> } | undefined) => {
    if (p) io.stderr.write(`HTTP ${p.statusCode ?? 200} ${JSON.stringify(p.headers ?? {})}\n`);
  });
  stream.on('body', (chunk: Buffer) => io.stdout.write(chunk));
  try {
    const out = await invokeBundle({
      bundlePath,
      event,
      functionName: logicalId,
      timeoutMs: timeoutS * 1000,
      memoryMb,
      region: io.env.AWS_REGION,
      clock: Date.now,
      stream,
    });
    if (!out.streaming) io.stdout.write(`${JSON.stringify(out.result ?? null, null, 2)}\n`);
    else if (!out.wroteBeforeEnd) io.stderr.write('warning: the handler ended its response stream without writing\n');
    const failed = out.streaming ? 0 : failedMessages(out.result);
    if (failed > 0) {
      const records = Array.isArray((event as { Records?: unknown })?.Records) ? (event as { Records: unknown[] }).Records.length : failed;
      io.stderr.write(`agent-runner: ${logicalId} reported ${failed} of ${records} message${records === 1 ? '' : 's'} failed (Lambda would deliver ${failed === 1 ? 'it' : 'them'} again): the ERROR log line${failed === 1 ? '' : 's'} above say${failed === 1 ? 's' : ''} why\n`);
      return 1;
    }
    return 0;
  } catch (err) {
    io.stderr.write(`agent-runner: ${logicalId} failed: ${(err as Error)?.stack ?? String(err)}\n`);
    return 1;
  }
}

/**
 * Sets what Lambda sets (`lambdaEnvironment`) over the caller's environment and the env-vars
 * file, then refuses, as one line, what would keep the function from running: an unknown region,
 * no credentials, a local endpoint (`AWS_ENDPOINT_URL_*` on loopback) nothing listens on.
 */
async function prepareEnvironment(logicalId: string, memoryMb: number | undefined, opts: InvokeOptions, io: InvokeIo): Promise<void> {
  const region = io.env.AWS_REGION?.trim() || io.env.AWS_DEFAULT_REGION?.trim();
  if (!region) io.stderr.write(`note: AWS_REGION is not set: ${logicalId} runs in ${DEFAULT_REGION} (Lambda always sets the function's region; set AWS_REGION for another)\n`);
  Object.assign(io.env, lambdaEnvironment({ name: logicalId, region: region || DEFAULT_REGION, memoryMb }));
  const cannotRun = (why: string) => new UsageError(`${logicalId} cannot run: ${why}`);
  const awsConfig = io.awsConfig ?? (async () => new (await import('@aws-sdk/client-s3')).S3Client({}).config);
  try {
    await checkAwsAccess(await awsConfig(), io.env, { regionHint: 'set AWS_REGION' });
  } catch (err) {
    const message = (err as Error).message;
    const local = isLoopback(io.env.AWS_ENDPOINT_URL_S3 ?? io.env.AWS_ENDPOINT_URL ?? '') && /^no AWS credentials/.test(message);
    throw cannotRun(`${message}${local ? ' (the local S3 and SQS take any keys, e.g. AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test)' : ''}`);
  }
  const [down] = await unreachableEndpoints(endpointVariables(io.env, isLoopback));
  if (down) {
    const from = opts.envVars ? ` (from ${opts.envVars} or the environment)` : '';
    throw cannotRun(`nothing listens at ${down.url}, ${down.variable}${from}: start it first (\`agent-runner dev\` serves S3 and SQS at http://127.0.0.1:4566) or point ${down.variable} elsewhere`);
  }
}

/** How many messages a batch handler's answer (`{ batchItemFailures: [...] }`) reports failed. */
function failedMessages(result: unknown): number {
  const failures = (result as { batchItemFailures?: unknown } | null)?.batchItemFailures;
  return Array.isArray(failures) ? failures.length : 0;
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
 * Applies a SAM env-vars file: `Parameters` for every function, then the function's own section.
 * `host.docker.internal` (what a SAM container needs to reach the host) becomes 127.0.0.1, since
 * the bundle runs on the host here.
 */
export function applyEnvVars(vars: unknown, logicalId: string, env: NodeJS.ProcessEnv, stderr: NodeJS.WritableStream): void {
  if (typeof vars !== 'object' || vars === null) throw new UsageError('--env-vars must hold a JSON object');
  const v = vars as Record<string, unknown>;
  const sections = [v.Parameters, v[logicalId]].filter((s): s is Record<string, unknown> => typeof s === 'object' && s !== null);
  let rewrote = false;
  for (const section of sections) {
    for (const [k, raw] of Object.entries(section)) {
      if (raw === null || typeof raw === 'object') continue;
      let value = String(raw);
      if (value.includes('host.docker.internal')) {
        value = value.replaceAll('host.docker.internal', '127.0.0.1');
        rewrote = true;
      }
      env[k] = value;
    }
  }
  if (rewrote) stderr.write('note: host.docker.internal in --env-vars points at 127.0.0.1 (the bundle runs on this host)\n');
}
