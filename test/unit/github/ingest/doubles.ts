/** In-memory doubles of ingest's delivery log and task queue, and signed deliveries, for ingest's tests. */
import { GitHubClient } from '../../../../src/github/client.ts';
import type { DeliveryLog } from '../../../../src/github/ingest/deliveries.ts';
import type { IngestDeps } from '../../../../src/github/ingest/ingest.ts';
import type { TaskQueue } from '../../../../src/github/ingest/queue.ts';
import type { WebhookRequest } from '../../../../src/github/ingest/request.ts';
import { signBody } from '../../../../src/github/ingest/signature.ts';
import type { GitHubTaskMessage } from '../../../../src/github/types.ts';

export class MemoryDeliveries implements DeliveryLog {
  readonly claimed = new Set<string>();
  readonly released: string[] = [];
  async claim(id: string) {
    if (this.claimed.has(id)) return false;
    this.claimed.add(id);
    return true;
  }
  async release(id: string) {
    this.claimed.delete(id);
    this.released.push(id);
  }
}

export class MemoryQueue implements TaskQueue {
  readonly tasks: GitHubTaskMessage[] = [];
  /** Sends that fail before any succeeds again. */
  failures = 0;
  async send(task: GitHubTaskMessage) {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('SQS is unavailable');
    }
    this.tasks.push(task);
  }
}

/** A POST delivery of `payload` as GitHub sends it, signed with `secret` unless a signature (or null: none) is given. */
export function signedDelivery(secret: string, event: string, id: string, payload: unknown, signature?: string | null): WebhookRequest {
  const body = Buffer.from(JSON.stringify(payload));
  const headers: Record<string, string> = { 'x-github-event': event, 'x-github-delivery': id, 'content-type': 'application/json' };
  if (signature !== null) headers['x-hub-signature-256'] = signature ?? signBody(secret, body);
  return { method: 'POST', headers, body };
}

/** Ingest's dependencies on memory doubles and a GitHub at `apiUrl` taking `token` (label `agent`, CI failures classified). */
export function memoryIngest(apiUrl: string, secret: string, token: string): { deps: IngestDeps; deliveries: MemoryDeliveries; queue: MemoryQueue } {
  const deliveries = new MemoryDeliveries();
  const queue = new MemoryQueue();
  const deps: IngestDeps = {
    webhookSecret: async () => secret,
    deliveries,
    queue,
    github: () => new GitHubClient({ apiUrl, token: async () => token }),
    triggers: { label: 'agent', checkRuns: true },
  };
  return { deps, deliveries, queue };
}
