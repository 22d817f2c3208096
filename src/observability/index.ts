export { createLogger, powertoolsLog, silentLog, withLogKeys } from './logger.ts';
export type { Log } from './logger.ts';
export { createMetrics, addTaskMetrics, emfTaskMetricsSink, memoryTaskMetricsSink } from './metrics.ts';
export type { TaskMetrics, TaskMetricsSink, TaskOutcome } from './metrics.ts';
