import { z } from 'zod';
import { defaultClock } from '../common/defaults.js';
import { defaultTimer, sleep } from '../common/timer.js';
import type { Timer } from '../common/timer.js';

export const DEFAULT_RATE_PERIOD_MS = 60_000;

const WindowSchema = z.object({ limit: z.number().int().min(1), periodMs: z.number().positive().default(DEFAULT_RATE_PERIOD_MS) });

export const RateLimitConfigSchema = z
  .object({
    global: WindowSchema.nullable().default(null).describe('requests per period over all tools; null = off'),
    tools: z.record(z.string(), WindowSchema).default({}).describe('per-tool windows'),
    mode: z.enum(['wait', 'fail']).default('wait').describe('wait: delay the call; fail: return a rate_limit error'),
  })
  .strict();
export type RateLimitConfig = z.input<typeof RateLimitConfigSchema>;

export type RateLimitAcquire = { ok: true } | { ok: false; retryAfterMs: number };

interface Window {
  limit: number;
  periodMs: number;
  stamps: number[];
}

/** Sliding-window rate limiter (CTP algorithm), with an injectable clock and timer. */
export class RateLimiter {
  private readonly config: z.infer<typeof RateLimitConfigSchema>;
  private readonly global: Window | null;
  private readonly tools = new Map<string, Window>();
  private readonly clock: () => Date;
  private readonly timer: Timer;

  constructor(config: RateLimitConfig, opts: { clock?: () => Date; timer?: Timer } = {}) {
    this.config = RateLimitConfigSchema.parse(config);
    this.global = this.config.global === null ? null : { ...this.config.global, stamps: [] };
    for (const [tool, w] of Object.entries(this.config.tools)) this.tools.set(tool, { ...w, stamps: [] });
    this.clock = opts.clock ?? defaultClock;
    this.timer = opts.timer ?? defaultTimer;
  }

  get mode(): 'wait' | 'fail' {
    return this.config.mode;
  }

  /** Add a per-tool window (from a tool definition) unless one is configured. */
  ensureToolLimit(tool: string, limit: { limit: number; periodMs: number }): void {
    if (!this.tools.has(tool)) this.tools.set(tool, { ...limit, stamps: [] });
  }

  private waitFor(w: Window, now: number): number {
    while (w.stamps.length > 0 && (w.stamps[0] ?? 0) <= now - w.periodMs) w.stamps.shift();
    if (w.stamps.length < w.limit) return 0;
    return (w.stamps[0] ?? now) + w.periodMs - now;
  }

  /** Without consuming: would the global / tool window block now? */
  checkLimits(tool: string): { globalLimited: boolean; toolLimited: boolean } {
    const now = this.clock().getTime();
    const t = this.tools.get(tool);
    return {
      globalLimited: this.global !== null && this.waitFor(this.global, now) > 0,
      toolLimited: t !== undefined && this.waitFor(t, now) > 0,
    };
  }

  /** Take a slot in both windows now, or report how long to wait. */
  tryAcquire(tool: string): RateLimitAcquire {
    const now = this.clock().getTime();
    const windows = [this.global, this.tools.get(tool) ?? null].filter((w): w is Window => w !== null);
    const wait = Math.max(0, ...windows.map((w) => this.waitFor(w, now)));
    if (wait > 0) return { ok: false, retryAfterMs: wait };
    for (const w of windows) w.stamps.push(now);
    return { ok: true };
  }

  /** Wait until a slot is free (mode "wait"), then take it. */
  async acquire(tool: string, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const r = this.tryAcquire(tool);
      if (r.ok) return;
      await sleep(this.timer, r.retryAfterMs, signal);
    }
  }
}
