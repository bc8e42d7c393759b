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
  runExclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.locked) {
      // uncontended fast path: no extra promise before `fn` starts
      this.locked = true;
      return this.runHeld(fn);
    }
    return new Promise<void>((resolve) => this.waiters.push(resolve)).then(() => this.runHeld(fn));
  }

  /** Runs `fn` while holding the lock, then hands it to the next waiter (or frees it). */
  private runHeld<T>(fn: () => Promise<T>): Promise<T> {
    let pending: Promise<T>;
    try {
      pending = fn();
    } catch (error) {
      this.release();
      // a synchronous throw of `fn` rejects like the throw of an async `fn` (the value is passed on unchanged)
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      return Promise.reject(error);
    }
    return pending.then(
      (value) => {
        this.release();
        return value;
      },
      (error: unknown) => {
        this.release();
        throw error;
      },
    );
  }

  private release(): void {
    const next = this.waiters.shift();
    if (next === undefined) this.locked = false;
    else next();
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
export function withSessionLock<T>(owner: object, key: string, fn: () => Promise<T>): Promise<T> {
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
  const done = (): void => {
    held.users -= 1;
    if (held.users === 0 && map.get(key) === held) map.delete(key);
  };
  return held.mutex.runExclusive(fn).then(
    (value) => {
      done();
      return value;
    },
    (error: unknown) => {
      done();
      throw error;
    },
  );
}

/** Number of live lock entries for `owner` (observability and tests). */
export function activeLockCount(owner: object): number {
  return registry.get(owner)?.size ?? 0;
}
