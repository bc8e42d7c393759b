import { EventSource } from '../enums/index.js';
import { SessionEvent } from '../session/event.js';
import { Session } from '../session/session.js';
import { TokenUsage } from '../tokens/usage.js';

let counter = 0;

/** A session id unique to this process and run (safe on shared backends). */
export function uniqueId(label: string): string {
  counter += 1;
  return `kit-${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}-${counter}`;
}

/** A small session to store. */
export function makeSession(id: string, properties: Record<string, unknown> = { user_id: 'kit-user' }): Session {
  return new Session({ id, properties });
}

/** `n` events with ids `<prefix>-<i>`, each with a token usage of `i + 1` prompt tokens. */
export function makeEvents(prefix: string, n: number, start = 0): SessionEvent[] {
  return Array.from({ length: n }, (_, k) => {
    const i = start + k;
    return new SessionEvent({
      id: `${prefix}-${i}`,
      message: { text: `message ${i}`, nested: { i } },
      source: i % 2 === 0 ? EventSource.User : EventSource.Llm,
      tokenUsage: TokenUsage.create({ promptTokens: i + 1, completionTokens: 1, model: 'gpt-4o-mini' }),
    });
  });
}

/** Sum of the events' total tokens. */
export function totalTokensOf(events: readonly SessionEvent[]): number {
  return events.reduce((sum, e) => sum + (e.tokenUsage?.totalTokens ?? 0), 0);
}

/** The value, or a thrown error when it is null or undefined (keeps the suites free of `!`). */
export function req<T>(value: T | null | undefined, what = 'value'): T {
  if (value === null || value === undefined) throw new Error(`expected a ${what}, got ${String(value)}`);
  return value;
}

/** Byte-wise equality (fast on large arrays, unlike a deep-equality matcher). */
export function equalBytes(a: Uint8Array | null, b: Uint8Array): boolean {
  if (a?.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
