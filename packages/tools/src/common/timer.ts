/** Opaque handle returned by a `Timer`. */
export type TimerHandle = unknown;

/** Injectable timer (default: the global timers, looked up at call time so fake timers apply). */
export interface Timer {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const defaultTimer: Timer = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => {
    globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>);
  },
};

/** The error a sleep rejects with when its signal aborts. */
export class SleepAbortedError extends Error {
  constructor() {
    super('sleep aborted');
    this.name = 'SleepAbortedError';
  }
}

/** Wait `ms` on the timer; rejects with `SleepAbortedError` when `signal` aborts. */
export function sleep(timer: Timer, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(new SleepAbortedError());
      return;
    }
    const onAbort = (): void => {
      timer.clearTimeout(handle);
      reject(new SleepAbortedError());
    };
    const handle = timer.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
