import { randomBytes } from 'node:crypto';

/** Task ids name S3 prefixes and folders: keep them to a safe, bounded alphabet. */
export const TASK_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A fresh task id for a producer that names its tasks (`run`, `enqueue`): the UTC time to the
 * second, so ids sort by creation, then 128 random bits as 32 hex digits
 * (`20261207T161807Z-6af63247...`, 49 characters). `random` gives the hex digits (tests).
 */
export function timedTaskId(now: Date, random: () => string = () => randomBytes(16).toString('hex')): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${random()}`;
}
