import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { callerCredentials, dockerClientEnv, findTemplateFunction, functionConfig, loadBuildScript, passThroughVariables, startDevStack, type DevStack } from '../local/index.ts';
import type { Log } from '../observability/logger.ts';
import { UsageError } from './errors.ts';
import { envVarsFor, PROJECT_ROOT } from './invoke.ts';

interface DevOptions {
  port: number;
  progressPort: number;
  viewPort: number;
  bucket: string;
  queue: string;
  region?: string;
  batchSize: number;
  maxConcurrency: number;
  maxReceiveCount: number;
  visibilityTimeout: number;
  timeout: number;
  build: boolean;
  verbose?: boolean;
  image?: string;
  envVars?: string;
}

const int = (name: string, min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be an integer >= ${min}, got ${v}`);
  return n;
};

/** Registers `agent-runner dev` (the lead adds it to main.ts). */
export function devCommand(program: Command): void {
  program
    .command('dev')
    .description('run the stack on this machine: fauxqs for S3 and SQS, the worker fed from the queue, the progress function on a local port')
    .addOption(new Option('--port <n>', 'S3/SQS emulator port').default(4566).argParser(int('--port', 0)))
    .addOption(new Option('--progress-port <n>', 'progress function port').default(9001).argParser(int('--progress-port', 0)))
    .addOption(new Option('--view-port <n>', 'watch page (view function) port').default(9002).argParser(int('--view-port', 0)))
    .option('--bucket <name>', 'artifact bucket', 'agent-runner-local')
    .option('--queue <name>', 'task queue name (its dead-letter queue is <name>-dlq)', 'agent-runner-tasks')
    .option('--region <region>', 'region (default AWS_REGION or us-east-1)')
    .addOption(new Option('--batch-size <n>', 'messages per worker invocation').default(1).argParser(int('--batch-size', 1)))
    .addOption(new Option('--max-concurrency <n>', 'worker invocations at once').default(2).argParser(int('--max-concurrency', 1)))
    .addOption(new Option('--max-receive-count <n>', 'deliveries before the dead-letter queue').default(3).argParser(int('--max-receive-count', 1)))
    .addOption(new Option('--visibility-timeout <s>', 'queue visibility timeout; a failed message reappears after it').default(5400).argParser(int('--visibility-timeout', 1)))
    .addOption(new Option('--timeout <s>', "the worker's timeout").default(900).argParser(int('--timeout', 1)))
    .option('--image <tag>', 'run the worker from this container image (built from image/Dockerfile) instead of its bundle')
    .option('--env-vars <file>', 'the functions\' variables in `sam local invoke --env-vars` form')
    .option('--no-build', 'use the bundles in dist/ as they are')
    .option('--verbose', 'log queue and function faults')
    .action(async (opts: DevOptions) => {
      process.exitCode = await devAction(opts);
    });
}

async function devAction(opts: DevOptions): Promise<number> {
  const err = process.stderr;
  const region = opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  process.env.AWS_REGION = region;
  if (opts.visibilityTimeout < opts.timeout) {
    err.write(`warning: --visibility-timeout ${opts.visibilityTimeout} is below the worker's --timeout ${opts.timeout}: a long task may be delivered twice\n`);
  }
  let credentials = await callerCredentials(region);
  if (!credentials) {
    // fauxqs accepts any keys; Bedrock calls then need AWS_ENDPOINT_URL_BEDROCK_RUNTIME to point at a fake.
    credentials = { accessKeyId: 'AKIDLOCALDEV', secretAccessKey: 'local-dev-secret' };
    err.write('note: no AWS credentials found; the functions get fake keys (fine for the emulators, not for Bedrock)\n');
  }
  // The progress URL checks signatures as IAM auth does. It accepts this process's credentials
  // and a key pair of this stack's own, printed below for shells whose credentials differ
  // (temporary ones are new in every process). Both are good for this loopback stack only.
  const local = { accessKeyId: `AKIDDEV${randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(30).toString('base64') };
  const script = await loadBuildScript(PROJECT_ROOT);
  if (opts.build) await script.buildFunctions({ root: PROJECT_ROOT, names: ['worker', 'progress', 'view'], log: (l) => void err.write(`${l}\n`) });
  const template = script.parseTemplate(fs.readFileSync(path.join(PROJECT_ROOT, 'template.yaml'), 'utf8'));
  const configOf = (name: string) => functionConfig(template, findTemplateFunction(script, template, name)?.logicalId ?? name);
  const worker = { ...configOf('worker'), timeoutS: opts.timeout };
  const variables = passThroughVariables(process.env);
  if (opts.envVars) {
    const file = JSON.parse(fs.readFileSync(path.resolve(opts.envVars), 'utf8')) as unknown;
    Object.assign(variables, envVarsFor(file, worker.logicalId, err));
  }
  const log = consoleLog(!!opts.verbose);
  let stack: DevStack;
  try {
    stack = await startDevStack({
      root: PROJECT_ROOT,
      distDir: path.join(PROJECT_ROOT, 'dist'),
      port: opts.port,
      progressPort: opts.progressPort,
      viewPort: opts.viewPort,
      viewKey: process.env.AGENT_RUNNER_VIEW_SECRET || undefined,
      bucket: opts.bucket,
      queueName: opts.queue,
      region,
      batchSize: opts.batchSize,
      maxConcurrency: opts.maxConcurrency,
      maxReceiveCount: opts.maxReceiveCount,
      visibilityTimeoutSeconds: opts.visibilityTimeout,
      worker,
      progress: configOf('progress'),
      view: configOf('view'),
      variables,
      credentials,
      ...(opts.image ? { workerImage: opts.image, dockerEnv: dockerClientEnv(process.env) } : {}),
      ...(process.env.AGENT_RUNNER_RIC_DIR ? { ricDir: process.env.AGENT_RUNNER_RIC_DIR } : {}),
      output: process.stderr,
      clock: Date.now,
      log,
      progressCredentials: [credentials, local],
    });
  } catch (e) {
    throw new UsageError(`cannot start the local stack: ${(e as Error).message}`, { cause: e });
  }
  err.write(`agent-runner dev: S3 (conditional writes enforced) at ${stack.s3Endpoint}, SQS at ${stack.endpoint}, progress (SigV4-checked) at ${stack.progressUrl}, watch pages at ${stack.viewUrl}\n`);
  err.write(`dead-letter queue: ${stack.dlqUrl}\nIn another shell (the keys are this local stack's own, for its progress URL):\n`);
  const exports = { ...stack.env, AWS_ACCESS_KEY_ID: local.accessKeyId, AWS_SECRET_ACCESS_KEY: local.secretAccessKey };
  for (const [k, v] of Object.entries(exports)) process.stdout.write(`export ${k}=${v}\n`);
  err.write('Press Ctrl-C to stop.\n');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  err.write('stopping...\n');
  await stack.stop();
  return 0;
}

function consoleLog(verbose: boolean): Log {
  const line = (level: string) => (message: string, extra?: Record<string, unknown>) => {
    if (verbose || level === 'error') process.stderr.write(`[dev] ${level}: ${message}${extra ? ` ${JSON.stringify(extra)}` : ''}\n`);
  };
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error'), appendKeys: () => undefined, removeKeys: () => undefined };
}
