import type { ChatMessage, EventSource, EventType, TokenCounter } from '@chuk/models';
import { Session, SessionEvent, TokenUsage } from '@chuk/models';

/** Deterministic counter for tests: one token per whitespace-separated word. */
export const wordCounter: TokenCounter = {
  name: 'words',
  approximate: true,
  count: async (text: string) => text.split(/\s+/).filter((w) => w !== '').length,
};

export async function countWords(text: string): Promise<number> {
  return wordCounter.count(text, 'test');
}

let nextId = 0;
export function freshId(prefix = 'e'): string {
  nextId++;
  return `${prefix}${nextId}`;
}

export interface EventSpec {
  message: unknown;
  source?: EventSource;
  type?: EventType;
  id?: string;
  parentEventId?: string | null;
  metadata?: Record<string, unknown>;
  tokens?: number;
}

export function event(spec: EventSpec): SessionEvent {
  return new SessionEvent({
    id: spec.id ?? freshId(),
    message: spec.message,
    source: spec.source ?? 'system',
    type: spec.type ?? 'message',
    parentEventId: spec.parentEventId ?? null,
    metadata: spec.metadata ?? {},
    tokenUsage: spec.tokens === undefined ? null : TokenUsage.create({ promptTokens: spec.tokens, model: 'gpt-4o-mini' }),
  });
}

export function sessionOf(specs: EventSpec[], init: { id?: string; parentId?: string | null } = {}): Session {
  const session = new Session({ id: init.id ?? freshId('s'), parentId: init.parentId ?? null });
  for (const spec of specs) session.addEvent(event(spec));
  return session;
}

export const user = (content: string): ChatMessage => ({ role: 'user', content });
export const assistant = (content: string): ChatMessage => ({ role: 'assistant', content });
