/**
 * What a segment's summariser sees (conversation-and-facade.md §6.6, bench/fidelity finding 3): the
 * user / assistant messages and the tool results of the segment, in event order. A tool result is a
 * `tool` message `tool <name> returned <result_text>`, so facts that only a tool produced survive a
 * rollover. The VM's own tool calls (page faults, searches) repeat pages that are already stored and
 * are left out.
 */
import type { ChatMessage, Session, SessionEvent } from '@chuk/models';
import { EventSource, EventType, MessageRole, ToolCallMessageReadSchema, toolNameOf } from '@chuk/models';
import { messageText, safeJson } from '@chuk/conversation';
import { VM_TOOL_NAMES } from '@chuk/vm';

const VM_TOOLS: ReadonlySet<string> = new Set(Object.values(VM_TOOL_NAMES));

/** `tool <name> returned <result_text>` (with ` [error: …]` for a failed call), or null for a VM tool. */
export function toolSummaryLine(event: SessionEvent): string | null {
  const name = toolNameOf(event.message);
  if (VM_TOOLS.has(name)) return null;
  const parsed = ToolCallMessageReadSchema.safeParse(event.message);
  const payload = parsed.success ? parsed.data : {};
  const shown =
    payload.result_text ?? (typeof payload.result === 'string' ? payload.result : safeJson(payload.result ?? null));
  const error = typeof payload.error === 'string' && payload.error !== '' ? ` [error: ${payload.error}]` : '';
  return `tool ${name} returned ${shown}${error}`;
}

/** The segment's messages and tool results as chat messages for the summariser. */
export function summaryInputMessages(session: Session): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const event of session.events) {
    if (event.type === EventType.Message) {
      if (event.source === EventSource.User) out.push({ role: MessageRole.User, content: messageText(event.message) });
      else if (event.source === EventSource.Llm) out.push({ role: MessageRole.Assistant, content: messageText(event.message) });
    } else if (event.type === EventType.ToolCall) {
      const line = toolSummaryLine(event);
      if (line !== null) out.push({ role: MessageRole.Tool, content: line });
    }
  }
  return out;
}
