/** Webhook ingest, with the shared pieces its function needs (so its bundle leaves the publisher out). */
export { GitHubClient } from '../client.ts';
export { cachedSecretReader, readGitHubSettings, tokenProviderFor } from '../config.ts';
export { signBody, verifySignature } from './signature.ts';
export { fromFunctionUrlEvent, parsePayload } from './request.ts';
export type { FunctionUrlEventLike, WebhookRequest } from './request.ts';
export { COMMAND, classifyDelivery, isCommand } from './triggers.ts';
export type { Classification, IssueInfo, RepoInfo, Trigger, TriggerOptions } from './triggers.ts';
export { buildPrompt, forkReply, permissionDeniedReply } from './prompt.ts';
export type { PromptInput, ThreadComment } from './prompt.ts';
export { S3DeliveryLog } from './deliveries.ts';
export type { DeliveryLog, S3DeliveryLogOptions } from './deliveries.ts';
export { SqsTaskQueue } from './queue.ts';
export type { TaskQueue } from './queue.ts';
export { handleDelivery } from './ingest.ts';
export type { IngestDeps, IngestLog, IngestResponse } from './ingest.ts';
