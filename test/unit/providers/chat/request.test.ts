import { describe, expect, it } from 'vitest';
import { buildChatRequest, chatTranscript, toChatMessages, toChatTools } from '../../../../src/providers/chat/request.ts';
import { permissiveModelInfo } from '../../../../src/providers/openai/models.ts';
import type { Message, ModelRequest } from '../../../../src/providers/types.ts';

const TOOLS = [{ name: 'shell', description: 'Run a command', inputSchema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] } }];
const conversation: Message[] = [
  { role: 'user', content: [{ type: 'text', text: 'List the files.' }] },
  {
    role: 'assistant',
    content: [
      { type: 'reasoning', text: 'I should run ls.', signature: 'chat:reasoning' },
      { type: 'tool_use', id: 'call_k1', name: 'shell', input: { command: 'ls' } },
      { type: 'tool_use', id: 'call_k2', name: 'shell', input: { command: 'pwd' } },
    ],
  },
  {
    role: 'user',
    content: [
      { type: 'tool_result', toolUseId: 'call_k1', status: 'success', content: 'exit code: 0\na.txt' },
      { type: 'tool_result', toolUseId: 'call_k2', status: 'success', content: 'exit code: 0\n/ws' },
    ],
  },
  { role: 'assistant', content: [{ type: 'reasoning', text: 'Done.', signature: 'chat:reasoning_content' }, { type: 'text', text: 'One file: a.txt' }] },
];
const request = (over: Partial<ModelRequest> = {}): ModelRequest => ({ model: 'gpt-oss:20b', system: 'Be brief.', messages: conversation, tools: TOOLS, ...over });

describe('Chat Completions request mapping', () => {
  it('maps the conversation to system, user, assistant (reasoning, tool_calls) and tool messages', () => {
    expect(toChatMessages('Be brief.', conversation)).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'List the files.' },
      {
        role: 'assistant',
        content: null,
        reasoning: 'I should run ls.',
        tool_calls: [
          { id: 'call_k1', type: 'function', function: { name: 'shell', arguments: '{"command":"ls"}' } },
          { id: 'call_k2', type: 'function', function: { name: 'shell', arguments: '{"command":"pwd"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_k1', content: 'exit code: 0\na.txt' },
      { role: 'tool', tool_call_id: 'call_k2', content: 'exit code: 0\n/ws' },
      { role: 'assistant', content: 'One file: a.txt', reasoning_content: 'Done.' },
    ]);
  });

  it('leaves out reasoning made by other wire formats', () => {
    const msgs: Message[] = [{ role: 'assistant', content: [{ type: 'reasoning', text: 'x', signature: 'openai-responses:{"type":"reasoning","summary":[]}' }, { type: 'reasoning', text: 'claude', signature: 'sig' }, { type: 'redacted_reasoning', data: 'AA' }, { type: 'text', text: 'ok' }] }];
    expect(toChatMessages('', msgs)).toEqual([{ role: 'assistant', content: 'ok' }]);
  });

  it('builds a streaming request asking for usage', () => {
    expect(buildChatRequest(request({ reasoningEffort: 'low', maxTokens: 500, messages: conversation.slice(0, 1) }), permissiveModelInfo('gpt-oss:20b'))).toEqual({
      model: 'gpt-oss:20b',
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'List the files.' }],
      tools: toChatTools(TOOLS),
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 500,
      reasoning_effort: 'low',
    });
    expect(toChatTools(TOOLS)).toEqual([{ type: 'function', function: { name: 'shell', description: 'Run a command', parameters: TOOLS[0].inputSchema } }]);
    expect('tools' in buildChatRequest(request({ tools: [] }), permissiveModelInfo('m'))).toBe(false);
  });

  it('writes the transcript as {messages, tools} with the final answer appended', () => {
    const final: Message = { role: 'assistant', content: [{ type: 'text', text: 'Bye.' }] };
    const t = chatTranscript(request({ messages: conversation.slice(0, 1) }), permissiveModelInfo('gpt-oss:20b'), [final]);
    expect(t).toEqual({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'List the files.' }, { role: 'assistant', content: 'Bye.' }], tools: toChatTools(TOOLS) });
  });
});
