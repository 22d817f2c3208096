export type { ContinuationInfo, Task, TaskLimits, TaskSource } from './types.ts';
export { parseTaskMessage, rejectedTaskId } from './parse.ts';
export type { ParseTaskOptions, ParseTaskResult } from './parse.ts';
export { TASK_ID_PATTERN, timedTaskId } from './ids.ts';
export { MAX_PROMPT_BYTES } from './limits.ts';
export { taskMessageSchema } from './schema.ts';
export type { TaskMessage } from './schema.ts';
export type { AgentEvent, DiffStats, EventBody, EventEnvelope, EventType, SetupStep, TaskResult, TaskStatus } from './events.ts';
