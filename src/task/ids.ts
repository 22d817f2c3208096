/** Task ids name S3 prefixes and folders: keep them to a safe, bounded alphabet. */
export const TASK_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
