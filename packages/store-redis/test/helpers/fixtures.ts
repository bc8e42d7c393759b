import { Redis } from 'ioredis';
import { Session, SessionEvent, TokenUsage } from '@chuk/models';
import type { SessionHeader } from '@chuk/models';

/** The shared Redis of the machine (CI starts one when absent). */
export const SHARED_REDIS_URL = process.env.CHUK_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other run uses. */
export function uniquePrefix(tag: string): string {
  return `chuk-test:${tag}:${process.pid}:${crypto.randomUUID().slice(0, 8)}:`;
}

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

/** Deletes every key under `prefix` (not timed, never throws on an empty prefix). */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  if (prefix === '') throw new Error('refusing to delete an empty prefix');
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`, 'COUNT', 1000);
      if (keys.length > 0) await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}
