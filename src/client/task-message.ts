import { TASK_ID_PATTERN, taskMessageSchema, timedTaskId, type TaskMessage } from '../task/index.ts';
import type { TaskLimits } from '../task/types.ts';
import { ClientConfigError } from './errors.ts';

export type RemoteSource =
  | { s3: { bucket: string; key: string } }
  | { git: { url: string; ref?: string } }
  | { github: { owner: string; repo: string; ref?: string } };

export interface TaskMessageInput {
  taskId: string;
  prompt: string;
  source: RemoteSource;
  model?: string;
  profile?: string;
  limits?: TaskLimits;
}

/**
 * The task message of contract section 7, checked against the same schema the worker uses so
 * a mistake is refused here (exit 2, naming the field) instead of as a rejected task later.
 */
export function buildTaskMessage(input: TaskMessageInput): TaskMessage {
  const limits = Object.fromEntries(Object.entries(input.limits ?? {}).filter(([, v]) => v !== undefined)) as TaskLimits;
  const msg: Record<string, unknown> = { taskId: input.taskId, prompt: input.prompt, source: input.source };
  if (input.model !== undefined) msg.model = input.model;
  if (input.profile !== undefined) msg.profile = input.profile;
  if (Object.keys(limits).length > 0) msg.limits = limits;
  const parsed = taskMessageSchema.safeParse(msg);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.map(String).join('.') || 'task';
    throw new ClientConfigError(`invalid task: ${field}: ${issue.message}`);
  }
  return parsed.data;
}

/** The S3 key of a task's packed working tree. */
export function inputKey(taskId: string): string {
  return `inputs/${taskId}.tar.gz`;
}

/** `owner/repo@ref` (ref optional) as a GitHub source; ClientConfigError when malformed. */
export function parseGithubSpec(spec: string): { owner: string; repo: string; ref?: string } {
  const m = /^([A-Za-z0-9_.-]{1,100})\/([A-Za-z0-9_.-]{1,100})(?:@(.+))?$/.exec(spec.trim());
  if (!m) throw new ClientConfigError(`--github ${JSON.stringify(spec)} is not of the form owner/repo@ref`);
  return m[3] ? { owner: m[1], repo: m[2].replace(/\.git$/, ''), ref: m[3] } : { owner: m[1], repo: m[2].replace(/\.git$/, '') };
}

/** Checks a user-given task id against contract section 7. */
export function checkTaskId(id: string, flag = '--task-id'): string {
  if (!TASK_ID_PATTERN.test(id)) throw new ClientConfigError(`${flag} ${JSON.stringify(id)} must match [A-Za-z0-9_-]{1,64}`);
  return id;
}

/** A fresh task id: UTC time to the second (sorts by creation) and 128 random bits (`timedTaskId`). */
export function newTaskId(now: Date, random?: () => string): string {
  return timedTaskId(now, random);
}
