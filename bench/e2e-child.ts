/**
 * One task end to end in this (fresh) process, for bench/e2e.ts: fauxqs, the fake Bedrock and the
 * dev stack (the built worker fed from the queue, the built progress function behind a local
 * function URL); the client packs a small project, uploads it, sends the task, follows its
 * events and downloads its artifacts. Prints phase times and the process's peak RSS as JSON.
 * argv: the folder of the built bundles, a scratch folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  buildTaskMessage,
  createAwsClients,
  createSigV4Signer,
  downloadArtifacts,
  followTaskEvents,
  packWorkspace,
  sendTask,
  uploadFile,
} from '../src/client/index.ts';
import { functionConfig, loadBuildScript, startDevStack } from '../src/local/index.ts';
import { silentLog } from '../src/observability/index.ts';
import { S3ArtifactStore } from '../src/store/index.ts';
import { startFakeBedrock, text, toolUse } from '../test/support/fake-bedrock.ts';
import { FAKE_CREDENTIALS, REGION } from '../test/support/fauxqs.ts';
import { MODEL_ID } from './loop-overhead.ts';
import { writeSmallRepo } from './workspace.ts';
import { peakRssKb } from './peak-rss.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const [distDir, scratch] = process.argv.slice(2);
const ws = path.join(scratch, 'ws');
fs.mkdirSync(ws, { recursive: true });
writeSmallRepo(ws);
const fake = await startFakeBedrock({
  script: [
    [text('Looking around.'), toolUse('tooluse_1', 'list_files', {})],
    [text('Reading the README.'), toolUse('tooluse_2', 'read_file', { path: 'README.md' })],
    [text('Editing it.'), toolUse('tooluse_3', 'edit_file', { path: 'README.md', old_string: '# sample', new_string: '# sample (edited)' })],
    [text('Done: the README has a new title.')],
  ],
});
// The functions run as Lambda runs them (under the RIC, in child processes): these are their variables.
const functionVariables = {
  AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url,
  MODEL_ID,
  TMPDIR: scratch,
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
  AWS_LAMBDA_LOG_LEVEL: 'ERROR',
};
Object.assign(process.env, {
  AWS_REGION: REGION,
  AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
  AWS_CONFIG_FILE: path.join(scratch, 'no-aws-config'),
  AWS_SHARED_CREDENTIALS_FILE: path.join(scratch, 'no-aws-credentials'),
  ...functionVariables,
});
delete process.env.AWS_PROFILE;
const template = (await loadBuildScript(ROOT)).parseTemplate(fs.readFileSync(path.join(ROOT, 'template.yaml'), 'utf8'));
const stack = await startDevStack({
  root: ROOT,
  distDir,
  port: 0,
  progressPort: 0,
  bucket: 'agent-runner-artifacts',
  queueName: 'agent-runner-tasks',
  region: REGION,
  batchSize: 1,
  maxConcurrency: 1,
  maxReceiveCount: 3,
  visibilityTimeoutSeconds: 5400,
  worker: functionConfig(template, 'Worker'),
  progress: functionConfig(template, 'Progress'),
  view: functionConfig(template, 'View'),
  variables: functionVariables,
  credentials: FAKE_CREDENTIALS,
  output: process.stderr,
  clock: Date.now,
  log: silentLog,
  progressCredentials: [FAKE_CREDENTIALS],
});
// The client side (this process) reaches the stack through the variables it prints.
Object.assign(process.env, stack.env);
const clients = createAwsClients(process.env);
const taskId = 'e2e-1';
const key = `inputs/${taskId}.tar.gz`;
try {
  const t0 = performance.now();
  const packed = await packWorkspace(ws, { outFile: path.join(scratch, 'input.tar.gz'), maxBytes: 200 * 1024 * 1024 });
  await uploadFile({ s3: clients.s3, bucket: stack.bucket, key, file: packed.file });
  await sendTask(clients.sqs, stack.queueUrl, { ...buildTaskMessage({ taskId, prompt: 'Give the README a new title.', source: { s3: { bucket: stack.bucket, key } } }), taskId });
  const sent = performance.now();
  let firstEvent = NaN;
  const events = followTaskEvents({
    progressUrl: stack.progressUrl,
    taskId,
    sign: createSigV4Signer({ region: REGION, credentials: async () => FAKE_CREDENTIALS }),
    notFoundPollMs: 50,
    backoffBaseMs: 20,
    startTimeoutMs: 60_000,
  });
  let next = await events.next();
  for (; !next.done; next = await events.next()) if (Number.isNaN(firstEvent)) firstEvent = performance.now();
  const result = next.value;
  const ended = performance.now();
  const { files } = await downloadArtifacts(new S3ArtifactStore({ client: clients.s3, bucket: stack.bucket }), taskId, path.join(scratch, 'out'));
  const done = performance.now();
  const want = ['diff.patch', 'events.ndjson', 'result.json', 'task.json', 'transcript.json'];
  if (result.status !== 'succeeded' || result.diff.files !== 1 || want.some((f) => !files.includes(f))) {
    throw new Error(`the task ended ${result.status} with ${result.diff.files} files changed and artifacts ${files.join(', ')}`);
  }
  process.stdout.write(
    `${JSON.stringify({ wallMs: done - t0, enqueueMs: sent - t0, startMs: firstEvent - sent, runMs: ended - firstEvent, downloadMs: done - ended, maxRssKb: peakRssKb() })}\n`,
  );
} finally {
  clients.s3.destroy();
  clients.sqs.destroy();
  clients.cloudFormation.destroy();
  await stack.stop();
  await fake.close();
}
