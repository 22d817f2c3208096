export { createMcpToolSource } from './source.ts';
export { mcpToolName, MAX_TOOL_NAME_LENGTH } from './names.ts';
export { toInputSchema, toolDescription, MAX_DESCRIPTION_CHARS } from './schema.ts';
export { McpClientError, McpCallError, McpStartError } from './errors.ts';
export type { McpCallFailure, McpStartFailure } from './errors.ts';
export type { McpSourceOptions } from './types.ts';
