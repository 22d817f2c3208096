import { describe, expect, it } from 'vitest';
import { finishedTasks, taskIdsOf, withNewTaskIds } from '../../../src/cli/invoke-event.ts';
import { UsageError } from '../../../src/cli/errors.ts';

const record = (body: string, messageId = 'm-1') => ({ messageId, receiptHandle: 'rh', body, eventSource: 'aws:sqs' });

describe('invoke: the sample event', () => {
  it('gets a fresh task id and message id in every record, the rest kept', () => {
    let n = 0;
    const event = { Records: [record(JSON.stringify({ taskId: 'example-task-1', prompt: 'p', limits: { maxTurns: 5 } })), record(JSON.stringify({ prompt: 'q' }), 'm-2')] };
    const out = withNewTaskIds(event, () => `fresh-${++n}`);
    expect(out.taskIds).toEqual(['fresh-1', 'fresh-2']);
    const records = (out.event as { Records: { messageId: string; body: string; receiptHandle: string }[] }).Records;
    expect(records.map((r) => JSON.parse(r.body))).toEqual([
      { taskId: 'fresh-1', prompt: 'p', limits: { maxTurns: 5 } },
      { taskId: 'fresh-2', prompt: 'q' },
    ]);
    expect(records.map((r) => r.messageId)).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/), expect.stringMatching(/^[0-9a-f-]{36}$/)]);
    expect(records[0].messageId).not.toBe('m-1');
    expect(records[0].receiptHandle).toBe('rh');
  });

  it('refuses events that are not SQS batches of JSON tasks', () => {
    expect(() => withNewTaskIds({ rawPath: '/' })).toThrow(UsageError);
    expect(() => withNewTaskIds({ Records: [record('not json')] })).toThrow('--new-task-id: the body of Records[0] is not JSON');
    expect(() => withNewTaskIds({ Records: [record('[1]')] })).toThrow('--new-task-id: the body of Records[0] is not a task object');
  });

  it('finds which of its tasks already have a result, a failed look counting as none', async () => {
    const event = { Records: [record('{"taskId":"a"}'), record('{"taskId":"b"}'), record('{"prompt":"no id"}'), record('nope')] };
    expect(taskIdsOf(event)).toEqual(['a', 'b']);
    const looked: string[] = [];
    const found = await finishedTasks(event, async (id) => {
      looked.push(id);
      if (id === 'b') throw new Error('network down');
      return true;
    });
    expect([found, looked]).toEqual([['a'], ['a', 'b']]);
  });
});
