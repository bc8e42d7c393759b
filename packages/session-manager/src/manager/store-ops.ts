/**
 * The append path of conversation-and-facade.md §5.5: one `appendWithRetry` per call, without
 * `expectedCount` unless asked; memory changes only after the store accepted the events, and
 * events other writers appended in between are read back and applied in order.
 */
import type { AppendOptions, SessionEvent, SessionStore } from '@chuk/models';
import { SessionManagerError, StorageError, appendWithRetry } from '@chuk/models';
import type { SegmentState } from './segment.js';

/** Wraps a plain error from a third-party store as `StorageError`; `SessionManagerError`s pass unchanged. */
export function asStorageError(error: unknown, store: SessionStore, operation: string): Error {
  if (error instanceof SessionManagerError) return error;
  const text = error instanceof Error ? error.message : String(error);
  return new StorageError({ operation, backend: store.backend, cause: error, message: `Session store ${operation} failed: ${text}` });
}

/** Runs a store call, wrapping plain errors (`asStorageError`). */
export async function storeCall<T>(store: SessionStore, operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw asStorageError(error, store, operation);
  }
}

/** Appends `events` to the segment's session in the store, then applies them (and any gap) in memory. */
export async function appendAndApply(
  store: SessionStore,
  segment: SegmentState,
  events: readonly SessionEvent[],
  options?: AppendOptions,
): Promise<SessionEvent[]> {
  const local = segment.eventCount;
  const result = await storeCall(store, 'append', () => appendWithRetry(store, segment.id, events, options));
  if (result.eventCount === local + result.appended && result.appended === events.length) {
    for (const event of events) segment.apply(event);
    return [];
  }
  return catchUp(store, segment, local);
}

/** Reads the events stored after position `from` and applies them; returns the ones that were new. */
export async function catchUp(store: SessionStore, segment: SegmentState, from = segment.eventCount): Promise<SessionEvent[]> {
  const gap = (await storeCall(store, 'readEvents', () => store.readEvents(segment.id, { from }))) ?? [];
  const added: SessionEvent[] = [];
  for (const event of gap) if (segment.apply(event)) added.push(event);
  return added;
}
