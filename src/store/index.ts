export type { ArtifactName, ArtifactStore, ConditionalStore, Versioned } from './types.ts';
export { FsArtifactStore } from './fs.ts';
export { S3ArtifactStore } from './s3.ts';
export type { S3ArtifactStoreOptions } from './s3.ts';
export { StoreError, InvalidKeyError, EventOrderError } from './errors.ts';
export { segmentName, segmentFirstSeq, toNdjson, parseNdjson, assertTaskId, assertArtifactName, artifactContentType } from './keys.ts';
export { contentEtag } from './fs-cas.ts';
