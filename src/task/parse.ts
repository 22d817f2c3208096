import type { z } from 'zod/v4';
import type { ContinuationInfo, Task, TaskSource } from './types.ts';
import { TASK_ID_PATTERN } from './ids.ts';
import { githubReplySchema, taskMessageSchema, type TaskMessage } from './schema.ts';
import { MAX_PROMPT_BYTES } from './limits.ts';

export interface ParseTaskOptions {
  /** The SQS message id: the rejected task's id when the body holds no valid taskId. */
  messageId: string;
  /** Generates a task id when the message has none (unguessable; injected by the edge). */
  newId: () => string;
  /** When set, `source.s3.bucket` must be one of these. */
  allowedSourceBuckets?: string[];
  /** Maximum prompt size in UTF-8 bytes (default 256 KiB). */
  maxPromptBytes?: number;
}

export type ParseTaskResult =
  /** `continuation`: the message is the worker's continuation form of its task. */
  | { ok: true; task: Task; continuation?: ContinuationInfo }
  | { ok: false; taskId: string; error: { code: 'invalid_task' | 'invalid_json'; message: string } };

/** `reply` is free-form but carried in every artifact: bounded in size and depth. */
const MAX_REPLY_BYTES = 16 * 1024;
const MAX_REPLY_DEPTH = 16;

/**
 * Validates an SQS message body against the task schema (contract section 7). Never throws: an
 * invalid body gives `ok: false` with an error naming the offending field, and the id under which
 * the rejection is recorded (the body's valid `taskId`, else a safe form of the message id).
 */
export function parseTaskMessage(body: string, opts: ParseTaskOptions): ParseTaskResult {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    return reject(undefined, opts, 'invalid_json', `the message body is not JSON: ${(err as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return reject(undefined, opts, 'invalid_task', 'the message body must be a JSON object');
  }
  const parsed = taskMessageSchema.safeParse(json);
  if (!parsed.success) {
    return reject(json, opts, 'invalid_task', formatIssue(parsed.error.issues[0], json));
  }
  const msg = parsed.data;
  const maxBytes = opts.maxPromptBytes ?? MAX_PROMPT_BYTES;
  if (Buffer.byteLength(msg.prompt, 'utf8') > maxBytes) {
    return reject(json, opts, 'invalid_task', `prompt: longer than ${maxBytes} bytes`);
  }
  const replyProblem = checkReply(msg.reply);
  if (replyProblem) return reject(json, opts, 'invalid_task', replyProblem);
  if (msg.continuation && msg.taskId === undefined) {
    return reject(json, opts, 'invalid_task', 'continuation: only a continuation of a task named by taskId carries it');
  }
  const bucket = msg.source?.s3?.bucket;
  if (bucket !== undefined && opts.allowedSourceBuckets && !opts.allowedSourceBuckets.includes(bucket)) {
    return reject(json, opts, 'invalid_task', `source.s3.bucket: bucket "${bucket}" is not allowed`);
  }
  const task = toTask(msg, msg.taskId ?? opts.newId());
  return msg.continuation ? { ok: true, task, continuation: { hop: msg.continuation.hop } } : { ok: true, task };
}

function toTask(msg: TaskMessage, taskId: string): Task {
  const task: Task = { taskId, prompt: msg.prompt, limits: { ...(msg.limits ?? {}) } };
  const source = toSource(msg.source);
  if (source) task.source = source;
  if (msg.model !== undefined) task.model = msg.model;
  if (msg.profile !== undefined) task.profile = msg.profile;
  if (msg.reply !== undefined) task.reply = msg.reply;
  return task;
}

function toSource(s: TaskMessage['source']): TaskSource | undefined {
  if (!s) return undefined;
  if (s.s3) return { s3: { bucket: s.s3.bucket, key: s.s3.key } };
  if (s.git) return { git: s.git.ref === undefined ? { url: s.git.url } : { url: s.git.url, ref: s.git.ref } };
  if (s.github) {
    const { owner, repo, ref } = s.github;
    return { github: ref === undefined ? { owner, repo } : { owner, repo, ref } };
  }
  return undefined;
}

function reject(json: unknown, opts: ParseTaskOptions, code: 'invalid_task' | 'invalid_json', message: string): ParseTaskResult {
  return { ok: false, taskId: rejectedTaskId(json, opts.messageId), error: { code, message } };
}

/** The id a rejected message is recorded under: its own valid taskId, else the SQS message id. */
export function rejectedTaskId(json: unknown, messageId: string): string {
  const candidate = (json as { taskId?: unknown } | undefined)?.taskId;
  if (typeof candidate === 'string' && TASK_ID_PATTERN.test(candidate)) return candidate;
  // Message ids are UUIDs on SQS; anything else is made safe for a key and a folder name.
  const safe = messageId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
  return safe.length > 0 ? safe : 'unknown';
}

/** Why `reply` is refused: too big or deep (measured without recursion), or a malformed `github`. */
function checkReply(reply: unknown): string | undefined {
  if (reply === undefined) return undefined;
  let bytes = 0;
  const stack: { v: unknown; depth: number }[] = [{ v: reply, depth: 1 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (depth > MAX_REPLY_DEPTH) return `reply: nested deeper than ${MAX_REPLY_DEPTH} levels`;
    if (typeof v === 'string') bytes += Buffer.byteLength(v, 'utf8') + 2;
    else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) {
        bytes += k.length + 4;
        stack.push({ v: item, depth: depth + 1 });
      }
    } else bytes += 8;
    if (bytes > MAX_REPLY_BYTES) return `reply: larger than ${MAX_REPLY_BYTES} bytes`;
  }
  if (typeof reply === 'object' && reply !== null && !Array.isArray(reply) && 'github' in reply) {
    const gh = githubReplySchema.safeParse((reply as { github: unknown }).github);
    if (!gh.success) return formatIssue({ ...gh.error.issues[0], path: ['reply', 'github', ...gh.error.issues[0].path] } as z.core.$ZodIssue, { reply });
  }
  return undefined;
}

function formatIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const fields = issue.keys.map((k) => (path ? `${path}.${k}` : k));
    return `${fields.join(', ')}: unknown field${fields.length > 1 ? 's' : ''}`;
  }
  // Zod leaves `issue.input` out unless asked: look the value up to tell missing from mistyped.
  if (issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined) return `${path}: required`;
  return `${path || 'body'}: ${issue.message}`;
}

function valueAt(v: unknown, path: readonly PropertyKey[]): unknown {
  let cur = v;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}
