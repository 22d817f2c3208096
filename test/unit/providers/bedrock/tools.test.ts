import { describe, expect, it } from 'vitest';
import { requireToolModel, toToolConfig } from '../../../../src/providers/index.ts';

const tools = [
  { name: 'read_file', description: 'Read a file', inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } },
  { name: 'shell', description: '', inputSchema: { type: 'object' } },
];

describe('toToolConfig', () => {
  it('wraps each tool in a toolSpec with its JSON schema', () => {
    expect(toToolConfig(tools, requireToolModel('meta.llama3-3-70b-instruct-v1:0'))).toEqual({
      tools: [
        { toolSpec: { name: 'read_file', inputSchema: { json: tools[0].inputSchema }, description: 'Read a file' } },
        { toolSpec: { name: 'shell', inputSchema: { json: { type: 'object' } } } },
      ],
    });
  });

  it('closes the list with a cache point only when asked and the model accepts them', () => {
    const claude = toToolConfig(tools, requireToolModel('us.anthropic.claude-sonnet-4-5-20250929-v1:0'), { cachePoint: true });
    const llama = toToolConfig(tools, requireToolModel('meta.llama3-3-70b-instruct-v1:0'), { cachePoint: true });
    expect([claude?.tools?.at(-1), claude?.tools?.length, llama?.tools?.length]).toEqual([{ cachePoint: { type: 'default' } }, 3, 2]);
  });

  it('is undefined without tools', () => {
    expect(toToolConfig([], requireToolModel('amazon.nova-pro-v1:0'))).toBeUndefined();
  });
});
