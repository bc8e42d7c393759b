import type { PromptMessage, Session } from '@chuk/models';
import { EventType, EventSource, MessageRole } from '@chuk/models';
import { isPlainObject, messageText, roleOfSource, summaryTextOf } from '../common/text.js';
import {
  ASSISTANT_PLACEHOLDER,
  childrenOf,
  firstUserEvent,
  lastUserEvent,
  latestAssistant,
  messageEvents,
  toolCallsOf,
  toolMessage,
  toolPayloadOf,
} from './helpers.js';

const userMessage = (message: unknown): PromptMessage => ({ role: MessageRole.User, content: messageText(message) });
const placeholder = (): PromptMessage => ({ ...ASSISTANT_PLACEHOLDER });

/**
 * Minimal (reference `_build_minimal_prompt`): the first user message, an assistant placeholder for the
 * latest reply, then that reply's tool results (every payload) or, without tool calls, its last summary.
 */
export function buildMinimalPrompt(session: Session): PromptMessage[] {
  const firstUser = firstUserEvent(session);
  const assistant = latestAssistant(session);
  const out: PromptMessage[] = [];
  if (firstUser !== undefined) out.push(userMessage(firstUser.message));
  if (assistant === undefined) return out;
  out.push(placeholder());
  const children = childrenOf(session, assistant.id);
  const tools = children.filter((e) => e.type === EventType.ToolCall);
  if (tools.length > 0) {
    for (const tool of tools) {
      const { name, result } = toolPayloadOf(tool);
      out.push(toolMessage(name, result));
    }
    return out;
  }
  const summary = children.findLast((e) => e.type === EventType.Summary);
  if (summary !== undefined) out.push({ role: MessageRole.System, content: summaryTextOf(summary.message) });
  return out;
}

/**
 * Task-focused (`task`): the first and the latest user message, the assistant placeholder, and the
 * successful object-payload tool results (a result with `status: "error"` is left out).
 */
export function buildTaskPrompt(session: Session): PromptMessage[] {
  const users = messageEvents(session).filter((e) => e.source === EventSource.User);
  const first = users[0];
  if (first === undefined) return [];
  const out: PromptMessage[] = [userMessage(first.message)];
  const last = users[users.length - 1];
  if (last !== undefined && last !== first) out.push(userMessage(last.message));
  const assistant = latestAssistant(session);
  if (assistant === undefined) return out;
  out.push(placeholder());
  for (const tool of toolCallsOf(session, assistant.id)) {
    const { name, result, payload } = toolPayloadOf(tool);
    if (payload === null) continue;
    if (isPlainObject(result) && result.status === 'error') continue;
    out.push(toolMessage(name, result));
  }
  return out;
}

/**
 * Tool-focused (`tool`): the latest user message, the assistant placeholder, and every object-payload tool
 * result; a failed call's result becomes `{ error, details }`.
 */
export function buildToolPrompt(session: Session): PromptMessage[] {
  const latestUser = lastUserEvent(session);
  if (latestUser === undefined) return [];
  const out: PromptMessage[] = [userMessage(latestUser.message)];
  const assistant = latestAssistant(session);
  if (assistant === undefined) return out;
  out.push(placeholder());
  for (const tool of toolCallsOf(session, assistant.id)) {
    const { name, result, payload } = toolPayloadOf(tool);
    if (payload === null) continue;
    const error: unknown = payload.error;
    out.push(toolMessage(name, error ? { error, details: result } : result));
  }
  return out;
}

/**
 * Conversation: the last `maxHistory` message events as text; when the newest of them is a reply, it is the
 * assistant placeholder followed by its object-payload tool results. `maxHistory <= 0` gives nothing.
 */
export function buildConversationPrompt(session: Session, maxHistory: number): PromptMessage[] {
  if (maxHistory <= 0) return [];
  const recent = messageEvents(session).slice(-maxHistory);
  const out: PromptMessage[] = [];
  recent.forEach((event, index) => {
    const isLast = index === recent.length - 1;
    if (!isLast || event.source === EventSource.User) {
      out.push({ role: roleOfSource(event.source), content: messageText(event.message) });
      return;
    }
    out.push(placeholder());
    for (const tool of toolCallsOf(session, event.id)) {
      const { name, result, payload } = toolPayloadOf(tool);
      if (payload !== null) out.push(toolMessage(name, result));
    }
  });
  return out;
}
