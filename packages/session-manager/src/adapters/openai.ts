/**
 * `getMessagesForLlm()` → OpenAI Chat Completions request data, typed structurally (no SDK
 * dependency). The messages come from `@chuk/conversation`'s exporter; this adds the request fields.
 */
import type { ConversationMessage, OpenAIChatMessage } from '@chuk/conversation';
import { toOpenAIMessages } from '@chuk/conversation';

/** A Chat Completions function tool (the shape `getVmTools()` returns). */
export interface OpenAiFunctionTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: object };
}

export interface OpenAiChatRequest {
  model: string;
  messages: OpenAIChatMessage[];
  tools?: OpenAiFunctionTool[];
  max_completion_tokens?: number;
  temperature?: number;
}

export interface OpenAiRequestOptions {
  model: string;
  tools?: readonly OpenAiFunctionTool[];
  maxCompletionTokens?: number;
  temperature?: number;
  /** Send `developer` messages as `system` for endpoints that do not know the role (default false). */
  developerAsSystem?: boolean;
}

/** Builds the body of `POST /v1/chat/completions` from the facade's messages. */
export function toOpenAiChatRequest(messages: readonly ConversationMessage[], options: OpenAiRequestOptions): OpenAiChatRequest {
  let out = toOpenAIMessages(messages);
  if (options.developerAsSystem === true) {
    out = out.map((m) => (m.role === 'developer' ? { role: 'system', content: m.content } : m));
  }
  const request: OpenAiChatRequest = { model: options.model, messages: out };
  if (options.tools !== undefined && options.tools.length > 0) request.tools = [...options.tools];
  if (options.maxCompletionTokens !== undefined) request.max_completion_tokens = options.maxCompletionTokens;
  if (options.temperature !== undefined) request.temperature = options.temperature;
  return request;
}
