import { describe, expect, it } from 'vitest';
import { addTaskMetrics, createMetrics, withLogKeys, silentLog } from '../../../src/observability/index.ts';

describe('task metrics', () => {
  it('records count, duration, turns, tokens and cost with the outcome as a dimension (EMF)', () => {
    const metrics = createMetrics({ namespace: 'AgentRunner', serviceName: 'worker' });
    addTaskMetrics(metrics, {
      outcome: 'limit_reached',
      turns: 4,
      usage: { inputTokens: 1000, outputTokens: 200, cacheReadInputTokens: 300, cacheWriteInputTokens: 50 },
      costUsd: 0.0123,
      durationMs: 4567.8,
      model: 'm',
    });
    const emf = metrics.serializeMetrics() as any;
    const { _aws, ...values } = emf;
    expect(values).toEqual({
      service: 'worker',
      outcome: 'limit_reached',
      Tasks: 1,
      Duration: 4568,
      Turns: 4,
      InputTokens: 1000,
      OutputTokens: 200,
      CacheReadInputTokens: 300,
      CacheWriteInputTokens: 50,
      CostUsd: 0.0123,
      model: 'm',
    });
    expect(_aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'AgentRunner',
        Dimensions: [['service', 'outcome']],
        Metrics: [
          { Name: 'Tasks', Unit: 'Count' },
          { Name: 'Duration', Unit: 'Milliseconds' },
          { Name: 'Turns', Unit: 'Count' },
          { Name: 'InputTokens', Unit: 'Count' },
          { Name: 'OutputTokens', Unit: 'Count' },
          { Name: 'CacheReadInputTokens', Unit: 'Count' },
          { Name: 'CacheWriteInputTokens', Unit: 'Count' },
          { Name: 'CostUsd', Unit: 'None' },
        ],
      },
    ]);
  });

  it('records the continuations of a task that ran, as a Continuations metric', () => {
    const metrics = createMetrics({ namespace: 'AgentRunner', serviceName: 'worker' });
    const usage = { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheWriteInputTokens: 0 };
    addTaskMetrics(metrics, { outcome: 'continued', turns: 0, usage, costUsd: 0, durationMs: 1, continuations: 17 });
    const emf = metrics.serializeMetrics() as any;
    expect([emf.Continuations, emf._aws.CloudWatchMetrics[0].Metrics.at(-1)]).toEqual([17, { Name: 'Continuations', Unit: 'Count' }]);
  });

  it('removes appended log keys even when the work throws', async () => {
    const calls: string[] = [];
    const log = { ...silentLog, appendKeys: (k: Record<string, unknown>) => void calls.push(`+${Object.keys(k)}`), removeKeys: (k: string[]) => void calls.push(`-${k}`) };
    await expect(withLogKeys(log, { taskId: 't' }, async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(calls).toEqual(['+taskId', '-taskId']);
  });
});
