/**
 * The toolchain tests' scenario: a small Python repository (a git repository) whose unit test
 * fails until `add` is fixed, sent to the worker as an S3 source, and a scripted model that runs
 * `git status` and `python3 -m unittest`, fixes the bug and runs the tests again.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PutObjectCommand, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import * as tar from 'tar';
import { metadata, text, toolUse, type Json } from './fake-bedrock.ts';
import { toolResultsIn, toolResultText } from './fake-bedrock-inspect.ts';

const WHEEL = path.resolve(import.meta.dirname, '../fixtures/python/greet-1.0-py3-none-any.whl');

/** A git repository with calc.py (its `add` subtracts) and a unittest of it; `extra` files on top. */
export function writePythonRepo(dir: string, extra: Record<string, string | Buffer> = {}): void {
  const files: Record<string, string | Buffer> = {
    'calc.py': 'def add(a, b):\n    return a - b\n',
    'test_calc.py': 'import unittest\n\nfrom calc import add\n\n\nclass AddTest(unittest.TestCase):\n    def test_adds(self):\n        self.assertEqual(add(2, 3), 5)\n\n\nif __name__ == "__main__":\n    unittest.main()\n',
    '.gitignore': '__pycache__/\n.venv/\n',
    ...extra,
  };
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd: dir, stdio: 'pipe' });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'calc');
}

/** The repository with a setup script that installs the wheel in it into a venv under $HOME (no network). */
export function writeRepoWithWheelSetup(dir: string): void {
  writePythonRepo(dir, {
    '.agent-runner/setup.sh': 'set -e\npython3 -m venv "$HOME/venv"\n"$HOME/venv/bin/pip" install --no-index --find-links wheels greet\n',
    'wheels/greet-1.0-py3-none-any.whl': fs.readFileSync(WHEEL),
  });
}

/** Uploads `dir` (with .git) as a gzip tar source; returns the task's `source`. */
export async function uploadSource(s3: S3Client, bucket: string, key: string, dir: string): Promise<{ s3: { bucket: string; key: string } }> {
  const entries = fs.readdirSync(dir);
  const chunks: Buffer[] = [];
  const stream = tar.c({ gzip: true, cwd: dir, portable: true }, entries);
  for await (const c of stream) chunks.push(c as Buffer);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.concat(chunks) }));
  return { s3: { bucket, key } };
}

/** An SQS event of one task message. */
export function sqsEventOf(task: Json, region = 'us-east-1'): Json {
  return {
    Records: [
      {
        messageId: `m-${String(task.taskId)}`,
        receiptHandle: 'rh',
        body: JSON.stringify(task),
        attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1767225600000', SenderId: 'AIDA', ApproximateFirstReceiveTimestamp: '1767225600001' },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:${region}:000000000000:agent-runner-tasks`,
        awsRegion: region,
      },
    ],
  };
}

/** How many assistant turns a Converse request already holds. */
function turnsIn(body: Json): number {
  return (body.messages as { role: string }[]).filter((m) => m.role === 'assistant').length;
}

/** The scripted model of the fix task: git status, the tests, the fix, the tests again, a summary. */
export function fixTaskTurn(body: Json): Json[] {
  const usage = metadata({ inputTokens: 200, outputTokens: 20 });
  switch (turnsIn(body)) {
    case 0:
      return [text('Looking at the repository.'), toolUse('tu-status', 'shell', { command: 'git status --short --branch' }), usage];
    case 1:
      return [toolUse('tu-test-1', 'shell', { command: 'python3 -m unittest -v 2>&1' }), usage];
    case 2:
      return [toolUse('tu-fix', 'edit_file', { path: 'calc.py', old_string: 'return a - b', new_string: 'return a + b' }), usage];
    case 3:
      return [toolUse('tu-test-2', 'shell', { command: 'python3 -m unittest -v 2>&1' }), usage];
    default:
      return [text('Fixed add() in calc.py; the unit test passes.'), usage];
  }
}

/** The scripted model of the setup task: uses what the setup script installed. */
export function useWheelTurn(body: Json): Json[] {
  const usage = metadata({ inputTokens: 100, outputTokens: 10 });
  if (turnsIn(body) === 0) return [toolUse('tu-greet', 'shell', { command: '"$HOME/venv/bin/python" -c "import greet; print(greet.greet(\'agent\'))"' }), usage];
  return [text('The package works.'), usage];
}

/** The text of each tool result the model received, by tool-use id (from the fake's recorded requests). */
export function toolOutputs(requests: { body?: Json }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of requests) for (const tr of toolResultsIn(r.body)) out[String(tr.toolUseId)] = toolResultText(tr);
  return out;
}

/** An artifact of a task in the bucket (undefined when missing). */
export async function artifact(s3: S3Client, bucket: string, taskId: string, name: string): Promise<string | undefined> {
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `tasks/${taskId}/${name}` }));
    return await res.Body!.transformToString();
  } catch {
    return undefined;
  }
}
