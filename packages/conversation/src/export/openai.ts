import { safeJson } from '../common/text.js';
import { normalizeMessages } from './message.js';
import type { ConversationMessage } from './message.js';

/** A tool call of an assistant message (OpenAI Chat Completions). */
export interface OpenAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A message of the OpenAI Chat Completions `messages` array (plain data, no SDK). */
export type OpenAIChatMessage =
  | { role: 'system'; content: string }
  | { role: 'developer'; content: string }
  | { role: 'user'; content: string; name?: string }
  | { role: 'assistant'; content: string | null; tool_calls?: OpenAIToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

/** Tool-call arguments as the JSON text OpenAI expects (a string input is taken as that text). */
export function argumentsText(input: unknown): string {
  return typeof input === 'string' ? input : safeJson(input ?? {});
}

/**
 * Messages for OpenAI Chat Completions: every tool result carries the `tool_call_id` of a call declared in
 * the assistant message before it; calls without a result and empty assistant placeholders are dropped.
 */
export function toOpenAIMessages(messages: readonly ConversationMessage[]): OpenAIChatMessage[] {
  return normalizeMessages(messages).map((m): OpenAIChatMessage => {
    switch (m.kind) {
      case 'system':
        return { role: m.role, content: m.content };
      case 'user':
        return m.name === undefined ? { role: 'user', content: m.content } : { role: 'user', content: m.content, name: m.name };
      case 'assistant':
        if (m.toolCalls.length === 0) return { role: 'assistant', content: m.content };
        return {
          role: 'assistant',
          content: m.content,
          tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: argumentsText(c.input) } })),
        };
      case 'tool':
        return { role: 'tool', tool_call_id: m.toolCallId, content: m.content };
    }
  });
}
