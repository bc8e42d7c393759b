import { normalizeMessages, toolInputObject } from './message.js';
import type { ConversationMessage } from './message.js';

export interface AiSdkTextPart {
  type: 'text';
  text: string;
}
export interface AiSdkToolCallPart {
  type: 'tool-call';
  toolCallId: string;
  toolName: string;
  input: Record<string, unknown>;
}
export type AiSdkToolResultOutput = { type: 'text'; value: string } | { type: 'error-text'; value: string };
export interface AiSdkToolResultPart {
  type: 'tool-result';
  toolCallId: string;
  toolName: string;
  output: AiSdkToolResultOutput;
}

/** A Vercel AI SDK (v5+) `ModelMessage`, as plain data (no SDK dependency). */
export type AiSdkModelMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string | (AiSdkTextPart | AiSdkToolCallPart)[] }
  | { role: 'tool'; content: AiSdkToolResultPart[] };

/**
 * `ModelMessage`s for the Vercel AI SDK (`generateText({ messages })`): developer messages become system
 * messages, tool calls `tool-call` parts, consecutive tool results one `tool` message of `tool-result` parts
 * (a failed call's output is `error-text`).
 */
export function toAiSdkMessages(messages: readonly ConversationMessage[]): AiSdkModelMessage[] {
  const out: AiSdkModelMessage[] = [];
  for (const m of normalizeMessages(messages)) {
    switch (m.kind) {
      case 'system':
        out.push({ role: 'system', content: m.content });
        break;
      case 'user':
        out.push({ role: 'user', content: m.content });
        break;
      case 'assistant': {
        if (m.toolCalls.length === 0) {
          out.push({ role: 'assistant', content: m.content ?? '' });
          break;
        }
        const parts: (AiSdkTextPart | AiSdkToolCallPart)[] = m.content === null || m.content === '' ? [] : [{ type: 'text', text: m.content }];
        for (const c of m.toolCalls) parts.push({ type: 'tool-call', toolCallId: c.id, toolName: c.name, input: toolInputObject(c.input) });
        out.push({ role: 'assistant', content: parts });
        break;
      }
      case 'tool': {
        const part: AiSdkToolResultPart = {
          type: 'tool-result',
          toolCallId: m.toolCallId,
          toolName: m.name,
          output: m.isError ? { type: 'error-text', value: m.content } : { type: 'text', value: m.content },
        };
        const last = out[out.length - 1];
        if (last?.role === 'tool') last.content.push(part);
        else out.push({ role: 'tool', content: [part] });
        break;
      }
    }
  }
  return out;
}
