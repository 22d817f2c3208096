import { describe, expect, it } from 'vitest';
import { MAX_DESCRIPTION_CHARS, toInputSchema, toolDescription } from '../../../src/mcp/index.ts';

describe('toInputSchema', () => {
  it('keeps a plain object schema as it is', () => {
    const schema = { type: 'object', properties: { a: { type: 'number', description: 'first' } }, required: ['a'], additionalProperties: false, $defs: { x: { type: 'string' } } };
    expect(toInputSchema(schema)).toEqual(schema);
  });

  it('makes what Bedrock refuses acceptable: no type, top-level combinators, $schema, no properties', () => {
    expect(toInputSchema({ $schema: 'https://json-schema.org/draft/2020-12/schema', anyOf: [{ required: ['a'] }, { required: ['b'] }], properties: { a: {}, b: {} } })).toEqual({ type: 'object', properties: { a: {}, b: {} } });
    expect(toInputSchema({ type: ['object', 'null'] })).toEqual({ type: 'object', properties: {} });
    expect(toInputSchema({ type: 'object', oneOf: [{}], allOf: [{}], not: {}, if: {}, then: {}, else: {}, enum: [{}], const: {} })).toEqual({ type: 'object', properties: {} });
  });

  it('drops a required list that names missing properties or is not a list of strings', () => {
    expect(toInputSchema({ type: 'object', properties: { a: {} }, required: ['a', 'b'] })).toEqual({ type: 'object', properties: { a: {} } });
    expect(toInputSchema({ type: 'object', properties: { a: {} }, required: 'a' })).toEqual({ type: 'object', properties: { a: {} } });
  });

  it('turns anything that is not a JSON object into the empty object schema', () => {
    for (const v of [undefined, null, 'x', [1], 3]) expect(toInputSchema(v)).toEqual({ type: 'object', properties: {} });
  });

  it('returns a copy', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    const out = toInputSchema(schema) as { properties: { a: { type: string } } };
    out.properties.a.type = 'number';
    expect(schema.properties.a.type).toBe('string');
  });
});

describe('toolDescription', () => {
  it('names the tool and its server after its own description (or title)', () => {
    expect(toolDescription('fs', { name: 'read_file', description: 'Reads a file.' })).toBe('Reads a file.\n\n(Tool "read_file" of the MCP server "fs".)');
    expect(toolDescription('fs', { name: 'x', title: 'X marks' })).toBe('X marks\n\n(Tool "x" of the MCP server "fs".)');
    expect(toolDescription('fs', { name: 'x' })).toBe('(Tool "x" of the MCP server "fs".)');
  });

  it('cuts a long description, keeping the note', () => {
    const d = toolDescription('fs', { name: 'x', description: 'y'.repeat(10_000) });
    expect([d.length <= MAX_DESCRIPTION_CHARS, d.endsWith('…\n\n(Tool "x" of the MCP server "fs".)')]).toEqual([true, true]);
  });
});
