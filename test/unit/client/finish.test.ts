import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { finishTask } from '../../../src/client/finish.ts';
import { downloadArtifacts, readTaskResult, taskExists } from '../../../src/client/artifacts.ts';
import { MemoryStore } from '../../support/memory-store.ts';
import { sampleEvents, sampleResult } from './support/sse-server.ts';

const TASK = 't-fin';
const PATCH = [
  'diff --git a/hello.txt b/hello.txt',
  '--- a/hello.txt',
  '+++ b/hello.txt',
  '@@ -1 +1 @@',
  '-hello',
  '+hello, world',
  'diff --git a/new/file.txt b/new/file.txt',
  'new file mode 100644',
  '--- /dev/null',
  '+++ b/new/file.txt',
  '@@ -0,0 +1 @@',
  '+new',
  '',
].join('\n');

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'finish-test-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function storeWithTask(status: 'succeeded' | 'limit_reached') {
  const store = new MemoryStore();
  const events = sampleEvents(TASK, 2, status);
  await store.put(TASK, 'task.json', '{"taskId":"t-fin"}');
  await store.appendEvents(TASK, events.slice(0, 3));
  await store.appendEvents(TASK, events.slice(3));
  await store.put(TASK, 'transcript.json', '{"messages":[]}');
  await store.put(TASK, 'diff.patch', PATCH);
  await store.put(TASK, 'result.json', JSON.stringify(sampleResult(TASK, 2, status)));
  return { store, events };
}

function errSink() {
  const s = new PassThrough();
  let text = '';
  s.on('data', (c: Buffer) => (text += c.toString('utf8')));
  return { s, text: () => text };
}

describe('finishTask', () => {
  it('downloads the artifacts with local names and applies the diff of a succeeded task', async () => {
    const { store, events } = await storeWithTask('succeeded');
    const ws = path.join(tmp, 'ws');
    fs.mkdirSync(ws);
    fs.writeFileSync(path.join(ws, 'hello.txt'), 'hello\n');
    const err = errSink();
    const report = await finishTask(store, sampleResult(TASK, 2), { out: path.join(tmp, 'out'), applyTo: ws, err: err.s });
    const dir = path.join(tmp, 'out', TASK);
    expect(report).toEqual({ outDir: dir, files: ['diff.patch', 'events.ndjson', 'result.json', 'task.json', 'transcript.json'], applied: ['hello.txt', 'new/file.txt'] });
    expect(fs.readFileSync(path.join(dir, 'events.ndjson'), 'utf8')).toBe(events.map((e) => `${JSON.stringify(e)}\n`).join(''));
    expect(fs.readFileSync(path.join(dir, 'diff.patch'), 'utf8')).toBe(PATCH);
    expect({ hello: fs.readFileSync(path.join(ws, 'hello.txt'), 'utf8'), added: fs.readFileSync(path.join(ws, 'new/file.txt'), 'utf8') }).toEqual({ hello: 'hello, world\n', added: 'new\n' });
    expect(err.text()).toBe(`artifacts of task ${TASK} in ${dir}\napplied the diff of task ${TASK}: 2 files changed\n`);
  });

  it('does not apply the diff of a task that stopped at a limit', async () => {
    const { store } = await storeWithTask('limit_reached');
    const ws = path.join(tmp, 'ws');
    fs.mkdirSync(ws);
    fs.writeFileSync(path.join(ws, 'hello.txt'), 'hello\n');
    const err = errSink();
    const report = await finishTask(store, sampleResult(TASK, 2, 'limit_reached'), { applyTo: ws, err: err.s });
    expect({ report, hello: fs.readFileSync(path.join(ws, 'hello.txt'), 'utf8'), files: fs.readdirSync(ws), note: err.text() }).toEqual({
      report: {},
      hello: 'hello\n',
      files: ['hello.txt'],
      note: `not applying the diff of task ${TASK}: it ended limit_reached (apply it with --apply-partial, or download it with --out)\n`,
    });
  });

  it('applies the partial diff of a task that stopped at a limit when asked to', async () => {
    const { store } = await storeWithTask('limit_reached');
    const ws = path.join(tmp, 'ws');
    fs.mkdirSync(ws);
    fs.writeFileSync(path.join(ws, 'hello.txt'), 'hello\n');
    const err = errSink();
    const report = await finishTask(store, sampleResult(TASK, 2, 'limit_reached'), { applyTo: ws, applyPartial: true, err: err.s });
    expect({ report, hello: fs.readFileSync(path.join(ws, 'hello.txt'), 'utf8'), note: err.text() }).toEqual({
      report: { applied: ['hello.txt', 'new/file.txt'] },
      hello: 'hello, world\n',
      note: `applied the partial diff of task ${TASK} (it ended limit_reached): 2 files changed\n`,
    });
  });

  it('leaves out artifacts a task does not have, and reads results', async () => {
    const store = new MemoryStore();
    await store.put(TASK, 'result.json', JSON.stringify({ ...sampleResult(TASK, 0), status: 'rejected' }));
    expect(await downloadArtifacts(store, TASK, tmp)).toEqual({ dir: path.join(tmp, TASK), files: ['result.json'] });
    expect([(await readTaskResult(store, TASK))?.status, await readTaskResult(store, 'other'), await taskExists(store, TASK), await taskExists(store, 'other')]).toEqual(['rejected', undefined, true, false]);
  });
});
