import type { ResolvedTool, ToolRegistry } from '../execution/registry.js';
import { jsonSchemaOf } from '../execution/validation.js';
import type { AnyToolDefinition, JsonSchemaObject } from '../execution/registry.js';

/** Separator of exported namespaced names (`ns__name`): dots are not allowed in provider tool names. */
export const NAMESPACE_SEPARATOR = '__';

export interface OpenAiToolDef {
  type: 'function';
  function: { name: string; description?: string; parameters: JsonSchemaObject; strict?: boolean };
}
export interface OpenAiResponsesToolDef {
  type: 'function';
  name: string;
  description?: string;
  parameters: JsonSchemaObject;
  strict?: boolean;
}
export interface AnthropicToolDef {
  name: string;
  description?: string;
  input_schema: JsonSchemaObject;
}
export interface AiSdkToolSpec {
  description?: string;
  inputSchema: JsonSchemaObject;
}

type Source = ToolRegistry | readonly AnyToolDefinition[];

const EMPTY_SCHEMA: JsonSchemaObject = { type: 'object', properties: {} };

function entries(source: Source): ResolvedTool[] {
  return Array.isArray(source)
    ? (source as readonly AnyToolDefinition[]).map((def) => ({ def, namespace: def.namespace ?? 'default' }))
    : (source as ToolRegistry).definitions();
}

/** `name`, or `namespace__name` outside the default namespace. */
export const exportedToolName = (name: string, namespace: string): string => (namespace === 'default' ? name : `${namespace}${NAMESPACE_SEPARATOR}${name}`);

const describe = (def: AnyToolDefinition): { description?: string } => (def.description !== undefined ? { description: def.description } : {});

export function toolDefinitionsForOpenAi(source: Source, opts: { strict?: boolean } = {}): OpenAiToolDef[] {
  return entries(source).map(({ def, namespace }) => ({
    type: 'function',
    function: {
      name: exportedToolName(def.name, namespace),
      ...describe(def),
      parameters: jsonSchemaOf(def) ?? EMPTY_SCHEMA,
      ...(opts.strict !== undefined ? { strict: opts.strict } : {}),
    },
  }));
}

export function toolDefinitionsForOpenAiResponses(source: Source, opts: { strict?: boolean } = {}): OpenAiResponsesToolDef[] {
  return toolDefinitionsForOpenAi(source, opts).map((d) => ({ type: 'function', ...d.function }));
}

export function toolDefinitionsForAnthropic(source: Source): AnthropicToolDef[] {
  return entries(source).map(({ def, namespace }) => ({
    name: exportedToolName(def.name, namespace),
    ...describe(def),
    input_schema: jsonSchemaOf(def) ?? EMPTY_SCHEMA,
  }));
}

/** `{ [name]: { description, inputSchema } }`; wrap with the SDK's `jsonSchema()` / `tool()` in the app. */
export function toolDefinitionsForAiSdk(source: Source): Record<string, AiSdkToolSpec> {
  return Object.fromEntries(
    entries(source).map(({ def, namespace }) => [exportedToolName(def.name, namespace), { ...describe(def), inputSchema: jsonSchemaOf(def) ?? EMPTY_SCHEMA }]),
  );
}
