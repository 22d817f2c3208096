import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runAgent, type AgentDeps, type ToolSession, type ToolSource, type ToolSourceContext } from '../../../src/agent/index.ts';
import type { CommandSpec } from '../../../src/sandbox/types.ts';
import { StoreError } from '../../../src/store/errors.ts';
import { MemoryStore } from '../../support/memory-store.ts';
import { ScriptProvider, callTools, say, type ScriptTurn, SCRIPT_MODEL } from '../../support/script-provider.ts';
import { drain as drainGenerator, testDeps } from '../../support/run-loop.ts';

let ws: string;
beforeEach(() => {
  ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'loop-source-')));
});
afterEach(() => fs.rmSync(ws, { recursive: true, force: true }));

/** A tool source with one tool, `ext__ping`, recording how it was opened and whether it was closed. */
function fakeSource() {
  const record = { opened: [] as ToolSourceContext[], closed: 0, calls: [] as unknown[] };
  const session: ToolSession = {
    notices: [{ type: 'mcp_server', server: 'ext', transport: 'stdio', status: 'ready', tools: ['ext__ping'], durationMs: 3 }],
    tools: {
      specs: () => [{ name: 'ext__ping', description: 'Pings.', inputSchema: { type: 'object', properties: {} } }],
      isReadOnly: () => false,
      execute: async (call) => {
        record.calls.push(call.input);
        return { status: 'success', output: 'pong', images: [{ format: 'png', data: 'iVBO' }] };
      },
    },
    close: async () => {
      record.closed++;
    },
  };
  const source: ToolSource = {
    open: async (ctx) => {
      record.opened.push(ctx);
      return session;
    },
  };
  return { source, record };
}

function deps(provider: ScriptProvider, store: MemoryStore, over: Partial<AgentDeps>): AgentDeps {
  return testDeps({ provider, model: SCRIPT_MODEL, store, workspace: ws, toolEnv: { PATH: '/usr/bin:/bin' }, ...over });
}

async function drain(turns: ScriptTurn[], over: Partial<AgentDeps>, store = new MemoryStore()) {
  const provider = new ScriptProvider(turns);
  const gen = runAgent({ taskId: 't1', prompt: 'do it', limits: {} }, deps(provider, store, over));
  return { ...(await drainGenerator(gen)), provider };
}

describe('runAgent with a tool source', () => {
  it('opens it after task_started, emits its notices, offers its tools after the built-in ones, passes images on, and closes it', async () => {
    const { source, record } = fakeSource();
    const wrapCommand = (cmd: CommandSpec) => cmd;
    const { events, result, provider } = await drain([callTools([['p1', 'ext__ping', { n: 1 }]]), say('Done.')], { extraTools: source, wrapCommand });
    expect(events.slice(0, 2).map((e) => e.type)).toEqual(['task_started', 'mcp_server']);
    expect(events[1]).toMatchObject({ seq: 2, server: 'ext', status: 'ready' });
    expect(record.opened.map((c) => [c.root, c.env, c.signal instanceof AbortSignal, typeof c.clock, c.wrapCommand])).toEqual([[ws, { PATH: '/usr/bin:/bin' }, true, 'function', wrapCommand]]);
    expect(provider.requests[0].tools.map((t) => t.name)).toEqual(['shell', 'read_file', 'write_file', 'edit_file', 'apply_patch', 'list_files', 'search', 'ext__ping']);
    expect(provider.requests[0].system).toContain('ext__ping');
    expect(events.filter((e) => e.type === 'tool_result')).toMatchObject([{ name: 'ext__ping', status: 'success', output: 'pong' }]);
    expect(provider.requests[1].messages.at(-1)?.content).toEqual([{ type: 'tool_result', toolUseId: 'p1', status: 'success', content: 'pong', images: [{ format: 'png', data: 'iVBO' }] }]);
    expect([record.calls, record.closed, result.status]).toEqual([[{ n: 1 }], 1, 'succeeded']);
  });

  it('closes it when the run fails, when the store fails (a throw) and when the consumer stops early', async () => {
    const failing = fakeSource();
    const failed = await drain([new Error('model exploded')], { extraTools: failing.source });
    expect([failed.result.status, failing.record.closed]).toEqual(['failed', 1]);

    const broken = fakeSource();
    const store = new MemoryStore();
    const put = store.put.bind(store);
    store.put = async (taskId, name, body) => {
      if (name === 'result.json') throw new StoreError('write failed');
      return put(taskId, name, body);
    };
    await expect(drain([say('Done.')], { extraTools: broken.source }, store)).rejects.toBeInstanceOf(StoreError);
    expect(broken.record.closed).toBe(1);

    const stopped = fakeSource();
    const gen = runAgent({ taskId: 't2', prompt: 'do it', limits: {} }, deps(new ScriptProvider([say('Done.')]), new MemoryStore(), { extraTools: stopped.source }));
    await gen.next(); // task_started
    await gen.next(); // the notice: the session is open
    await gen.return(undefined as never);
    expect(stopped.record.closed).toBe(1);
  });
});
