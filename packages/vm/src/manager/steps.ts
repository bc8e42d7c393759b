/**
 * Operations that are synchronous unless a callback is truly asynchronous (a user compressor, a summariser,
 * tier storage) are written once, as generators that `yield* wait(promise)` only when they must wait.
 * `runSteps` drives such a generator synchronously and switches to a promise at the first wait, so the
 * common in-memory path (built-in compressors, no tier I/O) costs no promise and no microtask hop.
 */
export type Steps<T> = Generator<Promise<unknown>, T, unknown>;

/** A value computed synchronously, or a promise of it when something had to wait. */
export type MaybePromise<T> = T | Promise<T>;

/** Wait for `p` inside a `Steps` generator (`const x = yield* wait(p)`). */
export function* wait<T>(p: Promise<T>): Steps<T> {
  return (yield p) as T;
}

/** The generator's result: a plain value if it never waited, else a promise of it. Errors propagate as thrown / rejected. */
export function runSteps<T>(steps: Steps<T>): MaybePromise<T> {
  const first = steps.next();
  return first.done ? first.value : resume(steps, first.value);
}

async function resume<T>(steps: Steps<T>, pending: Promise<unknown>): Promise<T> {
  let waiting = pending;
  for (;;) {
    let next: IteratorResult<Promise<unknown>, T>;
    try {
      next = steps.next(await waiting);
    } catch (err) {
      // A rejected wait is rethrown inside the generator (its try/finally blocks run); a throw from the
      // generator body itself has already finished it, and `throw` on a finished generator rethrows `err`.
      next = steps.throw(err);
    }
    if (next.done) return next.value;
    waiting = next.value;
  }
}

/** Apply `fn` to a sync-or-async value without adding a promise hop to the sync case. */
export function mapMaybe<T, R>(value: MaybePromise<T>, fn: (v: T) => MaybePromise<R>): MaybePromise<R> {
  return value instanceof Promise ? value.then(fn) : fn(value);
}
