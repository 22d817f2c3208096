/** The publisher, with the shared pieces its function needs (so its bundle leaves ingest out). */
export { GitHubClient } from '../client.ts';
export { cachedSecretReader, readGitHubSettings, tokenProviderFor } from '../config.ts';
export { changedFiles, planChanges } from './apply.ts';
export type { BaseFile, FileChange, PlannedChanges } from './apply.ts';
export { closingMessage, readOutcome } from './artifacts.ts';
export type { TaskOutcome } from './artifacts.ts';
export { resultObjectsOf } from './event.ts';
export type { ResultObject } from './event.ts';
export { GitData } from './gitdata.ts';
export type { CommitInfo, TreeChange, TreeEntry } from './gitdata.ts';
export { S3PublishedMarker } from './marker.ts';
export type { PublishedMarker } from './marker.ts';
export { publishTask } from './publish.ts';
export { S3PullStateStore } from '../pull-state-store.ts';
export type { PullStateStore } from '../pull-state-store.ts';
export type { PublishDeps, PublishLog, PublishOutcome } from './publish.ts';
export { renderMessage } from './text.ts';
export type { ChangedFile, PublishMessage, RenderedMessage } from './text.ts';
