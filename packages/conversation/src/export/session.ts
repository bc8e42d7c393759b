import type { Session, SessionEvent } from '@chuk/models';
import { EventSource, EventType, MessageRole, UNKNOWN_TOOL_NAME, parentEventIdOf, toolNameOf } from '@chuk/models';
import { isPlainObject, messageText, safeJson, summaryTextOf } from '../common/text.js';
import type { ConversationMessage, ToolCallRequest } from './message.js';

export interface SessionMessagesOptions {
  /** add each `summary` event as a system message where it lies (default false) */
  includeSummaries?: boolean;
}

interface AssistantBlock {
  message: ConversationMessage & { toolCalls: ToolCallRequest[] };
  results: ConversationMessage[];
}

function toolCallOf(event: SessionEvent): { call: ToolCallRequest; result: ConversationMessage } {
  const payload: unknown = event.message;
  if (!isPlainObject(payload)) {
    const call = { id: event.id, name: UNKNOWN_TOOL_NAME, input: {} };
    return { call, result: { role: MessageRole.Tool, name: call.name, toolCallId: call.id, content: messageText(payload) } };
  }
  const id = typeof payload.call_id === 'string' && payload.call_id !== '' ? payload.call_id : event.id;
  const name = toolNameOf(payload);
  const content = typeof payload.result_text === 'string' ? payload.result_text : safeJson(payload.result ?? null);
  const failed = payload.success === false || (typeof payload.error === 'string' && payload.error !== '');
  const result: ConversationMessage = { role: MessageRole.Tool, name, toolCallId: id, content };
  if (failed) result.isError = true;
  return { call: { id, name, input: payload.arguments ?? {} }, result };
}

/**
 * The session's transcript with its tool calls, ready for the exporters: user messages, assistant replies
 * carrying the `tool_call` events linked to them (`parentEventIdOf`; an unlinked call joins the latest
 * reply since the last user message, or a reply of its own), each followed by the call results. Tool
 * payloads follow `ToolCallEventMessageSchema` (`call_id`, `arguments`, `result_text`, `success`/`error`).
 */
export function sessionToConversationMessages(session: Session, options: SessionMessagesOptions = {}): ConversationMessage[] {
  const items: (ConversationMessage | AssistantBlock)[] = [];
  const byEventId = new Map<string, AssistantBlock>();
  let current: AssistantBlock | null = null;
  for (const event of session.events) {
    if (event.type === EventType.Message) {
      if (event.source === EventSource.User) {
        items.push({ role: MessageRole.User, content: messageText(event.message) });
        current = null;
      } else {
        current = { message: { role: MessageRole.Assistant, content: messageText(event.message), toolCalls: [] }, results: [] };
        byEventId.set(event.id, current);
        items.push(current);
      }
    } else if (event.type === EventType.ToolCall) {
      const parentId = parentEventIdOf(event);
      let block: AssistantBlock | null = (parentId === null ? undefined : byEventId.get(parentId)) ?? current;
      if (block === null) {
        block = { message: { role: MessageRole.Assistant, content: null, toolCalls: [] }, results: [] };
        items.push(block);
        current = block;
      }
      const { call, result } = toolCallOf(event);
      block.message.toolCalls.push(call);
      block.results.push(result);
    } else if (event.type === EventType.Summary && options.includeSummaries === true) {
      items.push({ role: MessageRole.System, content: summaryTextOf(event.message) });
    }
  }
  return items.flatMap((item) => ('results' in item ? [item.message, ...item.results] : [item]));
}
