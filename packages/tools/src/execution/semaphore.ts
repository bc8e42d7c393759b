import { z } from 'zod';
import { defaultTimer } from '../common/timer.js';
import type { Timer } from '../common/timer.js';

export type Release = () => void;

/** The error an acquisition rejects with when it times out. */
export class AcquireTimeoutError extends Error {
  constructor(readonly limit: number) {
    super(`acquisition timed out (limit ${limit})`);
    this.name = 'AcquireTimeoutError';
  }
}

/** The error an acquisition rejects with when its signal aborts. */
export class AcquireAbortedError extends Error {
  constructor() {
    super('acquisition aborted');
    this.name = 'AcquireAbortedError';
  }
}

interface Waiter {
  grant: () => void;
}

/** Counting semaphore with FIFO waiters, abortable and with an optional acquisition timeout. */
export class Semaphore {
  private inUse = 0;
  private readonly waiters: Waiter[] = [];

  constructor(
    readonly limit: number,
    private readonly timer: Timer = defaultTimer,
  ) {}

  get active(): number {
    return this.inUse;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  private release = (): void => {
    const next = this.waiters.shift();
    if (next !== undefined) next.grant();
    else this.inUse--;
  };

  acquire(opts: { signal?: AbortSignal; timeoutMs?: number | null } = {}): Promise<Release> {
    if (opts.signal?.aborted === true) return Promise.reject(new AcquireAbortedError());
    if (this.inUse < this.limit) {
      this.inUse++;
      return Promise.resolve(this.onceRelease());
    }
    return new Promise<Release>((resolve, reject) => {
      let handle: unknown = null;
      const cleanup = (): void => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        if (handle !== null) this.timer.clearTimeout(handle);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        grant: () => {
          cleanup();
          resolve(this.onceRelease());
        },
      };
      const onAbort = (): void => {
        cleanup();
        reject(new AcquireAbortedError());
      };
      this.waiters.push(waiter);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (opts.timeoutMs !== undefined && opts.timeoutMs !== null) {
        handle = this.timer.setTimeout(() => {
          cleanup();
          reject(new AcquireTimeoutError(this.limit));
        }, opts.timeoutMs);
      }
    });
  }

  private onceRelease(): Release {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.release();
    };
  }
}

export const BulkheadConfigSchema = z
  .object({
    defaultLimit: z.number().int().min(1).default(10).describe('concurrent calls per tool'),
    toolLimits: z.record(z.string(), z.number().int().min(1)).default({}).describe('per-tool overrides'),
    patterns: z.record(z.string(), z.number().int().min(1)).default({}).describe('glob patterns (* and ?) → limit'),
    namespaceLimits: z.record(z.string(), z.number().int().min(1)).default({}).describe('concurrent calls per namespace'),
    globalLimit: z.number().int().min(1).nullable().default(null).describe('concurrent calls overall'),
    acquisitionTimeoutMs: z.number().min(0).nullable().default(null).describe('null = wait forever'),
  })
  .strict();
export type BulkheadConfig = z.input<typeof BulkheadConfigSchema>;

const globToRegExp = (glob: string): RegExp =>
  new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.')}$`);

/** Per-tool / per-namespace / global concurrency limits. */
export class Bulkhead {
  readonly config: z.infer<typeof BulkheadConfigSchema>;
  private readonly semaphores = new Map<string, Semaphore>();
  private readonly patterns: Array<[RegExp, number]>;

  constructor(
    config: BulkheadConfig = {},
    private readonly timer: Timer = defaultTimer,
  ) {
    this.config = BulkheadConfigSchema.parse(config);
    this.patterns = Object.entries(this.config.patterns).map(([g, n]) => [globToRegExp(g), n]);
  }

  limitFor(tool: string, toolMax?: number): number {
    const explicit = this.config.toolLimits[tool];
    if (explicit !== undefined) return explicit;
    if (toolMax !== undefined) return toolMax;
    return this.patterns.find(([re]) => re.test(tool))?.[1] ?? this.config.defaultLimit;
  }

  private semaphore(key: string, limit: number): Semaphore {
    let s = this.semaphores.get(key);
    if (s === undefined) {
      s = new Semaphore(limit, this.timer);
      this.semaphores.set(key, s);
    }
    return s;
  }

  /** Acquire global, namespace and tool slots (in that order); rejects with `AcquireTimeoutError` naming the limit. */
  async acquire(tool: string, namespace: string, opts: { signal?: AbortSignal; toolMax?: number } = {}): Promise<Release> {
    const plan: Array<[string, number]> = [];
    if (this.config.globalLimit !== null) plan.push(['*global*', this.config.globalLimit]);
    const nsLimit = this.config.namespaceLimits[namespace];
    if (nsLimit !== undefined) plan.push([`ns:${namespace}`, nsLimit]);
    plan.push([`tool:${namespace}/${tool}`, this.limitFor(tool, opts.toolMax)]);
    const releases: Release[] = [];
    try {
      for (const [key, limit] of plan) {
        releases.push(
          await this.semaphore(key, limit).acquire({
            ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
            timeoutMs: this.config.acquisitionTimeoutMs,
          }),
        );
      }
    } catch (e) {
      for (const r of releases.reverse()) r();
      throw e;
    }
    return () => {
      for (const r of releases.reverse()) r();
    };
  }
}
