import { SessionNotFound, SessionVersionConflict } from '../errors/errors.js';
import type { SessionHeader } from './header.js';

/** Default attempts of the retry helpers. */
export const DEFAULT_RETRY_ATTEMPTS = 5;
const BACKOFF_BASE_MS = 10;
const JITTER_MS = 5;

/** Backoff of the retry helpers: 0, 10, 20, 40 ms … plus up to 5 ms of jitter. */
export function defaultBackoffMs(attempt: number): number {
  if (attempt <= 1) return 0;
  return BACKOFF_BASE_MS * 2 ** (attempt - 2) + Math.random() * JITTER_MS;
}

export interface RetryOptions {
  /** Attempts in all (default 5). */
  maxAttempts?: number;
  /** Delay before attempt `n` (1-based; attempt 1 is the first retry). */
  backoffMs?: (attempt: number) => number;
}

/** What `updateHeaderWithRetry` needs of a session. */
export interface HeaderHolder {
  readonly id: string;
  revision: number;
  toHeader(): SessionHeader;
  adoptHeader(header: SessionHeader): void;
}

/** What `updateHeaderWithRetry` needs of a store. */
export interface HeaderStore {
  getHeader(sessionId: string): Promise<SessionHeader | null>;
  updateHeader(header: SessionHeader, options: { expectedRevision: number }): Promise<number>;
}

/** Waits `ms` milliseconds (0 → next macrotask is skipped, resolves at once). */
export function sleep(ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Applies `mutate` and writes the header with a compare-and-set on the revision. On a conflict it reloads the
 * header (`adoptHeader`, events kept), re-applies `mutate` and retries. `mutate` returns false when nothing
 * changed (then nothing is written) and must be idempotent.
 */
export async function updateHeaderWithRetry<S extends HeaderHolder>(
  store: HeaderStore,
  session: S,
  mutate: (session: S) => boolean,
  options: RetryOptions = {},
): Promise<void> {
  const maxAttempts = options.maxAttempts ?? DEFAULT_RETRY_ATTEMPTS;
  const backoff = options.backoffMs ?? defaultBackoffMs;
  for (let attempt = 1; ; attempt++) {
    if (!mutate(session)) return;
    try {
      session.revision = await store.updateHeader(session.toHeader(), { expectedRevision: session.revision });
      return;
    } catch (e) {
      if (!(e instanceof SessionVersionConflict) || attempt >= maxAttempts) throw e;
    }
    await sleep(backoff(attempt));
    const fresh = await store.getHeader(session.id);
    if (fresh === null) throw new SessionNotFound({ sessionId: session.id });
    session.adoptHeader(fresh);
  }
}
