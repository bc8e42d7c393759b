/**
 * One async mutex per key (a session id): `run(key, fn)` runs `fn` after every earlier `run` of the same
 * key has settled. Entries are dropped when a key goes idle, so the map only holds keys in use.
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key);
    let release!: () => void;
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    // an idle key runs at once: its tail is this task alone
    const tail = previous === undefined ? current : previous.then(() => current);
    this.#tails.set(key, tail);
    if (previous !== undefined) await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }

  /** Number of keys with a running or queued task. */
  get activeKeys(): number {
    return this.#tails.size;
  }
}
