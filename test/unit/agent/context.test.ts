import { describe, expect, it } from 'vitest';
import { ELIDED_NOTE, elideOldToolOutputs, estimateTokens, fitContext, summariseOldTurns } from '../../../src/agent/context.ts';
import type { Message } from '../../../src/providers/types.ts';

function exchange(i: number, output: string): Message[] {
  return [
    { role: 'assistant', content: [{ type: 'text', text: `step ${i}` }, { type: 'tool_use', id: `t${i}`, name: 'shell', input: { command: `echo ${i}` } }] },
    { role: 'user', content: [{ type: 'tool_result', toolUseId: `t${i}`, status: 'success', content: output }] },
  ];
}

function conversation(n: number, output = 'x'.repeat(4000)): Message[] {
  const msgs: Message[] = [{ role: 'user', content: [{ type: 'text', text: 'the task' }] }];
  for (let i = 1; i <= n; i++) msgs.push(...exchange(i, output));
  return msgs;
}

function alternates(msgs: Message[]): boolean {
  return msgs.every((m, i) => m.role === (i % 2 === 0 ? 'user' : 'assistant'));
}

function pairsIntact(msgs: Message[]): boolean {
  const uses = new Set(msgs.flatMap((m) => m.content.filter((b) => b.type === 'tool_use').map((b: any) => b.id)));
  const results = msgs.flatMap((m) => m.content.filter((b) => b.type === 'tool_result').map((b: any) => b.toolUseId));
  return results.every((id) => uses.has(id)) && results.length === uses.size;
}

describe('context trimming', () => {
  it('elides all but the most recent tool outputs, leaving the input untouched', () => {
    const msgs = conversation(5);
    const r = elideOldToolOutputs(msgs, 2);
    expect(r.changed).toBe(true);
    const outputs = r.messages.filter((m) => m.role === 'user').slice(1).map((m: any) => m.content[0].content);
    expect(outputs.map((o) => (o === ELIDED_NOTE ? 'elided' : 'kept'))).toEqual(['elided', 'elided', 'elided', 'kept', 'kept']);
    expect((msgs[2].content[0] as any).content).toHaveLength(4000);
  });

  it('drops the images of elided tool results (short text kept), and counts an image as about 1,600 tokens', () => {
    const image = { format: 'png' as const, data: 'A'.repeat(400_000) };
    const msgs: Message[] = [
      { role: 'user', content: [{ type: 'text', text: 'go' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 's', name: 'mcp__b__shot', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', toolUseId: 's', status: 'success', content: '[image]', images: [image] }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'mcp__b__shot', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', toolUseId: 't', status: 'success', content: '[image]', images: [image] }] },
    ];
    const r = elideOldToolOutputs(msgs, 1);
    expect([r.changed, r.messages[2].content[0], r.messages[4].content[0]]).toEqual([true, { type: 'tool_result', toolUseId: 's', status: 'success', content: '[image]' }, msgs[4].content[0]]);
    const withoutImages = estimateTokens('', r.messages, []);
    expect(estimateTokens('', msgs, []) - withoutImages).toBe(1600);
  });

  it('summarises older exchanges into the first message, keeping alternation and tool pairs', () => {
    const r = summariseOldTurns(conversation(6), 2);
    expect(r.changed).toBe(true);
    expect(r.messages).toHaveLength(1 + 2 * 2);
    expect(alternates(r.messages)).toBe(true);
    expect(pairsIntact(r.messages)).toBe(true);
    expect((r.messages[0].content[1] as any).text).toContain('called shell {"command":"echo 1"}');
  });

  it('leaves a transcript under budget alone', () => {
    const msgs = conversation(2, 'short');
    expect(fitContext('sys', msgs, [], 100_000)).toEqual({ messages: msgs, steps: [] });
  });

  it('elides before summarising, and summarises only when eliding is not enough', () => {
    const msgs = conversation(30);
    const before = estimateTokens('sys', msgs, []);
    const onlyElide = fitContext('sys', msgs, [], Math.floor(before / 2));
    expect(onlyElide.steps.map((s) => s.strategy)).toEqual(['elide_tool_outputs']);
    const both = fitContext('sys', msgs, [], 300);
    expect(both.steps.map((s) => s.strategy)).toContain('summarise_turns');
    expect(both.steps[0].strategy).toBe('elide_tool_outputs');
    expect(alternates(both.messages)).toBe(true);
    expect(pairsIntact(both.messages)).toBe(true);
    expect(estimateTokens('sys', both.messages, [])).toBeLessThan(before / 10);
  });
});
