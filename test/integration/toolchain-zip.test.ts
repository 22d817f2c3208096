import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionConfig, loadBuildScript } from '../../src/local/index.ts';
import { prepareLocalFunction } from '../../src/local/function-runner.ts';
import { findRic } from '../../src/local/ric.ts';
import { S3ArtifactStore } from '../../src/store/index.ts';
import { startFakeBedrock, type FakeBedrock } from '../support/fake-bedrock.ts';
import { FAKE_CREDENTIALS, REGION, startLocalAws, type LocalAws } from '../support/fauxqs.ts';
import { artifact, fixTaskTurn, sqsEventOf, toolOutputs, uploadSource, writePythonRepo } from '../support/python-task.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BUCKET = 'agent-runner-local';

let aws: LocalAws;
let fake: FakeBedrock;
let tmp: string;
let outDir: string;
let logText = '';

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'toolchain-zip-'));
  outDir = path.join(ROOT, 'node_modules', '.cache', 'agent-runner-tests', `toolchain-zip-${process.pid}`);
  await (await loadBuildScript(ROOT)).buildFunctions({ root: ROOT, outDir, names: ['worker'], log: () => undefined });
  aws = await startLocalAws({ buckets: [BUCKET] });
  fake = await startFakeBedrock({ script: (body) => fixTaskTurn(body) });
}, 60_000);

afterAll(async () => {
  await fake?.close();
  await aws?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.rmSync(outDir, { recursive: true, force: true });
});

describe('the zip worker on a Python repository (Lambda\'s nodejs22.x runtime has no Python, git or compilers)', () => {
  it('tells the model what is missing, and the task still ends cleanly with the fix in S3', async () => {
    // The managed runtime's PATH holds Node.js and none of the toolchain: a folder with only node stands in for it.
    const bin = path.join(tmp, 'lambda-bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(findRic(ROOT).node, path.join(bin, 'node'));
    const repo = path.join(tmp, 'repo');
    writePythonRepo(repo);
    const source = await uploadSource(aws.s3, BUCKET, 'inputs/py-zip.tar.gz', repo);

    const template = (await loadBuildScript(ROOT)).parseTemplate(fs.readFileSync(path.join(ROOT, 'template.yaml'), 'utf8'));
    const logs = new PassThrough();
    logs.on('data', (c: Buffer) => (logText = (logText + c.toString()).slice(-20_000)));
    const prepared = await prepareLocalFunction({
      root: ROOT,
      distDir: outDir,
      name: 'worker',
      config: functionConfig(template, 'Worker'),
      region: REGION,
      credentials: FAKE_CREDENTIALS,
      variables: {
        PATH: bin,
        ARTIFACT_BUCKET: BUCKET,
        ALLOWED_SOURCE_BUCKETS: BUCKET,
        AWS_ENDPOINT_URL_S3: aws.endpoint,
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url,
        POWERTOOLS_LOG_LEVEL: 'WARN',
        POWERTOOLS_METRICS_DISABLED: 'true',
      },
      output: logs,
      clock: Date.now,
    });
    const fn = prepared.create();
    try {
      const out = await fn.invoke(sqsEventOf({ taskId: 'py-zip', prompt: 'Make the unit test pass.', source }));
      expect({ out, logs: out.kind === 'response' ? '' : logText }).toMatchObject({ out: { kind: 'response', payload: { batchItemFailures: [] } }, logs: '' });
    } finally {
      await fn.stop();
    }

    const system = String((fake.modelRequests[0].body!.system as { text?: string }[])[0].text);
    expect(system).toContain('Programs found on the PATH of your shell: node.');
    expect(system).toContain('Not found here: git, npm, python3, pip, make, g++, java, go, cargo.');
    const outputs = toolOutputs(fake.modelRequests);
    expect(outputs['tu-status']).toMatch(/^exit code: 127\n.*git: not found/s);
    expect(outputs['tu-test-1']).toMatch(/^exit code: 127\n.*python3: not found/s);
    const result = JSON.parse((await artifact(aws.s3, BUCKET, 'py-zip', 'result.json'))!);
    expect([result.status, result.stopReason, result.turns, result.diff]).toEqual(['succeeded', 'end_turn', 5, { files: 1, additions: 1, deletions: 1 }]);
    expect(await artifact(aws.s3, BUCKET, 'py-zip', 'diff.patch')).toContain('-    return a - b\n+    return a + b\n');
    const events = await new S3ArtifactStore({ client: aws.s3, bucket: BUCKET }).readEvents('py-zip', 0);
    expect(events.filter((e) => e.type.startsWith('setup_'))).toEqual([]);
  }, 180_000);
});
