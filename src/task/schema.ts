import * as z from 'zod/v4';
import { TASK_ID_PATTERN } from './ids.ts';

const nonEmpty = z.string().trim().min(1);
// Bucket names per S3 rules (3-63, lowercase, digits, dots, hyphens); keys bounded like S3's.
const bucket = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name');
const key = z.string().min(1).max(1024);
// As GitHub names them: owners (users, organisations; `_` for managed users) never start with a
// hyphen; repository names may hold dots but are never `.` or `..`, which would climb out of the
// API's path.
const ghOwner = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, 'must be a GitHub owner (letters, digits, hyphens and underscores, not starting with a hyphen)');
const ghRepo = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,100}$/, 'must be a GitHub repository name (letters, digits, . _ -, not . or ..)')
  .refine((r) => r !== '.' && r !== '..', 'must be a GitHub repository name (letters, digits, . _ -, not . or ..)');
// A git ref as `git check-ref-format` would allow it, minus the rarely used corners.
const ref = z
  .string()
  .min(1)
  .max(255)
  .refine((r) => !/(^[/.-])|\.\.|[\s~^:?*[\\]|@\{|\/\/|\/\.|\.lock$|[/.]$/.test(r) && !hasControlChar(r), 'must be a valid git ref');
function hasControlChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

const gitUrl = z
  .string()
  .max(2048)
  .refine((u) => {
    try {
      const p = new URL(u).protocol;
      return p === 'https:' || p === 'http:';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL');

// One object with three optional members (exactly one set) rather than a union, so that an error
// names the precise field (`source.s3.bucket`) instead of "no union member matched".
const source = z
  .strictObject({
    s3: z.strictObject({ bucket, key }).optional(),
    git: z.strictObject({ url: gitUrl, ref: ref.optional() }).optional(),
    github: z.strictObject({ owner: ghOwner, repo: ghRepo, ref: ref.optional() }).optional(),
  })
  .refine((s) => [s.s3, s.git, s.github].filter((x) => x !== undefined).length === 1, {
    message: 'must hold exactly one of s3, git or github',
  });

const limits = z.strictObject({
  maxTurns: z.number().int().positive().max(10_000).optional(),
  maxCostUsd: z.number().positive().max(100_000).optional(),
  timeoutSeconds: z.number().int().positive().max(7 * 24 * 3600).optional(),
  maxTokens: z.number().int().positive().max(1_000_000).optional(),
});

/** `reply.github`: the issue or pull request the publisher answers (the shape ingest sends). */
export const githubReplySchema = z.strictObject({
  owner: ghOwner,
  repo: ghRepo,
  issue: z.number().int().positive().max(2 ** 31 - 1),
});

/** The task message of contract section 7; unknown fields are rejected at every level. */
export const taskMessageSchema = z.strictObject({
  taskId: z.string().regex(TASK_ID_PATTERN, 'must match [A-Za-z0-9_-]{1,64}').optional(),
  prompt: nonEmpty,
  source: source.optional(),
  // Slashes only separate an ARN's resource type or a provider's namespace, never `.` or `..` segments.
  model: z
    .string()
    .regex(/^[A-Za-z0-9._:/-]{1,2048}$/, 'must be a model id, inference-profile id or ARN')
    .refine((m) => !m.split('/').some((seg) => seg === '.' || seg === '..' || seg === ''), 'must be a model id, inference-profile id or ARN')
    .optional(),
  profile: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be a profile name').optional(),
  limits: limits.optional(),
  // Free-form by contract; bounded and, for `github`, checked in parse.ts.
  reply: z.unknown().optional(),
  // The worker's continuation form only (a task it queues again): checked in parse.ts.
  continuation: z.strictObject({ hop: z.number().int().positive().max(1_000_000) }).optional(),
});

export type TaskMessage = z.infer<typeof taskMessageSchema>;
