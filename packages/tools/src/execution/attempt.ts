import { defaultTimer } from '../common/timer.js';
import type { Timer } from '../common/timer.js';

export type AttemptResult =
  | { kind: 'ok'; value: unknown }
  | { kind: 'error'; error: unknown }
  | { kind: 'timeout' }
  | { kind: 'cancelled' };

const isAsyncIterable = (v: unknown): v is AsyncIterable<unknown> =>
  typeof v === 'object' && v !== null && typeof (v as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';

/** Collect a streaming tool's items into an array; other values pass through. */
export async function collectStream(value: unknown): Promise<unknown> {
  if (!isAsyncIterable(value)) return value;
  const items: unknown[] = [];
  for await (const item of value) items.push(item);
  return items;
}

/**
 * Run `fn` with a per-attempt timeout. The tool gets an `AbortSignal` that aborts on timeout or when the caller's
 * signal aborts. A late resolution after a timeout is ignored and reported through `onLate`.
 */
export function runWithTimeout(
  fn: (signal: AbortSignal) => unknown,
  opts: { timeoutMs: number; signal?: AbortSignal; timer?: Timer; onLate?: () => void },
): Promise<AttemptResult> {
  const timer = opts.timer ?? defaultTimer;
  const controller = new AbortController();
  return new Promise<AttemptResult>((resolve) => {
    let settled = false;
    const finish = (r: AttemptResult): void => {
      if (settled) return;
      settled = true;
      timer.clearTimeout(handle);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const onAbort = (): void => {
      controller.abort();
      finish({ kind: 'cancelled' });
    };
    const handle = timer.setTimeout(() => {
      controller.abort();
      finish({ kind: 'timeout' });
    }, opts.timeoutMs);
    if (opts.signal?.aborted === true) {
      onAbort();
      return;
    }
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    Promise.resolve()
      .then(() => fn(controller.signal))
      .then(collectStream)
      .then(
        (value) => {
          if (settled) opts.onLate?.();
          finish({ kind: 'ok', value });
        },
        (error: unknown) => {
          if (settled) opts.onLate?.();
          finish({ kind: 'error', error });
        },
      );
  });
}
