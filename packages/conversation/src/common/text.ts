import { EventSource, MessageRole } from '@chuk/models';

/** Chat role of a stored message event: `user` for user events, `assistant` for every other source. */
export type ConversationRole = typeof MessageRole.User | typeof MessageRole.Assistant;

/** Role mapping of the reference (`roleOfSource`): user source → user, any other source → assistant. */
export function roleOfSource(source: EventSource): ConversationRole {
  return source === EventSource.User ? MessageRole.User : MessageRole.Assistant;
}

/**
 * JSON text of any value, never throwing: functions and symbols become their `String()` form, bigints
 * their decimal text, repeated (cyclic) references `"[Circular]"`, `undefined` at the top `"null"`.
 */
export function safeJson(value: unknown): string {
  const seen = new WeakSet<object>();
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'function' || typeof v === 'symbol') return String(v);
    if (v !== null && typeof v === 'object') {
      if (seen.has(v)) return '[Circular]';
      seen.add(v);
    }
    return v;
  }) as string | undefined;
  return text ?? 'null';
}

/**
 * Text of a stored message payload (spec §1 `messageText`): a string is itself; an object with a string
 * `content` gives that content; other objects and arrays are JSON; `null`/`undefined` are `""`; numbers and
 * booleans their `String()`.
 */
export function messageText(message: unknown): string {
  switch (typeof message) {
    case 'string':
      return message;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(message);
    case 'object': {
      if (message === null) return '';
      const content = (message as { content?: unknown }).content;
      return typeof content === 'string' ? content : safeJson(message);
    }
    case 'undefined':
      return '';
    case 'symbol':
      return message.toString();
    case 'function':
      return Function.prototype.toString.call(message);
  }
}

/**
 * Text of a `summary` event payload: an object's string `note` first (`SummaryNote`), then its string
 * `content`, else `messageText`.
 */
export function summaryTextOf(message: unknown): string {
  if (message !== null && typeof message === 'object') {
    const note = (message as { note?: unknown }).note;
    if (typeof note === 'string') return note;
  }
  return messageText(message);
}

/** True for a plain (non-array) object. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
