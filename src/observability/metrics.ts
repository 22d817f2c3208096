import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Usage } from '../providers/types.ts';

/**
 * How one queue message ended. `rejected` and `duplicate` never ran the loop; `continued` paused
 * the task and queued it again to go on in another invocation.
 */
export type TaskOutcome = 'succeeded' | 'failed' | 'limit_reached' | 'rejected' | 'duplicate' | 'continued';

export interface TaskMetrics {
  outcome: TaskOutcome;
  turns: number;
  usage: Usage;
  costUsd: number;
  durationMs: number;
  /** The task's continuations so far (its hop count), for messages that ran it. */
  continuations?: number;
  model?: string;
}

/** Where the worker reports each finished message. */
export interface TaskMetricsSink {
  publish(m: TaskMetrics): void;
}

/** A Powertools Metrics instance writing CloudWatch embedded-metric-format lines to stdout. */
export function createMetrics(opts: { namespace: string; serviceName: string }): Metrics {
  return new Metrics({ namespace: opts.namespace, serviceName: opts.serviceName });
}

/**
 * Adds one message's metrics (count, duration, turns, tokens by kind, cost, and for messages that
 * ran the task its continuations so far), with `outcome` as a dimension, to `metrics` without
 * publishing them.
 */
export function addTaskMetrics(metrics: Metrics, m: TaskMetrics): void {
  metrics.addDimension('outcome', m.outcome);
  metrics.addMetric('Tasks', MetricUnit.Count, 1);
  metrics.addMetric('Duration', MetricUnit.Milliseconds, Math.max(0, Math.round(m.durationMs)));
  metrics.addMetric('Turns', MetricUnit.Count, m.turns);
  metrics.addMetric('InputTokens', MetricUnit.Count, m.usage.inputTokens);
  metrics.addMetric('OutputTokens', MetricUnit.Count, m.usage.outputTokens);
  metrics.addMetric('CacheReadInputTokens', MetricUnit.Count, m.usage.cacheReadInputTokens);
  metrics.addMetric('CacheWriteInputTokens', MetricUnit.Count, m.usage.cacheWriteInputTokens);
  metrics.addMetric('CostUsd', MetricUnit.NoUnit, m.costUsd);
  if (m.continuations !== undefined) metrics.addMetric('Continuations', MetricUnit.Count, m.continuations);
  if (m.model) metrics.addMetadata('model', m.model);
}

/** A sink publishing each message's metrics as one EMF record at once. */
export function emfTaskMetricsSink(metrics: Metrics): TaskMetricsSink {
  return {
    publish(m) {
      addTaskMetrics(metrics, m);
      metrics.publishStoredMetrics();
    },
  };
}

/** A sink that keeps what it is given (tests, `agent-runner dev` summaries). */
export function memoryTaskMetricsSink(): TaskMetricsSink & { published: TaskMetrics[] } {
  const published: TaskMetrics[] = [];
  return { published, publish: (m) => void published.push(m) };
}
