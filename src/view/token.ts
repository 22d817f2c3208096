import { createHmac, timingSafeEqual } from 'node:crypto';
import { TASK_ID_PATTERN } from '../task/ids.ts';
import { ViewKeyError, ViewLinkError } from './errors.ts';

/** How long a link lives unless told otherwise: 7 days. */
export const DEFAULT_VIEW_TTL_SECONDS = 7 * 24 * 3600;
/** Keys shorter than this are refused: the template generates 64 characters. */
export const MIN_VIEW_KEY_LENGTH = 32;

const VERSION = 'v1';
const MAC_BYTES = 32;
// A token: v1.<expiry, unix seconds>.<HMAC-SHA256, base64url>. Bounded so parsing is cheap.
const TOKEN = /^v1\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

function mac(key: string, taskId: string, expiresAt: number): Buffer {
  // The purpose string keeps these MACs apart from any other use of the same key.
  return createHmac('sha256', key).update(`agent-runner view\n${taskId}\n${expiresAt}`).digest();
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length < MIN_VIEW_KEY_LENGTH) {
    throw new ViewKeyError(`the view link key must be at least ${MIN_VIEW_KEY_LENGTH} characters`);
  }
}

/**
 * A capability token for the watch page of `taskId`, valid until `expiresAt` (unix seconds): an
 * HMAC-SHA256 with `key` over the task id and the expiry. Throws ViewKeyError for a short key and
 * ViewLinkError for a malformed task id or expiry.
 */
export function signViewToken(key: string, taskId: string, expiresAt: number): string {
  checkKey(key);
  if (!TASK_ID_PATTERN.test(taskId)) throw new ViewLinkError('taskId', `task id ${JSON.stringify(taskId)} must match [A-Za-z0-9_-]{1,64}`);
  if (!Number.isInteger(expiresAt) || expiresAt <= 0 || expiresAt >= 1e12) throw new ViewLinkError('expiresAt', `expiry ${expiresAt} must be whole unix seconds`);
  return `${VERSION}.${expiresAt}.${mac(key, taskId, expiresAt).toString('base64url')}`;
}

/**
 * Whether `token` grants the watch page of `taskId` at `nowMs`: well-formed, made with `key` for
 * this task id, and not expired. The MAC is always computed and compared in constant time, so
 * the answer takes as long for a wrong token as for a right one. Never throws on its input.
 */
export function verifyViewToken(key: string, taskId: string, token: string | undefined, nowMs: number): boolean {
  const m = typeof token === 'string' ? TOKEN.exec(token) : null;
  const expiresAt = m ? Number(m[1]) : 0;
  const given = m ? Buffer.from(m[2], 'base64url') : Buffer.alloc(MAC_BYTES);
  const expected = mac(key, taskId, expiresAt);
  const same = given.length === MAC_BYTES && timingSafeEqual(given, expected);
  return same && m !== null && expiresAt * 1000 > nowMs;
}
