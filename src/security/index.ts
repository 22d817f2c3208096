export { createRedactor, redactionMarker } from './redact.ts';
export type { Redactor, RedactorOptions } from './redact.ts';
export { unsafePatternReason } from './pattern-safety.ts';
export { BUILT_IN_PATTERNS } from './patterns.ts';
export type { BuiltInPattern } from './patterns.ts';
export { SecurityError, UnsafePatternError } from './errors.ts';
export { inheritableDescriptors, isolatedStdio } from './fds.ts';
export { resolveLinkInside } from './links.ts';
