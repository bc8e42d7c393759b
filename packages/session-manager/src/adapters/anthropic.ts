/**
 * `getMessagesForLlm()` → Anthropic Messages request data, typed structurally (no SDK dependency).
 * `system` and `messages` come from `@chuk/conversation`'s exporter (system and developer messages
 * become the top-level `system`, same-role turns are merged); this adds the request fields.
 */
import type { AnthropicMessage, ConversationMessage } from '@chuk/conversation';
import { toAnthropicMessages } from '@chuk/conversation';
import type { OpenAiFunctionTool } from './openai.js';

export interface AnthropicTool {
  name: string;
  description?: string;
  input_schema: object;
}

export interface AnthropicMessagesRequest {
  model: string;
  max_tokens: number;
  system?: string;
  messages: AnthropicMessage[];
  tools?: AnthropicTool[];
  temperature?: number;
}

export interface AnthropicRequestOptions {
  model: string;
  /** Required by the Messages API. */
  maxTokens: number;
  /** Chat Completions tool definitions (e.g. `getVmTools()`), converted to Anthropic's shape. */
  tools?: readonly OpenAiFunctionTool[];
  temperature?: number;
}

const EMPTY_OBJECT_SCHEMA = { type: 'object', properties: {} } as const;

/** A Chat Completions function tool as an Anthropic tool. */
export function toAnthropicTool(tool: OpenAiFunctionTool): AnthropicTool {
  const out: AnthropicTool = { name: tool.function.name, input_schema: tool.function.parameters ?? EMPTY_OBJECT_SCHEMA };
  if (tool.function.description !== undefined) out.description = tool.function.description;
  return out;
}

/** Builds the body of `POST /v1/messages` from the facade's messages. */
export function toAnthropicMessagesRequest(
  messages: readonly ConversationMessage[],
  options: AnthropicRequestOptions,
): AnthropicMessagesRequest {
  const prompt = toAnthropicMessages(messages);
  const request: AnthropicMessagesRequest = { model: options.model, max_tokens: options.maxTokens, messages: prompt.messages };
  if (prompt.system !== undefined) request.system = prompt.system;
  if (options.tools !== undefined && options.tools.length > 0) request.tools = options.tools.map(toAnthropicTool);
  if (options.temperature !== undefined) request.temperature = options.temperature;
  return request;
}
