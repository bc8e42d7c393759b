/**
 * A minimal async mutex and the process-wide registry of one mutex per (store, sessionId)
 * (conversation-and-facade.md §5.5): two managers in one process that address the same session
 * serialise their writes, and idle entries are dropped so the registry never grows with the
 * number of sessions seen.
 */
export class Mutex {
  private locked = false;
  private readonly waiters: (() => void)[] = [];

  /** Runs `fn` after every previously queued task has settled (FIFO); resolves with its result. */
  async runExclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.locked) await new Promise<void>((resolve) => this.waiters.push(resolve));
    else this.locked = true;
    try {
      return await fn();
    } finally {
      const next = this.waiters.shift();
      if (next === undefined) this.locked = false;
      else next();
    }
  }
}

interface Entry {
  mutex: Mutex;
  users: number;
}

const registry = new WeakMap<object, Map<string, Entry>>();

/**
 * Runs `fn` under the mutex of `(owner, key)`, where `owner` is the store. The entry is created
 * on first use and removed when no task holds or waits for it.
 */
export async function withSessionLock<T>(owner: object, key: string, fn: () => Promise<T>): Promise<T> {
  let byKey = registry.get(owner);
  if (byKey === undefined) {
    byKey = new Map();
    registry.set(owner, byKey);
  }
  let entry = byKey.get(key);
  if (entry === undefined) {
    entry = { mutex: new Mutex(), users: 0 };
    byKey.set(key, entry);
  }
  entry.users += 1;
  const held = entry;
  const map = byKey;
  try {
    return await held.mutex.runExclusive(fn);
  } finally {
    held.users -= 1;
    if (held.users === 0 && map.get(key) === held) map.delete(key);
  }
}

/** Number of live lock entries for `owner` (observability and tests). */
export function activeLockCount(owner: object): number {
  return registry.get(owner)?.size ?? 0;
}
