import { describe, expect, it } from 'vitest';
import { resultObjectsOf } from '../../../../src/github/publish/event.ts';
import { closingMessage } from '../../../../src/github/publish/artifacts.ts';

const record = (bucket: string, key: string) => ({ eventName: 'ObjectCreated:Put', s3: { bucket: { name: bucket }, object: { key } } });

describe('resultObjectsOf', () => {
  it('keeps result.json objects of tasks, decoded, each once', () => {
    const event = {
      Records: [
        record('b', 'tasks/gh-1/result.json'),
        record('b', 'tasks/gh-1/result.json'),
        record('b', 'tasks/a%2Db/result.json'),
        record('b', 'tasks/gh-2/diff.patch'),
        record('b', 'tasks/x/y/result.json'),
        record('b', 'webhook/deliveries/1'),
      ],
    };
    expect(resultObjectsOf(event)).toEqual([
      { bucket: 'b', taskId: 'gh-1' },
      { bucket: 'b', taskId: 'a-b' },
    ]);
    expect(resultObjectsOf({})).toEqual([]);
  });
});

describe('closingMessage', () => {
  it('is the text of the last assistant message with text', () => {
    const transcript = {
      system: [{ text: 'sys' }],
      messages: [
        { role: 'user', content: [{ text: 'do it' }] },
        { role: 'assistant', content: [{ text: 'Done: fixed' }, { text: 'the typo.' }] },
        { role: 'user', content: [{ toolResult: {} }] },
        { role: 'assistant', content: [{ reasoningContent: { reasoningText: { text: 'hmm' } } }, { toolUse: {} }] },
      ],
    };
    expect([closingMessage(transcript), closingMessage(undefined), closingMessage({ messages: 'x' })]).toEqual(['Done: fixed\n\nthe typo.', '', '']);
  });
});
