import { z } from 'zod';
import { defaultClock } from '../common/defaults.js';

export const CircuitState = { Closed: 'closed', Open: 'open', HalfOpen: 'half_open' } as const;
export type CircuitState = (typeof CircuitState)[keyof typeof CircuitState];
export const CircuitStateSchema = z.enum(CircuitState);

export const CircuitBreakerConfigSchema = z
  .object({
    failureThreshold: z.number().int().min(1).default(5).describe('consecutive failures that open the circuit'),
    successThreshold: z.number().int().min(1).default(2).describe('half-open successes that close it'),
    resetTimeoutMs: z.number().min(0).default(60_000).describe('time open before a probe is allowed'),
    halfOpenMaxCalls: z.number().int().min(1).default(1).describe('concurrent probes while half-open'),
    timeoutThresholdMs: z.number().positive().nullable().default(null).describe('a success slower than this counts as a failure'),
  })
  .strict();
export type CircuitBreakerConfig = z.infer<typeof CircuitBreakerConfigSchema>;

export interface CircuitSnapshot {
  state: CircuitState;
  failureCount: number;
  successCount: number;
  openedAt: string | null;
  lastFailureAt: string | null;
}

export type CircuitPermit = { allowed: true } | { allowed: false; failureCount: number; retryAfterMs: number };

/** Per-tool circuit breaker: CLOSED → OPEN after N consecutive failures → HALF_OPEN after a timeout → CLOSED. */
export class CircuitBreaker {
  readonly config: CircuitBreakerConfig;
  private state: CircuitState = CircuitState.Closed;
  private failures = 0;
  private successes = 0;
  private openedAt: number | null = null;
  private lastFailureAt: number | null = null;
  private halfOpenInFlight = 0;
  private readonly clock: () => Date;
  private readonly onChange: ((from: CircuitState, to: CircuitState) => void) | undefined;

  constructor(config: Partial<CircuitBreakerConfig> = {}, opts: { clock?: () => Date; onChange?: (from: CircuitState, to: CircuitState) => void } = {}) {
    this.config = CircuitBreakerConfigSchema.parse(config);
    this.clock = opts.clock ?? defaultClock;
    this.onChange = opts.onChange;
  }

  private transition(to: CircuitState): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    this.onChange?.(from, to);
  }

  /** Ask to run a call; takes a half-open probe slot when one is granted. */
  acquire(): CircuitPermit {
    const now = this.clock().getTime();
    if (this.state === CircuitState.Open) {
      const elapsed = now - (this.openedAt ?? now);
      if (elapsed < this.config.resetTimeoutMs) {
        return { allowed: false, failureCount: this.failures, retryAfterMs: this.config.resetTimeoutMs - elapsed };
      }
      this.transition(CircuitState.HalfOpen);
      this.successes = 0;
      this.halfOpenInFlight = 0;
    }
    if (this.state === CircuitState.HalfOpen) {
      if (this.halfOpenInFlight >= this.config.halfOpenMaxCalls) return { allowed: false, failureCount: this.failures, retryAfterMs: 0 };
      this.halfOpenInFlight++;
    }
    return { allowed: true };
  }

  /** Record the outcome of a permitted call and release its probe slot. */
  record(success: boolean, durationMs = 0): void {
    const slow = this.config.timeoutThresholdMs !== null && durationMs > this.config.timeoutThresholdMs;
    const ok = success && !slow;
    const now = this.clock().getTime();
    if (this.state === CircuitState.HalfOpen) {
      this.halfOpenInFlight = Math.max(0, this.halfOpenInFlight - 1);
      if (ok) {
        this.successes++;
        if (this.successes >= this.config.successThreshold) {
          this.failures = 0;
          this.successes = 0;
          this.openedAt = null;
          this.transition(CircuitState.Closed);
        }
      } else {
        this.failures++;
        this.lastFailureAt = now;
        this.openedAt = now;
        this.transition(CircuitState.Open);
      }
      return;
    }
    if (ok) {
      this.failures = 0;
      return;
    }
    this.failures++;
    this.lastFailureAt = now;
    if (this.failures >= this.config.failureThreshold) {
      this.openedAt = now;
      this.transition(CircuitState.Open);
    }
  }

  /** Release a probe slot without recording an outcome (the call was cancelled). */
  cancel(): void {
    if (this.state === CircuitState.HalfOpen) this.halfOpenInFlight = Math.max(0, this.halfOpenInFlight - 1);
  }

  snapshot(): CircuitSnapshot {
    return {
      state: this.state,
      failureCount: this.failures,
      successCount: this.successes,
      openedAt: this.openedAt === null ? null : new Date(this.openedAt).toISOString(),
      lastFailureAt: this.lastFailureAt === null ? null : new Date(this.lastFailureAt).toISOString(),
    };
  }
}
