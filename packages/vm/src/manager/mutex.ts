/** A synchronous throw of a locked function, as the rejection the caller awaits. */
async function rejected(err: unknown): Promise<never> {
  throw err;
}

/**
 * A minimal async mutex (a promise chain): callers run one at a time, in arrival order.
 *
 * Fast path: when nothing holds or waits for the lock, `fn` runs at once (no promise hop). If it finishes
 * synchronously the lock is free again before `run` returns; if it returns a promise the lock is held until
 * that promise settles. Either way the caller gets a promise, and a synchronous throw becomes a rejection.
 * A call made while `fn` is still running synchronously (from inside it) waits behind it like any other.
 */
export class Mutex {
  private tail: Promise<unknown> | null = null;
  private running = false;
  /** Opened when the synchronously running call settles; only created if someone queues behind it. */
  private gate: { promise: Promise<void>; open: () => void } | null = null;

  run<T>(fn: () => Promise<T> | T): Promise<T> {
    if (this.tail !== null || this.running) return this.enqueue(fn);
    this.running = true;
    let value: Promise<T> | T;
    try {
      value = fn();
    } catch (err) {
      this.settled(null);
      return rejected(err);
    }
    if (!(value instanceof Promise)) {
      this.settled(null);
      return Promise.resolve(value);
    }
    this.settled(value);
    return value;
  }

  /**
   * Like `run`, but `fn` always starts in a later microtask (never inside this call), so the caller can still
   * cancel the work, e.g. abort its signal, right after calling.
   */
  runDeferred<T>(fn: () => Promise<T> | T): Promise<T> {
    if (this.tail !== null || this.running) return this.enqueue(fn);
    const result = Promise.resolve().then(fn);
    this.hold(result);
    return result;
  }

  /** The synchronous part of the fast-path call is over: free the lock, or keep it until `pending` settles. */
  private settled(pending: Promise<unknown> | null): void {
    this.running = false;
    const gate = this.gate;
    this.gate = null;
    if (gate) {
      // Calls queued behind the gate (the tail already chains after it).
      if (pending) pending.then(gate.open, gate.open);
      else gate.open();
    } else if (pending) {
      this.hold(pending);
    }
  }

  private enqueue<T>(fn: () => Promise<T> | T): Promise<T> {
    let tail = this.tail;
    if (tail === null) {
      let open = (): void => undefined;
      const promise = new Promise<void>((resolve) => {
        open = resolve;
      });
      this.gate = { promise, open };
      tail = promise;
    }
    const result = tail.then(fn);
    this.hold(result);
    return result;
  }

  /** The lock stays taken until `p` settles (and frees itself if nothing queued behind it). */
  private hold(p: Promise<unknown>): void {
    const release = (): void => {
      if (this.tail === tail) this.tail = null;
    };
    const tail: Promise<unknown> = p.then(release, release);
    this.tail = tail;
  }
}
