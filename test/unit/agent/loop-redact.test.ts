import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Checkpointer, runAgentResumable } from '../../../src/agent/index.ts';
import type { AgentEvent } from '../../../src/task/events.ts';
import { createRedactor } from '../../../src/security/index.ts';

import { MemoryStore } from '../../support/memory-store.ts';
import { callTools, say, ScriptProvider, SCRIPT_MODEL } from '../../support/script-provider.ts';
import { testDeps } from '../../support/run-loop.ts';

const MODEL = SCRIPT_MODEL;
const KEY = 'AKIAIOSFODNN7EXAMPLE';
const TOKEN = `ghp_${'a1B2'.repeat(9)}`;
let dir: string | undefined;
afterEach(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

describe('runAgent with a redactor', () => {
  it('keeps secrets a tool printed out of events, transcript, checkpoints and result, while the model still gets them', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redact-'));
    fs.writeFileSync(path.join(dir, '.env'), `AWS_ACCESS_KEY_ID=${KEY}\nGH=${TOKEN}\ncustom=zz-internal-42\n`);
    const store = new MemoryStore();
    const provider = new ScriptProvider([callTools([['c1', 'shell', { command: 'cat .env' }]]), say(`I found ${KEY}`)]);
    const deps = testDeps({ provider, model: MODEL, store, workspace: dir, redactor: createRedactor({ patterns: ['zz-internal-\\d+'] }) });
    deps.continuation = { checkpointer: new Checkpointer(store, 't1', deps.redactor) };
    const gen = runAgentResumable({ taskId: 't1', prompt: 'show .env', limits: {} }, deps);
    const events: AgentEvent[] = [];
    let next = await gen.next();
    for (; !next.done; next = await gen.next()) events.push(next.value);
    const result = next.value;

    const stored = [...store.artifacts.entries()].filter(([k]) => !k.endsWith('diff.patch')).map(([, v]) => v).join('\n') + JSON.stringify(store.events('t1'));
    for (const secret of [KEY, TOKEN, 'zz-internal-42']) {
      expect(stored.includes(secret) || JSON.stringify(events).includes(secret) || JSON.stringify(result).includes(secret)).toBe(false);
    }
    const output = events.find((e) => e.type === 'tool_result');
    expect(output && 'output' in output ? output.output : '').toBe(
      'exit code: 0\nAWS_ACCESS_KEY_ID=[REDACTED:aws_access_key_id]\nGH=[REDACTED:github_token]\ncustom=[REDACTED:custom]\n',
    );
    expect(store.artifacts.get('t1/checkpoint/00000001.json')).toContain('[REDACTED:aws_access_key_id]');
    // The model itself saw the real output: redaction is for what is stored and shown.
    expect(JSON.stringify(provider.requests[1].messages)).toContain(KEY);
  });
});
