import { createHmac, timingSafeEqual } from 'node:crypto';

const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

/** The `X-Hub-Signature-256` value GitHub sends for `body` under `secret`. */
export function signBody(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Whether `header` is a well-formed `sha256=<64 hex>` HMAC of the raw body under `secret`,
 * compared in constant time. Missing or malformed headers are simply not valid.
 */
export function verifySignature(secret: string, body: Buffer, header: string | undefined): boolean {
  if (!secret) return false;
  const match = header === undefined ? null : SIGNATURE.exec(header.trim());
  if (!match) return false;
  const given = Buffer.from(match[1], 'hex');
  const expected = createHmac('sha256', secret).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The task id of a delivery: `gh-` and 128 bits of an HMAC of its delivery id under the webhook
 * secret, as 32 hex digits. Unguessable without the secret (delivery ids are not secret: GitHub
 * shows them), and the same for a redelivery, so a task sent twice is still one task.
 */
export function deliveryTaskId(secret: string, deliveryId: string): string {
  return `gh-${createHmac('sha256', secret).update(`agent-runner task id\0${deliveryId}`).digest('hex').slice(0, 32)}`;
}
