import { describe, expect, it } from 'vitest';
import { buildResponsesRequest, responsesTranscript, toolArguments, toResponsesInput, toResponsesTools } from '../../../../src/providers/openai/request.ts';
import { encodeReasoningItem } from '../../../../src/providers/openai/reasoning.ts';
import { lookupOpenAIModel, permissiveModelInfo } from '../../../../src/providers/openai/models.ts';
import type { Message, ModelRequest } from '../../../../src/providers/types.ts';

const ITEM = { id: 'rs_1', type: 'reasoning' as const, summary: [{ type: 'summary_text', text: 'Check the file.' }, { type: 'summary_text', text: 'Then edit.' }], encrypted_content: 'gAAAAB-opaque' };
const TOOLS = [{ name: 'read_file', description: 'Read a file', inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } }];

const conversation: Message[] = [
  { role: 'user', content: [{ type: 'text', text: 'Fix the bug.' }] },
  {
    role: 'assistant',
    content: [
      { type: 'reasoning', text: 'Check the file.\n\nThen edit.', signature: encodeReasoningItem(ITEM) },
      { type: 'text', text: 'Reading it.' },
      { type: 'tool_use', id: 'call_A1', name: 'read_file', input: { path: 'a.js' } },
    ],
  },
  { role: 'user', content: [{ type: 'tool_result', toolUseId: 'call_A1', status: 'success', content: '1\tconst a = 1;' }] },
];

const request = (over: Partial<ModelRequest> = {}): ModelRequest => ({ model: 'gpt-5', system: 'You are a coding agent.', messages: conversation, tools: TOOLS, ...over });

describe('Responses request mapping', () => {
  it('maps every neutral block to its input item, keeping call ids and the reasoning item', () => {
    expect(toResponsesInput(conversation)).toEqual([
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Fix the bug.' }] },
      { type: 'reasoning', summary: ITEM.summary, encrypted_content: 'gAAAAB-opaque' },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Reading it.' }] },
      { type: 'function_call', call_id: 'call_A1', name: 'read_file', arguments: '{"path":"a.js"}' },
      { type: 'function_call_output', call_id: 'call_A1', output: '1\tconst a = 1;' },
    ]);
  });

  it('leaves out reasoning made by other wire formats and blank assistant text', () => {
    const msgs: Message[] = [
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'Claude thinking', signature: 'EqQBCkYIBxgCKkDclaude' },
          { type: 'reasoning', text: 'chat thinking', signature: 'chat:reasoning' },
          { type: 'redacted_reasoning', data: 'AAEC' },
          { type: 'text', text: '  ' },
          { type: 'tool_use', id: 'tooluse_x', name: 'shell', input: { command: 'ls' } },
        ],
      },
    ];
    expect(toResponsesInput(msgs)).toEqual([{ type: 'function_call', call_id: 'tooluse_x', name: 'shell', arguments: '{"command":"ls"}' }]);
  });

  it('puts tool results before the text of the same user message', () => {
    const msgs: Message[] = [{ role: 'user', content: [{ type: 'text', text: 'also this' }, { type: 'tool_result', toolUseId: 'c1', status: 'error', content: 'no such file' }] }];
    expect(toResponsesInput(msgs)).toEqual([
      { type: 'function_call_output', call_id: 'c1', output: 'no such file' },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'also this' }] },
    ]);
  });

  it('sends broken tool arguments back as the model wrote them', () => {
    expect([toolArguments({ __invalid_json: '{"path": "a' }), toolArguments({ a: 1 }), toolArguments(null)]).toEqual(['{"path": "a', '{"a":1}', '{}']);
  });

  it('builds a streaming, unstored request with reasoning and encrypted content for reasoning models', () => {
    const body = buildResponsesRequest(request({ reasoningEffort: 'high', temperature: 0.2 }), lookupOpenAIModel('gpt-5')!);
    expect({ ...body, input: body.input.length }).toEqual({
      model: 'gpt-5',
      instructions: 'You are a coding agent.',
      input: 5,
      tools: [{ type: 'function', name: 'read_file', description: 'Read a file', parameters: TOOLS[0].inputSchema, strict: false }],
      stream: true,
      store: false,
      reasoning: { effort: 'high', summary: 'auto' },
      include: ['reasoning.encrypted_content'],
    });
  });

  it('sends temperature and max_output_tokens but no reasoning for other models', () => {
    const body = buildResponsesRequest(request({ model: 'gpt-4.1', temperature: 0.2, maxTokens: 1000, system: '' }), lookupOpenAIModel('gpt-4.1')!);
    expect(Object.keys(body).sort()).toEqual(['input', 'max_output_tokens', 'model', 'store', 'stream', 'temperature', 'tools']);
    expect([body.temperature, body.max_output_tokens]).toEqual([0.2, 1000]);
  });

  it('asks unknown models of custom endpoints for reasoning only when an effort is configured', () => {
    const custom = permissiveModelInfo('my-deployment');
    const withEffort = buildResponsesRequest(request({ model: 'my-deployment', reasoningEffort: 'low' }), custom);
    const without = buildResponsesRequest(request({ model: 'my-deployment', temperature: 0 }), custom);
    expect([withEffort.reasoning, withEffort.include, without.reasoning, without.include, without.temperature]).toEqual([{ effort: 'low', summary: 'auto' }, ['reasoning.encrypted_content'], undefined, undefined, 0]);
  });

  it('does not send back a reasoning item without encrypted content', () => {
    const bare = encodeReasoningItem({ id: 'rs_x', type: 'reasoning', summary: [{ type: 'summary_text', text: 's' }] });
    expect(toResponsesInput([{ role: 'assistant', content: [{ type: 'reasoning', text: 's', signature: bare }, { type: 'text', text: 'ok' }] }])).toEqual([{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'ok' }] }]);
  });

  it('writes the transcript as {instructions, input, tools} with the final answer appended', () => {
    const final: Message = { role: 'assistant', content: [{ type: 'text', text: 'Fixed.' }] };
    const t = responsesTranscript(request(), lookupOpenAIModel('gpt-5')!, [final]);
    expect(t).toEqual({ instructions: 'You are a coding agent.', input: [...toResponsesInput(conversation), { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Fixed.' }] }], tools: toResponsesTools(TOOLS) });
  });
});
