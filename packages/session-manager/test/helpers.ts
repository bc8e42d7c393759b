import type { Logger, SessionStore, TokenCounter } from '@chuk/models';
import { InMemorySessionStore } from '@chuk/models';
import { SessionManager } from '../src/manager/session-manager.js';
import type { SessionManagerOptions } from '../src/manager/options.js';

/** Deterministic counter: one token per whitespace-separated word. */
export const wordCounter: TokenCounter = {
  name: 'words',
  approximate: false,
  count: async (text: string) => (text.trim() === '' ? 0 : text.trim().split(/\s+/).length),
};

export function fakeClock(start = Date.parse('2026-01-01T00:00:00.000Z'), stepMs = 1000): () => Date {
  let now = start;
  return () => {
    const d = new Date(now);
    now += stepMs;
    return d;
  };
}

export function sequentialIds(prefix = 'id'): () => string {
  let n = 0;
  return () => `${prefix}-${String(++n).padStart(4, '0')}-0000-0000-000000000000`;
}

export interface LogRecord {
  level: string;
  obj: object;
  msg: string | undefined;
}

export function memoryLogger(): Logger & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  const at = (level: string) => (obj: object, msg?: string) => {
    records.push({ level, obj, msg });
  };
  return { records, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export function makeManager(options: SessionManagerOptions = {}): { manager: SessionManager; store: SessionStore } {
  const store = options.store ?? new InMemorySessionStore();
  const manager = new SessionManager({ counter: wordCounter, clock: fakeClock(), ...options, store });
  return { manager, store };
}
