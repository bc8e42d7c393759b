import { SessionVersionConflict, StorageError } from '../errors/errors.js';
import type { RetryOptions } from '../session/header-retry.js';
import { DEFAULT_RETRY_ATTEMPTS, defaultBackoffMs, sleep } from '../session/header-retry.js';
import type { SessionEvent } from '../session/event.js';
import type { Session } from '../session/session.js';
import type { AppendOptions, AppendResult, SessionStore } from './contracts.js';

const NO_APPEND_OPTIONS: AppendOptions = Object.freeze({});

/**
 * `append` that re-sends the **same** events (same ids, so never stored twice) after a `StorageError` other than
 * `SessionVersionConflict`. `SessionNotFound`, `InvalidInput` and conflicts propagate at once; after
 * `maxAttempts` the last error is rethrown.
 */
export async function appendWithRetry(
  store: Pick<SessionStore, 'append'>,
  sessionId: string,
  events: readonly SessionEvent[],
  options: AppendOptions & RetryOptions = {},
): Promise<AppendResult> {
  const maxAttempts = options.maxAttempts ?? DEFAULT_RETRY_ATTEMPTS;
  const backoff = options.backoffMs ?? defaultBackoffMs;
  const appendOptions: AppendOptions = options.expectedCount === undefined ? NO_APPEND_OPTIONS : { expectedCount: options.expectedCount };
  for (let attempt = 1; ; attempt++) {
    try {
      return await store.append(sessionId, events, appendOptions);
    } catch (e) {
      const retryable = e instanceof StorageError && !(e instanceof SessionVersionConflict);
      if (!retryable || attempt >= maxAttempts) throw e;
    }
    await sleep(backoff(attempt));
  }
}

/** Adds `event` to an in-memory session only if its id is not present yet (O(1)); returns whether it did. */
export function appendEventOnce<M>(session: Session<M>, event: SessionEvent<M>): boolean {
  return session.appendEventOnce(event);
}
