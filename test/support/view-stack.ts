/**
 * The local stack the watch page runs on in tests and the bench: the dev stack (fauxqs, the real
 * worker bundle fed from the queue, the progress and view bundles behind local function URLs, each
 * under the official RIC), the
 * fake Bedrock playing a scripted task, and a helper to make a task's link. The caller owns
 * process.env: the returned `stop` restores it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { packWorkspace } from '../../src/client/index.ts';
import { functionConfig, loadBuildScript, startDevStack, type DevStack } from '../../src/local/index.ts';
import { silentLog } from '../../src/observability/index.ts';
import { signViewToken, viewUrl } from '../../src/view/index.ts';
import { metadata, reasoning, startFakeBedrock, text, toolUse, type FakeBedrock, type Json, type Part } from './fake-bedrock.ts';
import { FAKE_CREDENTIALS, setEnv } from './fauxqs.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const REGION = 'us-east-1';
export const VIEW_KEY = 'view-test-key-0123456789abcdefghijklmnopqrstuvwxyz';

export interface ViewStack {
  stack: DevStack;
  fake: FakeBedrock;
  s3: S3Client;
  tmpDir: string;
  /** Sends a task with `files` as its source (an s3 tarball) to the queue. */
  send(taskId: string, prompt: string, files: Record<string, string>): Promise<void>;
  /** The watch-page URL of `taskId` with a token valid for `ttlSeconds` (negative: expired). */
  link(taskId: string, ttlSeconds?: number): string;
  stop(): Promise<void>;
}

export interface ViewStackOptions {
  /** The model's turns: a part list per request, by index (see scriptedTask). */
  turns: (index: number, body: Json) => Part[] | Promise<Part[]>;
  /** How long the view and progress functions may run per request (small: streams end and resume). */
  functionTimeoutMs?: number;
  /** Bundles built already (`<distDir>/<fn>/index.mjs`); default: built here into a scratch folder. */
  distDir?: string;
}

/** Starts everything; the bundles are built first into a scratch folder. */
export async function startViewStack(opts: ViewStackOptions): Promise<ViewStack> {
  const ownBuild = opts.distDir === undefined;
  const outDir = opts.distDir ?? path.join(ROOT, 'node_modules', '.cache', 'agent-runner-tests', `view-${process.pid}-${Date.now()}`);
  if (ownBuild) await (await loadBuildScript(ROOT)).buildFunctions({ root: ROOT, outDir, names: ['worker', 'progress', 'view'], log: () => undefined });
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'view-it-'));
  const fake = await startFakeBedrock({ script: (body, index) => opts.turns(index, body) });
  const restores: (() => void)[] = [];
  // This process's clients reach the emulator with fake keys.
  restores.push(
    setEnv({
      AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      AWS_CONFIG_FILE: path.join(tmpDir, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(tmpDir, 'none'),
      AWS_EC2_METADATA_DISABLED: 'true',
    }),
  );
  let stack: DevStack | undefined;
  try {
    const template = (await loadBuildScript(ROOT)).parseTemplate(fs.readFileSync(path.join(ROOT, 'template.yaml'), 'utf8'));
    const timed = (id: string) => ({ ...functionConfig(template, id), ...(opts.functionTimeoutMs ? { timeoutS: opts.functionTimeoutMs / 1000 } : {}) });
    stack = await startDevStack({
      root: ROOT,
      distDir: outDir,
      port: 0,
      progressPort: 0,
      viewPort: 0,
      viewKey: VIEW_KEY,
      bucket: 'agent-runner-local',
      queueName: 'agent-runner-tasks',
      region: REGION,
      batchSize: 1,
      maxConcurrency: 2,
      maxReceiveCount: 2,
      visibilityTimeoutSeconds: 900,
      worker: functionConfig(template, 'Worker'),
      progress: timed('Progress'),
      view: timed('View'),
      // The functions run under the RIC in their own processes: these are their variables.
      variables: {
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url,
        MODEL_ID: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
        TMPDIR: tmpDir,
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        POWERTOOLS_METRICS_DISABLED: 'true',
        PROGRESS_POLL_MS: '100',
        PROGRESS_HEARTBEAT_MS: '2000',
      },
      credentials: FAKE_CREDENTIALS,
      output: new PassThrough().resume(),
      waitTimeSeconds: 1,
      clock: Date.now,
      log: silentLog,
      progressCredentials: [FAKE_CREDENTIALS],
    });
  } catch (err) {
    for (const r of restores.reverse()) r();
    await fake.close();
    throw err;
  }
  const s = stack;
  const s3 = new S3Client({ region: REGION, endpoint: s.endpoint, forcePathStyle: true, credentials: FAKE_CREDENTIALS });
  const sqs = new SQSClient({ region: REGION, endpoint: s.endpoint, credentials: FAKE_CREDENTIALS });
  return {
    stack: s,
    fake,
    s3,
    tmpDir,
    async send(taskId, prompt, files) {
      const ws = fs.mkdtempSync(path.join(tmpDir, 'src-'));
      for (const [name, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(ws, name)), { recursive: true });
        fs.writeFileSync(path.join(ws, name), content);
      }
      const packed = await packWorkspace(ws, { outFile: path.join(tmpDir, `${taskId}.tar.gz`), maxBytes: 10 * 1024 * 1024 });
      const key = `inputs/${taskId}.tar.gz`;
      await s3.send(new PutObjectCommand({ Bucket: s.bucket, Key: key, Body: fs.readFileSync(packed.file) }));
      const body = { taskId, prompt, source: { s3: { bucket: s.bucket, key } } };
      await sqs.send(new SendMessageCommand({ QueueUrl: s.queueUrl, MessageBody: JSON.stringify(body) }));
    },
    link(taskId, ttlSeconds = 3600) {
      return viewUrl(s.viewUrl, taskId, signViewToken(VIEW_KEY, taskId, Math.floor(Date.now() / 1000) + ttlSeconds));
    },
    async stop() {
      await s.stop();
      s3.destroy();
      sqs.destroy();
      await fake.close();
      for (const r of restores.reverse()) r();
      fs.rmSync(tmpDir, { recursive: true, force: true });
      if (ownBuild) fs.rmSync(outDir, { recursive: true, force: true });
    },
  };
}

/** The source the scripted task changes. */
export const SOURCE_FILES = {
  'src/app.ts': "export function greet(name: string): string {\n  // say hello\n  return 'Hello ' + name;\n}\n\nexport const answer = 41;\n",
  'README.md': '# demo\n',
};

/** What the first turn's shell command prints: markup that must show as text. */
export const HOSTILE_OUTPUT = '<script>window.__pwned = "script"</script>\n<img src=x onerror="window.__pwned = \'img\'">\n<b>bold?</b>';

/**
 * A four-turn task: (1) Markdown text and a shell command printing hostile markup, (2) a shell
 * command that waits for `gateFile` (the live "running" line), (3) reasoning and two edits, (4)
 * the closing summary.
 */
export function scriptedTask(gateFile: string): (index: number) => Part[] {
  return (index) => {
    const usage = metadata({ inputTokens: 1200 + index * 300, outputTokens: 80 + index * 10 });
    switch (index) {
      case 0:
        return [
          text("## Plan\n\nI'll check the **tests** first:\n\n- read `src/app.ts`\n- fix `answer`\n\nSee [the docs](https://example.com/docs) and [this](javascript:alert(1)).", { chunks: 2 }),
          toolUse('tu-1', 'shell', { command: `printf '%s\\n' '${HOSTILE_OUTPUT.replace(/'/g, "'\\''")}'` }),
          usage,
        ];
      case 1:
        return [text('Now the test suite.'), toolUse('tu-2', 'shell', { command: `until [ -f ${gateFile} ]; do sleep 0.1; done; echo 'all 12 tests passed'` }), usage];
      case 2:
        return [
          reasoning('The answer should be 42; greet should use a template string.', 'sig-1'),
          toolUse('tu-3', 'edit_file', { path: 'src/app.ts', old_string: 'export const answer = 41;', new_string: 'export const answer = 42;' }),
          toolUse('tu-4', 'edit_file', { path: 'src/app.ts', old_string: "  return 'Hello ' + name;", new_string: '  return `Hello ${name}`;' }),
          toolUse('tu-5', 'write_file', { path: 'src/app.test.ts', content: "import { answer } from './app';\n\nif (answer !== 42) throw new Error('wrong answer');\n" }),
          usage,
        ];
      default:
        return [text('Done: `answer` is **42** now, and `greet` uses a template string.\n\n| file | change |\n|---|---|\n| src/app.ts | fixed |\n| src/app.test.ts | added |'), usage];
    }
  };
}
