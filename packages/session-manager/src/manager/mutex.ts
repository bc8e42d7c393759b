/**
 * The process-wide registry of one lock per (store, sessionId) (conversation-and-facade.md §5.5): two managers
 * in one process that address the same session serialise their writes. Each store gets a `KeyedMutex` of
 * @chuk/models, which drops idle keys, so the registry never grows with the number of sessions seen.
 */
import { KeyedMutex } from '@chuk/models';

const registry = new WeakMap<object, KeyedMutex>();

/** Runs `fn` under the lock of `(owner, key)`, where `owner` is the store. */
export function withSessionLock<T>(owner: object, key: string, fn: () => Promise<T>): Promise<T> {
  let locks = registry.get(owner);
  if (locks === undefined) {
    locks = new KeyedMutex();
    registry.set(owner, locks);
  }
  return locks.run(key, fn);
}

/** Number of live lock entries for `owner` (observability and tests). */
export function activeLockCount(owner: object): number {
  return registry.get(owner)?.size ?? 0;
}
