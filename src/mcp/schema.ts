/** MCP tool input schemas made acceptable as Bedrock toolSpec input schemas. */
import type { JsonSchema } from '../providers/types.ts';

/** Longest tool description given to the model; longer ones are cut (a server could spend the context on them). */
export const MAX_DESCRIPTION_CHARS = 4096;
// Bedrock (and Anthropic's tool API) refuse these at the top level of a tool's input schema.
const TOP_LEVEL_REFUSED = ['anyOf', 'oneOf', 'allOf', 'not', 'if', 'then', 'else', 'enum', 'const', '$schema'];

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A copy of `schema` that Bedrock accepts as a tool's input schema: a JSON object with
 * `type: "object"` and a `properties` object; top-level combinators (`anyOf`, `oneOf`, `allOf`,
 * `not`, conditionals), `enum`, `const` and `$schema` are left out (the server still checks its
 * input and answers a bad one with an error the model can act on); a `required` that is not a
 * list of property names is dropped. Anything not a JSON object becomes the empty object schema.
 */
export function toInputSchema(schema: unknown): JsonSchema {
  let copy: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(JSON.stringify(schema ?? {}));
    copy = isObject(parsed) ? parsed : {};
  } catch {
    copy = {};
  }
  for (const key of TOP_LEVEL_REFUSED) delete copy[key];
  copy.type = 'object';
  if (!isObject(copy.properties)) copy.properties = {};
  const required = copy.required;
  if (required !== undefined) {
    const props = copy.properties as Record<string, unknown>;
    const ok = Array.isArray(required) && required.every((r) => typeof r === 'string' && Object.hasOwn(props, r));
    if (!ok) delete copy.required;
  }
  return copy;
}

/** The tool's description for the model: its own, else its title, cut to MAX_DESCRIPTION_CHARS; names the server. */
export function toolDescription(server: string, tool: { name: string; title?: string; description?: string }): string {
  const name = tool.name.length > 200 ? `${tool.name.slice(0, 199)}…` : tool.name;
  const note = `(Tool "${name}" of the MCP server "${server}".)`;
  let own = (tool.description ?? tool.title ?? '').trim();
  const room = MAX_DESCRIPTION_CHARS - note.length - 2;
  if (own.length > room) own = `${own.slice(0, Math.max(0, room - 1))}…`;
  return own ? `${own}\n\n${note}` : note;
}
