import { InvalidInput, noopLogger, ToolErrorCategory } from '@chuk/models';
import type { Logger } from '@chuk/models';
import { defaultClock, defaultIdGenerator, defaultRandom } from '../common/defaults.js';
import { canonicalJson } from '../common/json.js';
import { defaultTimer, sleep } from '../common/timer.js';
import type { Timer } from '../common/timer.js';
import { classifySideEffect } from '../guards/classification.js';
import { SideEffect } from '../guards/enums.js';
import { idempotencyKeyOf, isRetrySafeTool, nonIdempotentRetryBlock, safeRetryBackoffMs, withoutIdempotencyKey } from './retry-safety.js';
import { runWithTimeout } from './attempt.js';
import { ToolResultCache } from './cache.js';
import { createErrorResult, createSuccessResult, ResultMachine } from './call.js';
import type { ToolCall, ToolResult } from './call.js';
import { CircuitBreaker } from './circuit-breaker.js';
import type { CircuitBreakerConfig, CircuitSnapshot, CircuitState } from './circuit-breaker.js';
import {
  BulkheadFullError,
  errorInfoFromError,
  formatSeconds,
  makeErrorInfo,
  ToolCircuitOpenError,
  ToolErrorCode,
  ToolNotFoundError,
  ToolRateLimitedError,
  ToolTimeoutError,
} from './errors.js';
import type { ErrorInfo } from './errors.js';
import { MetricsRecorder } from './metrics.js';
import type { ExecutorMetrics } from './metrics.js';
import { RateLimiter } from './rate-limit.js';
import type { RateLimitConfig } from './rate-limit.js';
import { isCacheableTool } from './registry.js';
import type { AnyToolDefinition, ToolRegistry } from './registry.js';
import { retryDelayMs, RetryPolicySchema, shouldRetry } from './retry.js';
import type { RetryPolicy, RetryPolicyInput } from './retry.js';
import { AcquireTimeoutError, Bulkhead, Semaphore } from './semaphore.js';
import type { BulkheadConfig, Release } from './semaphore.js';
import { ArgumentValidator } from './validation.js';
import type { ValidationOptions } from './validation.js';

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_EXECUTOR_CACHE_TTL_MS = 300_000;
export const DEFAULT_EXECUTOR_CACHE_SIZE = 1000;
export const CANCELLED_MESSAGE = 'Execution was cancelled';
export const USER_CANCELLED_MESSAGE = 'Execution was cancelled by the user';
export const SHUTDOWN_MESSAGE = 'System is shutting down';

export const SideEffectPolicy = { All: 'all', NoDestructive: 'no-destructive', ReadOnly: 'read-only' } as const;
export type SideEffectPolicy = (typeof SideEffectPolicy)[keyof typeof SideEffectPolicy];

export interface ExecutorHooks {
  onStart?(call: ToolCall): void;
  onResult?(result: ToolResult): void;
  onRetry?(call: ToolCall, attempt: number, delayMs: number, error: string): void;
  onCacheHit?(call: ToolCall, result: ToolResult): void;
  onCircuitChange?(tool: string, from: CircuitState, to: CircuitState): void;
  /** A tool resolved or rejected after its attempt had already timed out or been cancelled. */
  onLateResult?(call: ToolCall, attempt: number): void;
}

export interface ExecutorOptions {
  registry: ToolRegistry;
  defaultTimeoutMs?: number;
  /** null = unlimited. */
  maxConcurrency?: number | null;
  retry?: RetryPolicyInput | false;
  cache?: { enabled?: boolean; ttlMs?: number | null; maxSize?: number } | false;
  rateLimit?: RateLimitConfig | false;
  circuitBreaker?: Partial<CircuitBreakerConfig> | false;
  bulkhead?: BulkheadConfig | false;
  validateArguments?: boolean;
  validation?: ValidationOptions;
  sideEffectPolicy?: SideEffectPolicy;
  /** Human-in-the-loop approval of write / destructive calls. */
  confirm?: (call: ToolCall) => Promise<boolean>;
  hooks?: ExecutorHooks;
  clock?: () => Date;
  random?: () => number;
  idGenerator?: () => string;
  timer?: Timer;
  logger?: Logger;
  sessionId?: string;
}

export interface ExecuteOptions {
  timeoutMs?: number;
  /** Total wall-clock budget of all attempts of one call. */
  deadlineMs?: number;
  useCache?: boolean;
  signal?: AbortSignal;
  /** `false`: no retries for these calls (e.g. a time budget in degraded mode). */
  retry?: false;
}

type Outcome = { ok: true; value: unknown } | { ok: false; info: ErrorInfo; machine?: ResultMachine };

const cancelledInfo = (message = CANCELLED_MESSAGE): ErrorInfo => makeErrorInfo(ToolErrorCode.TOOL_CANCELLED, message);

/**
 * Runs tool calls: validation, cache (single-flight), rate limit, retries with backoff and jitter, circuit
 * breaker, concurrency limits, per-attempt timeouts and cancellation. Tool failures become error results;
 * it throws only for programmer errors (`InvalidInput`).
 */
export class ToolExecutor {
  readonly registry: ToolRegistry;
  private readonly defaultTimeoutMs: number;
  private readonly retryPolicy: RetryPolicy;
  private readonly cache: ToolResultCache | null;
  private readonly inFlight = new Map<string, Promise<ToolResult>>();
  private readonly rateLimiter: RateLimiter | null;
  private readonly breakerConfig: Partial<CircuitBreakerConfig> | null;
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly semaphore: Semaphore | null;
  private readonly bulkhead: Bulkhead | null;
  private readonly toolSemaphores = new Map<string, Semaphore>();
  private readonly validator: ArgumentValidator | null;
  private readonly metrics = new MetricsRecorder();
  private readonly shutdown = new AbortController();
  private closed = false;
  private readonly opts: ExecutorOptions;
  private readonly clock: () => Date;
  private readonly random: () => number;
  private readonly idGenerator: () => string;
  private readonly timer: Timer;
  private readonly logger: Logger;

  constructor(opts: ExecutorOptions) {
    if (typeof opts !== 'object' || typeof opts.registry !== 'object') throw new InvalidInput({ field: 'registry', reason: 'a ToolRegistry is required' });
    this.opts = opts;
    this.registry = opts.registry;
    this.clock = opts.clock ?? defaultClock;
    this.random = opts.random ?? defaultRandom;
    this.idGenerator = opts.idGenerator ?? defaultIdGenerator;
    this.timer = opts.timer ?? defaultTimer;
    this.logger = opts.logger ?? noopLogger;
    this.defaultTimeoutMs = positive(opts.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS, 'defaultTimeoutMs');
    this.retryPolicy = parseRetry(opts.retry === false ? { maxRetries: 0 } : (opts.retry ?? {}), 'retry');
    const cacheOpts = opts.cache === false ? { enabled: false } : (opts.cache ?? {});
    this.cache =
      cacheOpts.enabled === false
        ? null
        : new ToolResultCache({
            ttlMs: cacheOpts.ttlMs === undefined ? DEFAULT_EXECUTOR_CACHE_TTL_MS : cacheOpts.ttlMs,
            maxSize: cacheOpts.maxSize ?? DEFAULT_EXECUTOR_CACHE_SIZE,
            eviction: 'lru',
            scope: 'session',
            clock: this.clock,
          });
    this.rateLimiter = opts.rateLimit === false || opts.rateLimit === undefined ? null : new RateLimiter(opts.rateLimit, { clock: this.clock, timer: this.timer });
    this.breakerConfig = opts.circuitBreaker === false || opts.circuitBreaker === undefined ? null : opts.circuitBreaker;
    const max = opts.maxConcurrency ?? null;
    this.semaphore = max === null ? null : new Semaphore(positive(max, 'maxConcurrency'), this.timer);
    this.bulkhead = opts.bulkhead === false || opts.bulkhead === undefined ? null : new Bulkhead(opts.bulkhead, this.timer);
    this.validator = opts.validateArguments === false ? null : new ArgumentValidator(opts.validation);
  }

  /** Run calls concurrently (bounded); results in submission order, each with its `call_id`. */
  async execute(calls: readonly ToolCall[], opts: ExecuteOptions = {}): Promise<ToolResult[]> {
    return Promise.all(calls.map((c) => this.runOne(c, opts)));
  }

  /** Run calls concurrently; yield results in completion order. */
  async *stream(calls: readonly ToolCall[], opts: ExecuteOptions = {}): AsyncIterable<ToolResult> {
    const pending = new Map<number, Promise<{ i: number; r: ToolResult }>>();
    calls.forEach((c, i) => pending.set(i, this.runOne(c, opts).then((r) => ({ i, r }))));
    while (pending.size > 0) {
      const { i, r } = await Promise.race(pending.values());
      pending.delete(i);
      yield r;
    }
  }

  async invalidateCache(tool?: string, args?: Record<string, unknown>): Promise<number> {
    if (this.cache === null) return 0;
    if (tool === undefined) return this.cache.invalidate();
    const resolved = this.registry.resolve(tool);
    const key = resolved === undefined ? tool : `${resolved.namespace}/${resolved.def.name}`;
    return this.cache.invalidate(key, args);
  }

  getCircuitState(tool: string): CircuitSnapshot | null {
    const resolved = this.registry.resolve(tool);
    const key = resolved === undefined ? tool : `${resolved.namespace}/${resolved.def.name}`;
    return this.breakers.get(key)?.snapshot() ?? null;
  }

  getMetrics(): ExecutorMetrics {
    return this.metrics.snapshot();
  }

  /** Abort in-flight calls and reject new ones with a "System is shutting down" result. */
  async close(): Promise<void> {
    this.closed = true;
    this.shutdown.abort();
  }

  private policyFor(def: AnyToolDefinition): RetryPolicy {
    if (def.retry === false) return { ...this.retryPolicy, maxRetries: 0 };
    if (def.retry === undefined) return this.retryPolicy;
    return parseRetry({ ...this.retryPolicy, ...def.retry }, `${def.name}.retry`);
  }

  private breakerFor(key: string): CircuitBreaker | null {
    if (this.breakerConfig === null) return null;
    let b = this.breakers.get(key);
    if (b === undefined) {
      b = new CircuitBreaker(this.breakerConfig, { clock: this.clock, onChange: (from, to) => this.opts.hooks?.onCircuitChange?.(key, from, to) });
      this.breakers.set(key, b);
    }
    return b;
  }

  private combinedSignal(signal?: AbortSignal): AbortSignal {
    return signal === undefined ? this.shutdown.signal : AbortSignal.any([signal, this.shutdown.signal]);
  }

  private async runOne(call: ToolCall, opts: ExecuteOptions): Promise<ToolResult> {
    const start = this.clock();
    this.opts.hooks?.onStart?.(call);
    const result = await this.runInner(call, opts, start);
    this.metrics.recordResult(call.tool, result.duration_ms, result.error_info?.category ?? null);
    if (result.cached) this.metrics.recordCacheHit();
    this.opts.hooks?.onResult?.(result);
    return result;
  }

  private finish(call: ToolCall, start: Date, outcome: Outcome, attempts: number, args: Record<string, unknown> | null): ToolResult {
    const t = { id: this.idGenerator(), callId: call.id, start, end: this.clock(), attempts, args };
    return outcome.ok
      ? createSuccessResult(call.tool, outcome.value, t)
      : createErrorResult(call.tool, outcome.info, { ...t, machine: outcome.machine ?? ResultMachine.Local });
  }

  private async runInner(call: ToolCall, opts: ExecuteOptions, start: Date): Promise<ToolResult> {
    const fail = (info: ErrorInfo, attempts = 0, machine?: ResultMachine): ToolResult =>
      this.finish(call, start, { ok: false, info, ...(machine !== undefined ? { machine } : {}) }, attempts, null);
    if (this.closed) return fail(cancelledInfo(SHUTDOWN_MESSAGE));
    if (opts.signal?.aborted === true) return fail(cancelledInfo());
    if (call.parse_error !== null) {
      return fail(makeErrorInfo(ToolErrorCode.TOOL_ARGUMENT_ERROR, `Invalid arguments for ${call.tool}: ${call.parse_error}`));
    }
    const resolved = this.registry.resolve(call.tool, call.namespace);
    if (resolved === undefined) {
      const available = this.registry.list().map((t) => (t.namespace === 'default' ? t.name : `${t.namespace}.${t.name}`));
      return fail(new ToolNotFoundError({ toolName: call.tool, available }).toErrorInfo());
    }
    const { def, namespace } = resolved;
    const key = `${namespace}/${def.name}`;

    let args = withoutIdempotencyKey(call.arguments, this.policyFor(def).idempotencyKeyArg);
    if (this.validator !== null) {
      const v = this.validator.validate(def, args);
      if (!v.ok) return fail(makeErrorInfo(ToolErrorCode.TOOL_ARGUMENT_ERROR, v.message, { details: { tool_name: call.tool, issues: v.issues } }));
      args = v.args;
    }

    const policyBlock = await this.checkSideEffects(call, def);
    if (policyBlock !== null) return fail(policyBlock);

    const cache = opts.useCache !== false && isCacheableTool(def) ? this.cache : null;
    if (cache === null) return this.runGuarded(call, def, key, namespace, args, opts, start);

    const cacheKeyArgs = args;
    const hit = cache.get(key, cacheKeyArgs);
    if (hit !== undefined) return this.fromCache(call, hit.result, args);
    const flightKey = `${key}:${canonicalJson(cacheKeyArgs)}`;
    const leader = this.inFlight.get(flightKey);
    if (leader !== undefined) {
      const r = await leader;
      return r.error === null ? this.fromCache(call, r.result, args) : { ...r, id: this.idGenerator(), call_id: call.id };
    }
    const promise = this.runGuarded(call, def, key, namespace, args, opts, start);
    this.inFlight.set(flightKey, promise);
    try {
      const r = await promise;
      if (r.error === null && r.result !== null) cache.put(key, cacheKeyArgs, r.result, def.cacheTtlMs === undefined ? {} : { ttlMs: def.cacheTtlMs });
      return r;
    } finally {
      this.inFlight.delete(flightKey);
    }
  }

  private fromCache(call: ToolCall, value: unknown, args: Record<string, unknown>): ToolResult {
    const now = this.clock();
    const r: ToolResult = {
      ...createSuccessResult(call.tool, value, { id: this.idGenerator(), callId: call.id, start: now, end: now, machine: ResultMachine.Cache, attempts: 0, args }),
      cached: true,
    };
    this.opts.hooks?.onCacheHit?.(call, r);
    return r;
  }

  private async checkSideEffects(call: ToolCall, def: AnyToolDefinition): Promise<ErrorInfo | null> {
    const effect = def.sideEffect ?? classifySideEffect(def.name);
    const policy = this.opts.sideEffectPolicy ?? SideEffectPolicy.All;
    const denied =
      (policy === SideEffectPolicy.ReadOnly && effect !== SideEffect.ReadOnly) ||
      (policy === SideEffectPolicy.NoDestructive && effect === SideEffect.Destructive);
    if (denied) {
      return makeErrorInfo(ToolErrorCode.CONFIGURATION_ERROR, `Tool '${call.tool}' (${effect}) is not allowed by the side-effect policy '${policy}'`);
    }
    if (this.opts.confirm !== undefined && effect !== SideEffect.ReadOnly && !(await this.opts.confirm(call))) {
      return cancelledInfo(USER_CANCELLED_MESSAGE);
    }
    return null;
  }

  /** Rate limit, then the retry loop with its deadline. */
  private async runGuarded(
    call: ToolCall,
    def: AnyToolDefinition,
    key: string,
    namespace: string,
    args: Record<string, unknown>,
    opts: ExecuteOptions,
    start: Date,
  ): Promise<ToolResult> {
    const signal = this.combinedSignal(opts.signal);
    const limiter = this.rateLimiter;
    if (limiter !== null) {
      if (def.rateLimit !== undefined) limiter.ensureToolLimit(key, def.rateLimit);
      if (limiter.mode === 'fail') {
        const r = limiter.tryAcquire(key);
        if (!r.ok) return this.finish(call, start, { ok: false, info: new ToolRateLimitedError({ toolName: call.tool, retryAfterMs: r.retryAfterMs }).toErrorInfo() }, 0, args);
      } else {
        try {
          await limiter.acquire(key, signal);
        } catch {
          return this.finish(call, start, { ok: false, info: cancelledInfo() }, 0, args);
        }
      }
    }

    const policy = opts.retry === false ? { ...this.policyFor(def), maxRetries: 0 } : this.policyFor(def);
    const startMs = start.getTime();
    const deadlineAt = opts.deadlineMs === undefined ? null : startMs + opts.deadlineMs;
    const perAttempt = opts.timeoutMs ?? def.timeoutMs ?? this.defaultTimeoutMs;
    const retrySafe = isRetrySafeTool(def);
    const idemKey = idempotencyKeyOf(call.arguments, policy.idempotencyKeyArg);
    for (let attempt = 0; ; attempt++) {
      const remaining = deadlineAt === null ? Number.POSITIVE_INFINITY : deadlineAt - this.clock().getTime();
      if (remaining <= 0) {
        const info = makeErrorInfo(ToolErrorCode.TOOL_TIMEOUT, `Timeout after ${formatSeconds(opts.deadlineMs ?? 0)}`, { details: { attempts: attempt } });
        return this.finish(call, start, { ok: false, info }, attempt, args);
      }
      const outcome = await this.attemptOnce(call, def, key, namespace, args, attempt + 1, Math.min(perAttempt, remaining), signal);
      if (outcome.ok) return this.finish(call, start, outcome, attempt + 1, args);
      const { info } = outcome;
      const unsafe = retrySafe || !info.retryable ? null : nonIdempotentRetryBlock(policy, attempt, info, idemKey !== null);
      const retry = info.category !== ToolErrorCategory.Cancelled && info.retryable && unsafe === null && shouldRetry(policy, attempt, info.message, info.category);
      if (!retry) {
        const exhausted = attempt > 0 && attempt >= policy.maxRetries;
        let final = exhausted ? { ...info, message: `Max retries reached (${policy.maxRetries}): ${info.message}` } : info;
        if (unsafe !== null && attempt < policy.maxRetries) final = { ...final, details: { ...final.details, retry_skipped: unsafe } };
        return this.finish(call, start, { ...outcome, info: final }, attempt + 1, args);
      }
      let delay = retryDelayMs(policy, attempt, this.random, info.retry_after_ms);
      if (!retrySafe) delay = Math.max(delay, safeRetryBackoffMs(attempt + 1));
      if (deadlineAt !== null) delay = Math.min(delay, Math.max(0, deadlineAt - this.clock().getTime()));
      this.metrics.recordRetry();
      this.opts.hooks?.onRetry?.(call, attempt + 1, delay, info.message);
      this.logger.debug({ tool: call.tool, callId: call.id, attempt: attempt + 1, delayMs: delay, error: info.message }, 'retrying tool call');
      try {
        await sleep(this.timer, delay, signal);
      } catch {
        return this.finish(call, start, { ok: false, info: cancelledInfo() }, attempt + 1, args);
      }
    }
  }

  private async acquireSlots(def: AnyToolDefinition, key: string, namespace: string, signal: AbortSignal): Promise<Release | ErrorInfo> {
    const releases: Release[] = [];
    const releaseAll = (): void => {
      for (const r of releases.reverse()) r();
    };
    try {
      if (this.semaphore !== null) releases.push(await this.semaphore.acquire({ signal }));
      if (this.bulkhead !== null) {
        releases.push(await this.bulkhead.acquire(def.name, namespace, { signal, ...(def.maxConcurrency !== undefined ? { toolMax: def.maxConcurrency } : {}) }));
      } else if (def.maxConcurrency !== undefined) {
        let s = this.toolSemaphores.get(key);
        if (s === undefined) {
          s = new Semaphore(def.maxConcurrency, this.timer);
          this.toolSemaphores.set(key, s);
        }
        releases.push(await s.acquire({ signal }));
      }
    } catch (e) {
      releaseAll();
      if (e instanceof AcquireTimeoutError) return new BulkheadFullError({ toolName: def.name, limit: e.limit }).toErrorInfo();
      return cancelledInfo();
    }
    return releaseAll;
  }

  private async attemptOnce(
    call: ToolCall,
    def: AnyToolDefinition,
    key: string,
    namespace: string,
    args: Record<string, unknown>,
    attempt: number,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<Outcome> {
    const breaker = this.breakerFor(key);
    const permit = breaker?.acquire() ?? { allowed: true as const };
    if (!permit.allowed) {
      const info = new ToolCircuitOpenError({ toolName: call.tool, failureCount: permit.failureCount, resetInMs: permit.retryAfterMs }).toErrorInfo();
      return { ok: false, info, machine: ResultMachine.CircuitBreaker };
    }
    const slots = await this.acquireSlots(def, key, namespace, signal);
    if (typeof slots !== 'function') {
      breaker?.cancel();
      return { ok: false, info: slots };
    }
    const began = this.clock().getTime();
    const idemKey = idempotencyKeyOf(call.arguments, this.policyFor(def).idempotencyKeyArg);
    try {
      const r = await runWithTimeout(
        (toolSignal) =>
          def.execute(args as never, {
            callId: call.id,
            attempt,
            signal: toolSignal,
            ...(idemKey !== null ? { idempotencyKey: idemKey } : {}),
            ...(this.opts.sessionId !== undefined ? { sessionId: this.opts.sessionId } : {}),
          }),
        { timeoutMs, signal, timer: this.timer, onLate: () => this.opts.hooks?.onLateResult?.(call, attempt) },
      );
      const duration = this.clock().getTime() - began;
      switch (r.kind) {
        case 'ok':
          breaker?.record(true, duration);
          return { ok: true, value: r.value };
        case 'cancelled':
          breaker?.cancel();
          return { ok: false, info: cancelledInfo() };
        case 'timeout':
          breaker?.record(false, duration);
          return { ok: false, info: new ToolTimeoutError({ toolName: call.tool, timeoutMs }).toErrorInfo() };
        default:
          breaker?.record(false, duration);
          return { ok: false, info: errorInfoFromError(r.error) };
      }
    } finally {
      slots();
    }
  }
}

function positive(n: number, field: string): number {
  if (!Number.isFinite(n) || n <= 0) throw new InvalidInput({ field, reason: `must be a positive number, got ${n}` });
  return n;
}

function parseRetry(input: RetryPolicyInput, field: string): RetryPolicy {
  const parsed = RetryPolicySchema.safeParse(input);
  if (!parsed.success) throw new InvalidInput({ field, reason: parsed.error.issues[0]?.message ?? 'invalid', issues: parsed.error.issues });
  return parsed.data;
}
