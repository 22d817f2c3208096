/** Model-facing names of MCP tools: `mcp__<server>__<tool>` within Bedrock's tool-name rules. */
import { createHash } from 'node:crypto';

/** Bedrock's toolSpec name: `[a-zA-Z0-9_-]{1,64}`. */
export const MAX_TOOL_NAME_LENGTH = 64;
const HASH_LENGTH = 8;

const sanitise = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');

/**
 * The name the model sees for `tool` of `server`: `mcp__<server>__<tool>` with every character
 * outside `[A-Za-z0-9_-]` made `_`. When that is longer than 64 characters or already in `taken`
 * (two tool names that differ only in such characters), it is cut and ends with `_` and a hash of
 * the original server and tool names, so distinct tools never share a name. The result is added
 * to `taken`.
 */
export function mcpToolName(server: string, tool: string, taken: Set<string>): string {
  const plain = `mcp__${sanitise(server)}__${sanitise(tool)}`;
  let name = plain;
  for (let n = 0; name.length > MAX_TOOL_NAME_LENGTH || taken.has(name); n++) {
    const hash = createHash('sha256').update(`${server}\0${tool}\0${n}`).digest('hex').slice(0, HASH_LENGTH);
    name = `${plain.slice(0, MAX_TOOL_NAME_LENGTH - HASH_LENGTH - 1)}_${hash}`;
  }
  taken.add(name);
  return name;
}
