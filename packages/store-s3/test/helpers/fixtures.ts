import { Session, SessionEvent, TokenUsage } from '@chuk/models';
import type { SessionHeader } from '@chuk/models';

export function header(id: string, properties: Record<string, unknown> = {}): SessionHeader {
  return new Session({ id, properties }).toHeader();
}

let counter = 0;
export function event(text: string, id?: string, tokens = 0): SessionEvent {
  counter += 1;
  return new SessionEvent({
    id: id ?? `e-${String(counter)}-${crypto.randomUUID().slice(0, 8)}`,
    message: { role: 'user', content: text },
    ...(tokens > 0 ? { tokenUsage: TokenUsage.create({ promptTokens: tokens, completionTokens: 1, model: 'gpt-4o-mini' }) } : {}),
  });
}

/** A unique store prefix per test, so tests never see each other's objects. */
export function uniquePrefix(tag: string): string {
  return `t-${tag}-${crypto.randomUUID().slice(0, 8)}/`;
}

/** A settable clock for TTL tests. */
export class FakeClock {
  constructor(private ms = Date.parse('2030-01-01T00:00:00.000Z')) {}
  readonly now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}
