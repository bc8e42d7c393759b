import { appendWithRetry, cloneHeader, SessionNotFound, updateHeaderWithRetry } from '@chuk/models';
import type { SessionEvent, SessionHeader, SessionStore, TokenCounter } from '@chuk/models';

/** State of the current session; implemented by every `ToolEventSink` (e.g. the SessionManager facade). */
export interface SessionStateAccess {
  readonly id: string;
  getState(key: string): Promise<unknown>;
  setState(key: string, value: unknown): Promise<void>;
}

/** Where the processor writes; the facade implements it so events also reach its session, totals and VM pages. */
export interface ToolEventSink extends SessionStateAccess {
  /** One atomic append, in order, idempotent by event id. */
  appendEvents(events: readonly SessionEvent[]): Promise<void>;
  /** The sink's token counter (the facade's `tokenCounter`); the processor counts its events with it unless given a `counter`. */
  readonly tokenCounter?: TokenCounter;
}

/** Handles calls before guards, budgets, caches and the executor (the facade routes `page_fault` / `search_pages`). */
export type InternalToolHandler = (name: string, args: unknown) => Promise<{ handled: boolean; content: string }>;

class HeaderHolder {
  constructor(private header: SessionHeader) {}
  get id(): string {
    return this.header.id;
  }
  get revision(): number {
    return this.header.revision;
  }
  set revision(n: number) {
    this.header.revision = n;
  }
  get state(): Record<string, unknown> {
    return this.header.state;
  }
  toHeader(): SessionHeader {
    return cloneHeader(this.header);
  }
  adoptHeader(h: SessionHeader): void {
    this.header = cloneHeader(h);
  }
}

/** A sink on a `SessionStore`: appends with `appendWithRetry`, state through header compare-and-set. */
export function storeToolEventSink(store: SessionStore, sessionId: string): ToolEventSink {
  const header = async (): Promise<SessionHeader> => {
    const h = await store.getHeader(sessionId);
    if (h === null) throw new SessionNotFound({ sessionId });
    return h;
  };
  return {
    id: sessionId,
    async appendEvents(events) {
      if (events.length > 0) await appendWithRetry(store, sessionId, events);
    },
    async getState(key) {
      return (await header()).state[key];
    },
    async setState(key, value) {
      const holder = new HeaderHolder(await header());
      await updateHeaderWithRetry(store, holder, (s) => {
        s.state[key] = value;
        return true;
      });
    },
  };
}
