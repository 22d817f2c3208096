/** The tasks whose result objects an S3 event notification reports. */
export interface ResultObject {
  bucket: string;
  taskId: string;
}

const RESULT_KEY = /^tasks\/([A-Za-z0-9_-]{1,64})\/result\.json$/;

/**
 * Reads `Records[].s3` of an S3 event (keys arrive URL-encoded, spaces as `+`) and keeps the
 * `tasks/<taskId>/result.json` objects, each task once.
 */
export function resultObjectsOf(event: unknown): ResultObject[] {
  const records = (event as { Records?: unknown })?.Records;
  if (!Array.isArray(records)) return [];
  const out: ResultObject[] = [];
  for (const record of records) {
    const s3 = (record as { s3?: { bucket?: { name?: unknown }; object?: { key?: unknown } } })?.s3;
    const bucket = s3?.bucket?.name;
    const rawKey = s3?.object?.key;
    if (typeof bucket !== 'string' || typeof rawKey !== 'string') continue;
    let key: string;
    try {
      key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
    } catch {
      continue;
    }
    const match = RESULT_KEY.exec(key);
    if (match && !out.some((o) => o.bucket === bucket && o.taskId === match[1])) out.push({ bucket, taskId: match[1] });
  }
  return out;
}
