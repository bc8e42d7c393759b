import type { PromptMessage } from '@chuk/models';
import { MessageRole, UNKNOWN_TOOL_NAME } from '@chuk/models';
import { isPlainObject } from '../common/text.js';

/** One tool call an assistant message made. `input` is the arguments (an object, or the provider's JSON text). */
export interface ToolCallRequest {
  id: string;
  name: string;
  input: unknown;
}

/**
 * A prompt message with optional tool-call links, the input of every exporter. A plain `PromptMessage`
 * is one: tool results that follow an assistant message are linked to it by position (ids are made up).
 */
export interface ConversationMessage extends PromptMessage {
  /** assistant: the calls it made */
  toolCalls?: readonly ToolCallRequest[];
  /** tool: the call this result answers */
  toolCallId?: string;
  /** tool: the call failed */
  isError?: boolean;
}

/** Prefix of the ids made up for tool results that name no call. */
export const SYNTHETIC_CALL_ID_PREFIX = 'chuk_call_';

export interface NormalSystem {
  kind: 'system';
  role: typeof MessageRole.System | typeof MessageRole.Developer;
  content: string;
}
export interface NormalUser {
  kind: 'user';
  content: string;
  name?: string;
}
export interface NormalAssistant {
  kind: 'assistant';
  content: string | null;
  toolCalls: ToolCallRequest[];
}
export interface NormalTool {
  kind: 'tool';
  toolCallId: string;
  name: string;
  content: string;
  isError: boolean;
}
/** Exporter input after linking: every tool result answers a call of the assistant message before it. */
export type NormalMessage = NormalSystem | NormalUser | NormalAssistant | NormalTool;

class Linker {
  readonly out: NormalMessage[] = [];
  private group: NormalAssistant | null = null;
  private readonly answered = new Set<string>();
  private nextId = 1;

  add(m: ConversationMessage): void {
    switch (m.role) {
      case MessageRole.System:
      case MessageRole.Developer:
        this.group = null;
        this.out.push({ kind: 'system', role: m.role, content: m.content ?? '' });
        return;
      case MessageRole.User:
        this.group = null;
        this.out.push(m.name === undefined ? { kind: 'user', content: m.content ?? '' } : { kind: 'user', content: m.content ?? '', name: m.name });
        return;
      case MessageRole.Assistant:
        this.group = { kind: 'assistant', content: m.content, toolCalls: (m.toolCalls ?? []).map((c) => ({ ...c })) };
        this.out.push(this.group);
        return;
      case MessageRole.Tool:
        this.addTool(m);
        return;
    }
  }

  private addTool(m: ConversationMessage): void {
    const name = m.name ?? UNKNOWN_TOOL_NAME;
    let group = this.group;
    if (group === null) {
      group = { kind: 'assistant', content: null, toolCalls: [] };
      this.out.push(group);
      this.group = group;
    }
    let id = m.toolCallId;
    if (id === undefined) {
      id = group.toolCalls.find((c) => c.name === name && !this.answered.has(c.id))?.id;
    }
    if (id === undefined) id = `${SYNTHETIC_CALL_ID_PREFIX}${this.nextId++}`;
    const known = id;
    if (!group.toolCalls.some((c) => c.id === known)) group.toolCalls.push({ id, name, input: {} });
    this.answered.add(id);
    this.out.push({ kind: 'tool', toolCallId: id, name, content: m.content ?? '', isError: m.isError === true });
  }

  /** Calls without a result are dropped (providers reject them); an assistant left empty is dropped. */
  finish(): NormalMessage[] {
    const result: NormalMessage[] = [];
    for (const m of this.out) {
      if (m.kind !== 'assistant') {
        result.push(m);
        continue;
      }
      const toolCalls = m.toolCalls.filter((c) => this.answered.has(c.id));
      if (toolCalls.length === 0 && (m.content === null || m.content === '')) continue;
      result.push({ ...m, toolCalls });
    }
    return result;
  }
}

/** Links tool results to the calls before them (see `ConversationMessage`) and drops unanswered calls. */
export function normalizeMessages(messages: readonly ConversationMessage[]): NormalMessage[] {
  const linker = new Linker();
  for (const m of messages) linker.add(m);
  return linker.finish();
}

/** Tool input as the object Anthropic requires: objects as they are, JSON object text parsed, anything else wrapped. */
export function toolInputObject(input: unknown): Record<string, unknown> {
  if (isPlainObject(input)) return input;
  if (input === null || input === undefined) return {};
  if (typeof input === 'string') {
    try {
      const parsed: unknown = JSON.parse(input);
      if (isPlainObject(parsed)) return parsed;
    } catch {
      return { input };
    }
  }
  return { input };
}

