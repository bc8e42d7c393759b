/**
 * Async mutexes (PRINCIPLES §1: shared mutable state is guarded by an async mutex). `Mutex` serialises every
 * task; `KeyedMutex` serialises the tasks of one key (a session id) and lets different keys run concurrently.
 */

/** An async mutex: tasks run one at a time, in arrival order (FIFO). A rejecting or throwing task frees it. */
export class Mutex {
  #locked = false;
  readonly #waiters: (() => void)[] = [];

  /** Whether a task holds the lock. */
  get isLocked(): boolean {
    return this.#locked;
  }

  /** Runs `task` after every previously queued task has settled; resolves or rejects with its outcome. */
  runExclusive<T>(task: () => Promise<T>): Promise<T> {
    if (!this.#locked) {
      // uncontended fast path: no extra promise before `task` starts
      this.#locked = true;
      return this.#runHeld(task);
    }
    return new Promise<void>((resolve) => this.#waiters.push(resolve)).then(() => this.#runHeld(task));
  }

  /** Runs `task` while holding the lock, then hands the lock to the next waiter (or frees it). */
  #runHeld<T>(task: () => Promise<T>): Promise<T> {
    let pending: Promise<T>;
    try {
      pending = task();
    } catch (error) {
      this.#release();
      // a synchronous throw rejects like the throw of an async task (the value is passed on unchanged)
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      return Promise.reject(error);
    }
    return pending.then(
      (value) => {
        this.#release();
        return value;
      },
      (error: unknown) => {
        this.#release();
        throw error;
      },
    );
  }

  #release(): void {
    const next = this.#waiters.shift();
    if (next === undefined) this.#locked = false;
    else next();
  }
}

interface KeyEntry {
  readonly mutex: Mutex;
  /** Tasks holding or waiting for the key. */
  users: number;
}

/**
 * A per-key async mutex: tasks with the same key run one after another, in arrival order; tasks of different
 * keys run concurrently. A key's entry is dropped when no task holds or waits for it, so the map never grows
 * with idle keys. An error of a task releases the key and reaches its caller unchanged.
 */
export class KeyedMutex {
  readonly #entries = new Map<string, KeyEntry>();

  /** Runs `task` under the lock of `key`; resolves or rejects with its outcome. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = { mutex: new Mutex(), users: 0 };
      this.#entries.set(key, entry);
    }
    entry.users += 1;
    const held = entry;
    const done = (): void => {
      held.users -= 1;
      if (held.users === 0 && this.#entries.get(key) === held) this.#entries.delete(key);
    };
    return held.mutex.runExclusive(task).then(
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

  /** Keys with a running or queued task. */
  get size(): number {
    return this.#entries.size;
  }
}

/** A new, empty `KeyedMutex`. */
export function createKeyedMutex(): KeyedMutex {
  return new KeyedMutex();
}
