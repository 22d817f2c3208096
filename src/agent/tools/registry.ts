import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { ToolSpec } from '../../providers/types.ts';
import { applyPatchTool } from './apply-patch.ts';
import { editFileTool } from './edit-file.ts';
import { ToolCancelledError, ToolError, ToolHostError } from './errors.ts';
import { listFilesTool } from './list-files.ts';
import { readFileTool } from './read-file.ts';
import { toolError } from './result.ts';
import { searchTool } from './search.ts';
import { createShellTool } from './shell.ts';
import { truncateOutput } from './truncate.ts';
import type { Tool, ToolContext, ToolResult } from './types.ts';
import { writeFileTool } from './write-file.ts';

export interface ToolCallInput {
  id: string;
  name: string;
  input: unknown;
}

export interface ToolRegistry {
  specs(): ToolSpec[];
  get(name: string): Tool | undefined;
  isReadOnly(name: string): boolean;
  /**
   * Runs a call: unknown tool or input breaking the tool's schema gives an error result naming
   * the problem; output over `ctx.maxOutputBytes` keeps head and tail. Throws ToolCancelledError
   * when `ctx.signal` aborts and ToolHostError on host faults, never for the model's mistakes.
   */
  execute(call: ToolCallInput, ctx: ToolContext): Promise<ToolResult>;
}

/** The seven tools of the contract, in its order. */
export function defaultTools(): Tool[] {
  return [createShellTool(), readFileTool, writeFileTool, editFileTool, applyPatchTool, listFilesTool, searchTool];
}

/**
 * A registry over `tools`, each input schema compiled once, when the tool is first called: the
 * compilation (and Ajv's check of our own schemas against its meta-schema, left out) would
 * otherwise sit between a run's start and its first model request. Ajv itself loads with this
 * module, at start-up, outside an invocation's deadline.
 */
export function createToolRegistry(tools: Tool[] = defaultTools()): ToolRegistry {
  let ajv: Ajv | undefined;
  const compiler = () => (ajv ??= new Ajv({ allErrors: true, strict: true, validateSchema: false }));
  const byName = new Map<string, { tool: Tool; validate?: ValidateFunction }>();
  for (const tool of tools) {
    if (byName.has(tool.name)) throw new Error(`duplicate tool name ${tool.name}`);
    byName.set(tool.name, { tool });
  }
  const names = tools.map((t) => t.name).join(', ');

  return {
    specs: () => tools.map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema })),
    get: (name) => byName.get(name)?.tool,
    isReadOnly: (name) => byName.get(name)?.tool.readOnly ?? false,
    async execute(call, ctx) {
      const entry = byName.get(call.name);
      if (!entry) return toolError(`Unknown tool ${JSON.stringify(call.name)}. Available tools: ${names}.`);
      const { tool } = entry;
      const unusable = unusableInput(call.input);
      if (unusable) return toolError(`Invalid input for ${tool.name}: ${unusable}. Expected ${signature(tool)}.`);
      const validate = (entry.validate ??= compiler().compile(tool.inputSchema));
      if (!validate(call.input)) return toolError(validationMessage(tool, validate.errors ?? []));
      if (ctx.signal.aborted) throw new ToolCancelledError(tool.name, { cause: ctx.signal.reason });
      let result: ToolResult;
      try {
        result = await tool.run(call.input, ctx);
      } catch (err) {
        if (err instanceof ToolCancelledError) throw err;
        if (ctx.signal.aborted) throw new ToolCancelledError(tool.name, { cause: err });
        if (err instanceof ToolError) throw err;
        throw new ToolHostError(tool.name, err);
      }
      return { status: result.status, output: truncateOutput(result.output, ctx.maxOutputBytes) };
    },
  };
}

/** Why the loop could not hand the model's input over (see parseToolInput), or undefined. */
function unusableInput(input: unknown): string | undefined {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return undefined;
  const o = input as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length !== 1) return undefined;
  if (typeof o.__invalid_input === 'string') return o.__invalid_input;
  if (typeof o.__invalid_json === 'string') return 'it is not valid JSON';
  return undefined;
}

/** An actionable message naming each offending field, and the expected shape. */
function validationMessage(tool: Tool, errors: ErrorObject[]): string {
  const problems = [...new Set(errors.map(describeError))];
  return `Invalid input for ${tool.name}: ${problems.join('; ')}. Expected ${signature(tool)}.`;
}

function describeError(e: ErrorObject): string {
  const field = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '';
  const name = field ? `field "${field}"` : 'the input';
  switch (e.keyword) {
    case 'required':
      return `missing required field "${(e.params as { missingProperty: string }).missingProperty}"`;
    case 'additionalProperties':
      return `unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`;
    case 'type':
      return field ? `${name} must be of type ${(e.params as { type: string }).type}` : 'the input must be a JSON object';
    case 'minLength':
      return `${name} must not be empty`;
    case 'minimum':
      return `${name} must be at least ${(e.params as { limit: number }).limit}`;
    default:
      return `${name} ${e.message ?? 'is invalid'}`;
  }
}

/** `name({a: string, b?: integer})` from the tool's schema. */
function signature(tool: Tool): string {
  const schema = tool.inputSchema as { properties?: Record<string, { type?: string }>; required?: string[] };
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).map(([k, v]) => `${k}${required.has(k) ? '' : '?'}: ${v.type ?? 'any'}`);
  return `${tool.name}({${fields.join(', ')}})`;
}
