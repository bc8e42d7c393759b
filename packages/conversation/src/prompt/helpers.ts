import type { PromptMessage, Session, SessionEvent } from '@chuk/models';
import { EventSource, EventType, MessageRole, UNKNOWN_TOOL_NAME, parentEventIdOf, toolNameOf } from '@chuk/models';
import { isPlainObject, safeJson } from '../common/text.js';

/** `message` events of a session, in order. */
export function messageEvents(session: Session): SessionEvent[] {
  return session.events.filter((e) => e.type === EventType.Message);
}

/** First `message` event from the user. */
export function firstUserEvent(session: Session): SessionEvent | undefined {
  return session.events.find((e) => e.type === EventType.Message && e.source === EventSource.User);
}

/** Last `message` event from the user. */
export function lastUserEvent(session: Session): SessionEvent | undefined {
  return session.events.findLast((e) => e.type === EventType.Message && e.source === EventSource.User);
}

/** Last `message` event whose source is not the user (a `system` message counts, reference rule). */
export function latestAssistant(session: Session): SessionEvent | undefined {
  return session.events.findLast((e) => e.type === EventType.Message && e.source !== EventSource.User);
}

/** Events linked to `eventId` (`parentEventIdOf`: the field, else legacy `metadata.parent_event_id`). */
export function childrenOf(session: Session, eventId: string): SessionEvent[] {
  return session.events.filter((e) => parentEventIdOf(e) === eventId);
}

/** `tool_call` children of an event. */
export function toolCallsOf(session: Session, eventId: string): SessionEvent[] {
  return childrenOf(session, eventId).filter((e) => e.type === EventType.ToolCall);
}

/** A tool-result prompt message: content is the payload as JSON (never throws on odd values). */
export function toolMessage(name: string, payload: unknown): PromptMessage {
  return { role: MessageRole.Tool, name, content: safeJson(payload) };
}

/** Tool name and result of a `tool_call` event: object payload → `toolNameOf`, `result ?? {}`; else `unknown` and the raw payload. */
export function toolPayloadOf(event: SessionEvent): { name: string; result: unknown; payload: Record<string, unknown> | null } {
  const message: unknown = event.message;
  if (isPlainObject(message)) return { name: toolNameOf(message), result: message.result ?? {}, payload: message };
  return { name: UNKNOWN_TOOL_NAME, result: message, payload: null };
}

/** The assistant placeholder every strategy emits for the latest reply. */
export const ASSISTANT_PLACEHOLDER: PromptMessage = Object.freeze({ role: MessageRole.Assistant, content: null });
