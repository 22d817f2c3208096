import { afterEach, describe, expect, it } from 'vitest';
import { createToolRegistry, ToolCancelledError, ToolHostError, type Tool } from '../../../../src/agent/tools/index.ts';
import { makeCtx, makeWorkspace, removeWorkspaces } from './helpers.ts';

afterEach(removeWorkspaces);

const echoTool = (output: (input: any) => string, run?: Tool['run']): Tool => ({
  name: 'echo',
  description: 'test',
  inputSchema: { type: 'object', properties: { text: { type: 'string' }, n: { type: 'integer', minimum: 1 } }, required: ['text'], additionalProperties: false },
  readOnly: true,
  run: run ?? (async (input) => ({ status: 'success', output: output(input) })),
});

describe('createToolRegistry', () => {
  it('offers the seven tools of the contract with their schemas', () => {
    const registry = createToolRegistry();
    const specs = registry.specs();
    expect(specs.map((s) => s.name)).toEqual(['shell', 'read_file', 'write_file', 'edit_file', 'apply_patch', 'list_files', 'search']);
    const shapes = Object.fromEntries(
      specs.map((s) => {
        const schema = s.inputSchema as { properties: Record<string, { type: string }>; required?: string[] };
        return [s.name, { props: Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, v.type])), required: schema.required ?? [] }];
      }),
    );
    expect(shapes).toEqual({
      shell: { props: { command: 'string', timeout_ms: 'integer' }, required: ['command'] },
      read_file: { props: { path: 'string', offset: 'integer', limit: 'integer' }, required: ['path'] },
      write_file: { props: { path: 'string', content: 'string' }, required: ['path', 'content'] },
      edit_file: { props: { path: 'string', old_string: 'string', new_string: 'string', replace_all: 'boolean' }, required: ['path', 'old_string', 'new_string'] },
      apply_patch: { props: { patch: 'string' }, required: ['patch'] },
      list_files: { props: { path: 'string', pattern: 'string' }, required: [] },
      search: { props: { pattern: 'string', path: 'string', glob: 'string' }, required: ['pattern'] },
    });
    for (const s of specs) expect(s.description.length).toBeGreaterThan(40);
    expect(specs.filter((s) => registry.isReadOnly(s.name)).map((s) => s.name)).toEqual(['read_file', 'list_files', 'search']);
    expect(registry.isReadOnly('nope')).toBe(false);
    expect(registry.get('shell')?.name).toBe('shell');
  });

  it('compiles each schema, strictly, when its tool is first called, and refuses a bad schema then', async () => {
    const registry = createToolRegistry();
    const results = await Promise.all(registry.specs().map((s) => registry.execute({ id: s.name, name: s.name, input: { unexpected: 1 } }, makeCtx('/tmp'))));
    expect(results.map((r) => [r.status, /^Invalid input for \w+: .*unknown field "unexpected"/.test(r.output)])).toEqual(results.map(() => ['error', true]));
    const bad = createToolRegistry([{ ...echoTool(() => ''), inputSchema: { type: 'object', properties: { text: { type: 'strin' } } } }]);
    await expect(bad.execute({ id: '1', name: 'echo', input: {} }, makeCtx('/tmp'))).rejects.toThrow(/strin/);
  });

  it('answers an unknown tool with an error result listing the tools', async () => {
    const registry = createToolRegistry([echoTool((i) => i.text)]);
    expect(await registry.execute({ id: '1', name: 'rm_rf', input: {} }, makeCtx('/tmp'))).toEqual({ status: 'error', output: 'Unknown tool "rm_rf". Available tools: echo.' });
  });

  it('validates input against the schema and names the offending fields', async () => {
    const registry = createToolRegistry([echoTool((i) => i.text)]);
    const run = (input: unknown) => registry.execute({ id: '1', name: 'echo', input }, makeCtx('/tmp'));
    expect(await run({})).toEqual({ status: 'error', output: 'Invalid input for echo: missing required field "text". Expected echo({text: string, n?: integer}).' });
    expect(await run({ text: 1, n: 0, extra: true })).toEqual({
      status: 'error',
      output: 'Invalid input for echo: unknown field "extra"; field "text" must be of type string; field "n" must be at least 1. Expected echo({text: string, n?: integer}).',
    });
    expect(await run('text')).toEqual({ status: 'error', output: 'Invalid input for echo: the input must be a JSON object. Expected echo({text: string, n?: integer}).' });
    expect(await run({ text: 'ok' })).toEqual({ status: 'success', output: 'ok' });
  });

  it('validates the real tools too', async () => {
    const root = await makeWorkspace();
    const registry = createToolRegistry();
    expect(await registry.execute({ id: '1', name: 'read_file', input: { path: 'a', offset: '3' } }, makeCtx(root))).toEqual({
      status: 'error',
      output: 'Invalid input for read_file: field "offset" must be of type integer. Expected read_file({path: string, offset?: integer, limit?: integer}).',
    });
  });

  it('cuts long output to head and tail within maxOutputBytes', async () => {
    const registry = createToolRegistry([echoTool(() => 'a'.repeat(100_000) + 'END')]);
    const r = await registry.execute({ id: '1', name: 'echo', input: { text: '' } }, makeCtx('/tmp', { maxOutputBytes: 32 * 1024 }));
    expect(Buffer.byteLength(r.output)).toBeLessThanOrEqual(32 * 1024);
    expect(r.output.endsWith('aaaEND')).toBe(true);
    expect(r.output).toMatch(/\[\.\.\. \d+ bytes cut \.\.\.\]/);
  });

  it('wraps host faults in ToolHostError with the tool name and cause', async () => {
    const eio = Object.assign(new Error('i/o error'), { code: 'EIO' });
    const registry = createToolRegistry([echoTool(() => '', async () => Promise.reject(eio))]);
    const run = registry.execute({ id: '1', name: 'echo', input: { text: '' } }, makeCtx('/tmp'));
    await expect(run).rejects.toBeInstanceOf(ToolHostError);
    await expect(run).rejects.toMatchObject({ name: 'ToolHostError', toolName: 'echo', cause: eio, message: 'echo: host fault: EIO: i/o error' });
  });

  it('throws ToolCancelledError when the signal is aborted, before or during the run', async () => {
    const controller = new AbortController();
    const registry = createToolRegistry([
      echoTool(
        () => '',
        async () => {
          controller.abort();
          throw new Error('interrupted');
        },
      ),
    ]);
    await expect(registry.execute({ id: '1', name: 'echo', input: { text: '' } }, makeCtx('/tmp', { signal: controller.signal }))).rejects.toMatchObject({
      name: 'ToolCancelledError',
      toolName: 'echo',
    });
    await expect(registry.execute({ id: '1', name: 'echo', input: { text: '' } }, makeCtx('/tmp', { signal: AbortSignal.abort() }))).rejects.toBeInstanceOf(
      ToolCancelledError,
    );
  });

  it('runs a real tool end to end', async () => {
    const root = await makeWorkspace({ 'a.txt': 'hello\n' });
    const registry = createToolRegistry();
    expect(await registry.execute({ id: '1', name: 'read_file', input: { path: 'a.txt' } }, makeCtx(root))).toEqual({ status: 'success', output: '     1\thello' });
    expect(await registry.execute({ id: '2', name: 'read_file', input: { path: '../etc/passwd' } }, makeCtx(root))).toMatchObject({ status: 'error' });
  });
});
