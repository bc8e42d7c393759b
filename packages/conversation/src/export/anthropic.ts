import { normalizeMessages, toolInputObject } from './message.js';
import type { ConversationMessage } from './message.js';

export interface AnthropicTextBlock {
  type: 'text';
  text: string;
}
export interface AnthropicToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: Record<string, unknown>;
}
export interface AnthropicToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  content: string;
  is_error?: boolean;
}
export type AnthropicContentBlock = AnthropicTextBlock | AnthropicToolUseBlock | AnthropicToolResultBlock;

/** A message of the Anthropic Messages API (plain data, no SDK). */
export interface AnthropicMessage {
  role: 'user' | 'assistant';
  /** a lone text block is given as a string */
  content: string | AnthropicContentBlock[];
}

/** The `system` and `messages` fields of an Anthropic Messages request. */
export interface AnthropicPrompt {
  /** every system/developer message, in order, joined by a blank line; absent when there is none */
  system?: string;
  messages: AnthropicMessage[];
}

/**
 * Messages for the Anthropic Messages API: system messages go to `system`; tool calls become `tool_use`
 * blocks of the assistant message and their results `tool_result` blocks of the next user message;
 * consecutive messages of one role are merged (the API wants alternating roles); empty text is left out.
 */
export function toAnthropicMessages(messages: readonly ConversationMessage[]): AnthropicPrompt {
  const system: string[] = [];
  const out: { role: 'user' | 'assistant'; blocks: AnthropicContentBlock[] }[] = [];
  const push = (role: 'user' | 'assistant', blocks: AnthropicContentBlock[]): void => {
    if (blocks.length === 0) return;
    const last = out[out.length - 1];
    if (last?.role === role) last.blocks.push(...blocks);
    else out.push({ role, blocks });
  };
  const text = (value: string | null): AnthropicTextBlock[] => (value === null || value === '' ? [] : [{ type: 'text', text: value }]);
  for (const m of normalizeMessages(messages)) {
    switch (m.kind) {
      case 'system':
        if (m.content !== '') system.push(m.content);
        break;
      case 'user':
        push('user', text(m.content));
        break;
      case 'assistant':
        push('assistant', [
          ...text(m.content),
          ...m.toolCalls.map((c): AnthropicToolUseBlock => ({ type: 'tool_use', id: c.id, name: c.name, input: toolInputObject(c.input) })),
        ]);
        break;
      case 'tool': {
        const block: AnthropicToolResultBlock = { type: 'tool_result', tool_use_id: m.toolCallId, content: m.content };
        if (m.isError) block.is_error = true;
        push('user', [block]);
        break;
      }
    }
  }
  const result: AnthropicPrompt = {
    messages: out.map(({ role, blocks }) => {
      const only = blocks[0];
      return { role, content: blocks.length === 1 && only?.type === 'text' ? only.text : blocks };
    }),
  };
  if (system.length > 0) result.system = system.join('\n\n');
  return result;
}
