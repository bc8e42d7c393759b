import { ToolProcessingError, SessionManagerError } from '@chuk/models';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  BulkheadFullError,
  categoryForCode,
  errorInfoFromError,
  errorInfoFromString,
  GuardBlockedError,
  isRetryableCategory,
  ToolCallParseError,
  ToolCircuitOpenError,
  ToolExecutionError,
  ToolNotFoundError,
  ToolRateLimitedError,
  ToolRetryExhaustedError,
  ToolTimeoutError,
  ToolValidationError,
} from '../src/execution/errors.js';
import { createErrorResult, createSuccessResult, errorCategory, isSuccess, retryable, retryAfterMs, syncErrorFields, toolCall } from '../src/execution/call.js';
import { isCacheableTool, ToolRegistry } from '../src/execution/registry.js';
import { ArgumentValidator, jsonSchemaOf, schemaSummary } from '../src/execution/validation.js';
import { retryDelayMs, RetryPolicySchema, shouldRetry } from '../src/execution/retry.js';
import { RateLimiter } from '../src/execution/rate-limit.js';
import { CircuitBreaker } from '../src/execution/circuit-breaker.js';
import { AcquireAbortedError, AcquireTimeoutError, Bulkhead, Semaphore } from '../src/execution/semaphore.js';
import { collectStream, runWithTimeout } from '../src/execution/attempt.js';
import { MetricsRecorder } from '../src/execution/metrics.js';
import { blockResult } from '../src/guards/guard.js';

describe('errors', () => {
  it('code → category, retryable categories', () => {
    expect(categoryForCode('TOOL_NOT_FOUND')).toBe('not_found');
    expect(categoryForCode('MCP_TIMEOUT')).toBe('timeout');
    expect(categoryForCode('RESOURCE_EXHAUSTED')).toBe('bulkhead_full');
    expect(categoryForCode('WHATEVER')).toBe('execution');
    expect(isRetryableCategory('validation')).toBe(false);
    expect(isRetryableCategory('connection')).toBe(true);
  });
  it('errorInfoFromString heuristics, first match wins', () => {
    const cases: Array<[string, string, boolean]> = [
      ['Rate limit hit', 'TOOL_RATE_LIMITED', true],
      ['circuit is open', 'TOOL_CIRCUIT_OPEN', true],
      ['bulkhead full', 'BULKHEAD_FULL', true],
      ['request timed out', 'TOOL_TIMEOUT', true],
      ['file not found', 'TOOL_NOT_FOUND', false],
      ['invalid input', 'TOOL_VALIDATION_ERROR', false],
      ['user cancelled', 'TOOL_CANCELLED', false],
      ['could not connect', 'MCP_CONNECTION_FAILED', true],
      ['boom', 'TOOL_EXECUTION_FAILED', true],
    ];
    for (const [msg, code, retry] of cases) {
      const info = errorInfoFromString(msg, 't');
      expect([info.code, info.retryable]).toEqual([code, retry]);
      expect(info.details).toEqual({ tool_name: 't' });
    }
    expect(errorInfoFromString('x').details).toEqual({});
  });
  it('error classes extend ToolProcessingError and carry their info', () => {
    const all = [
      new ToolNotFoundError({ toolName: 't', available: ['a'] }),
      new ToolExecutionError({ toolName: 't', cause: new Error('inner') }),
      new ToolTimeoutError({ toolName: 't', timeoutMs: 50 }),
      new ToolValidationError({ toolName: 't', issues: [] }),
      new ToolRateLimitedError({ toolName: 't', retryAfterMs: 10 }),
      new ToolCircuitOpenError({ toolName: 't', failureCount: 5, resetInMs: 100 }),
      new BulkheadFullError({ toolName: 't', limit: 2 }),
      new ToolCallParseError({ format: 'openai_chat', message: 'bad' }),
      new GuardBlockedError({ toolName: 't', guardResult: blockResult('budget', 'no', { x: 1 }) }),
      new ToolRetryExhaustedError({ attempts: 3, lastErrors: ['a'] }),
    ];
    for (const e of all) {
      expect(e).toBeInstanceOf(ToolProcessingError);
      expect(e).toBeInstanceOf(SessionManagerError);
      expect(e.toErrorInfo().message).toBe(e.message);
      expect(e.code).toBe(e.toErrorInfo().code);
      expect(errorInfoFromError(e)).toEqual(e.toErrorInfo());
    }
    expect(all[1]?.message).toBe('inner');
    expect(all[2]?.message).toBe('Timeout after 0.05s');
    expect(all[4]?.toErrorInfo().retry_after_ms).toBe(10);
    expect(all[8]?.toErrorInfo()).toMatchObject({ retryable: false, details: { guard: 'budget', x: 1 } });
    expect(all[9]?.message).toContain('no executable tool calls after 3 attempts');
    expect(all[9]?.toolName).toBeNull();
    expect(new ToolExecutionError({ toolName: 't' }).message).toBe('execution failed');
    expect(new ToolExecutionError({ toolName: 't', cause: 42 }).message).toBe('42');
    expect(new ToolTimeoutError({ toolName: 't', timeoutMs: 1, cause: 'x' }).cause).toBe('x');
  });
  it('errorInfoFromError for foreign values', () => {
    expect(errorInfoFromError(new TypeError('bad'))).toMatchObject({ code: 'TOOL_EXECUTION_FAILED', category: 'execution', details: { exception_type: 'TypeError' } });
    expect(errorInfoFromError('str')).toMatchObject({ message: 'str', details: { exception_type: 'string' } });
    expect(errorInfoFromError(new ToolProcessingError({ toolName: 'x', reason: 'y' })).code).toBe('TOOL_EXECUTION_FAILED');
  });
});

describe('ToolCall / ToolResult', () => {
  const t = { id: 'r1', callId: 'c1', start: new Date(0), end: new Date(25) };
  it('defaults and helpers', () => {
    expect(toolCall({ id: 'c', tool: 'x' })).toMatchObject({ namespace: 'default', arguments: {}, raw_arguments: null, parse_error: null });
    const ok = createSuccessResult('x', undefined, t);
    expect(ok).toMatchObject({ result: null, duration_ms: 25, machine: 'local', attempts: 1, arguments: null });
    expect(isSuccess(ok)).toBe(true);
    expect(retryable(ok)).toBe(true);
    expect(errorCategory(ok)).toBeNull();
    const err = createErrorResult('x', 'Rate limit', t);
    expect(err.error_info?.code).toBe('TOOL_RATE_LIMITED');
    expect(retryAfterMs(err)).toBeNull();
    expect(createErrorResult('x', new Error('not found'), t).error_info?.retryable).toBe(false);
    expect(retryable(createErrorResult('x', new Error('not found'), t))).toBe(false);
  });
  it('syncErrorFields derives the missing side', () => {
    const base = createSuccessResult('x', null, t);
    expect(syncErrorFields({ ...base, error: 'timed out' }).error_info?.category).toBe('timeout');
    const info = errorInfoFromString('boom');
    expect(syncErrorFields({ ...base, error_info: info }).error).toBe('boom');
    expect(syncErrorFields(base)).toBe(base);
  });
});

describe('ToolRegistry', () => {
  const def = (name: string, namespace?: string) => ({ name, ...(namespace ? { namespace } : {}), execute: () => name });
  it('register, duplicates, replace, unregister', () => {
    const r = new ToolRegistry();
    r.register(def('a'));
    expect(() => r.register(def('a'))).toThrow(/Invalid name/);
    r.register(def('a'), { replace: true });
    expect(() => r.register(def(''))).toThrow(/non-empty/);
    expect(r.unregister('a')).toBe(true);
    expect(r.unregister('a')).toBe(false);
    expect(r.unregister('a', 'nope')).toBe(false);
  });
  it('resolution order: dotted exact, preferred, default, others', () => {
    const r = new ToolRegistry();
    r.register(def('x', 'ns1'));
    r.register(def('x', 'ns2'));
    r.register(def('y', 'ns2'));
    r.register(def('x'));
    expect(r.resolve('x')?.namespace).toBe('default');
    expect(r.resolve('x', 'ns2')?.namespace).toBe('ns2');
    expect(r.resolve('y')?.namespace).toBe('ns2');
    expect(r.resolve('ns1.x')?.namespace).toBe('ns1');
    expect(r.resolve('ns1.y')).toBeUndefined();
    expect(r.resolve('zzz')).toBeUndefined();
    expect(r.list()).toHaveLength(4);
    expect(r.listNamespaces()).toEqual(['ns1', 'ns2', 'default']);
    expect(r.size).toBe(4);
    expect(r.definitions()).toHaveLength(4);
  });
  it('flags and cacheability', () => {
    const r = new ToolRegistry();
    r.register({ name: 'f', execute: () => 1, discovery: true, idempotent: true, parameterized: false, sideEffect: 'read_only' });
    r.register({ name: 'g', execute: () => 1 });
    expect(r.flagsFor('f')).toEqual({ discovery: true, idempotent: true, parameterized: false, sideEffect: 'read_only' });
    expect(r.flagsFor('g')).toEqual({});
    expect(r.flagsFor('zz')).toBeUndefined();
    expect(isCacheableTool({ name: 'a', execute: () => 1, idempotent: true })).toBe(true);
    expect(isCacheableTool({ name: 'a', execute: () => 1, sideEffect: 'read_only' })).toBe(true);
    expect(isCacheableTool({ name: 'a', execute: () => 1, sideEffect: 'read_only', cacheable: false })).toBe(false);
    expect(isCacheableTool({ name: 'get_thing', execute: () => 1 })).toBe(false);
    expect(isCacheableTool({ name: 'a', execute: () => 1, cacheable: true, sideEffect: 'write' })).toBe(false);
  });
});

describe('ArgumentValidator', () => {
  const params = {
    type: 'object',
    properties: { a: { type: 'number' }, op: { enum: ['add', 'sub'] }, name: { type: 'string' }, n: { type: 'integer', default: 3 } },
    required: ['a', 'name'],
  };
  const def = { name: 'calc', parameters: params, execute: () => 1 };
  it('JSON Schema via ajv: defaults, issues mapped, message for the model', () => {
    const v = new ArgumentValidator();
    expect(v.validate(def, { a: 1, name: 'x' })).toEqual({ ok: true, args: { a: 1, name: 'x', n: 3 }, changed: true });
    const bad = v.validate(def, { a: 'one', op: 'mul', extra: 1, name: '  ' });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.issues.map((i) => [i.violation_type, i.field]).sort()).toEqual(
      [['empty_required', 'name'], ['enum_invalid', 'op'], ['type_mismatch', 'a'], ['unknown_field', 'extra']].sort(),
    );
    expect(bad.message).toContain('Invalid arguments for calc: ');
    expect(bad.message).toContain('Expected arguments: {a: number, op?: "add" | "sub", name: string, n?: integer}');
    const missing = v.validate(def, {});
    expect(!missing.ok && missing.issues.map((i) => i.violation_type)).toEqual(['missing_required', 'missing_required']);
  });
  it('coercion and extra fields when enabled; other constraints; nested paths', () => {
    const v = new ArgumentValidator({ coerceTypes: true, allowExtraFields: true, rejectEmptyStrings: false });
    expect(v.validate(def, { a: '5', name: '', extra: 1 })).toMatchObject({ ok: true, args: { a: 5, name: '', extra: 1 } });
    const nested = { name: 'n', parameters: { type: 'object', properties: { o: { type: 'object', properties: { x: { type: 'number', minimum: 2 } }, required: ['y'] } } }, execute: () => 1 };
    const r = new ArgumentValidator().validate(nested, { o: { x: 1 } });
    expect(!r.ok && r.issues.map((i) => [i.violation_type, i.field])).toEqual([
      ['missing_required', 'o.y'],
      ['constraint_violated', 'o.x'],
    ]);
    const noProps = { name: 'np', parameters: { type: 'array' }, execute: () => 1 };
    const root = new ArgumentValidator().validate(noProps, {});
    expect(!root.ok && root.issues[0]?.field).toBe('(root)');
    expect(!root.ok && root.message).toContain('Expected arguments: {}');
  });
  it('more than 10 issues are summarised', () => {
    const props = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`k${i}`, { type: 'number' }]));
    const many = { name: 'm', parameters: { type: 'object', properties: props, required: Object.keys(props) }, execute: () => 1 };
    const r = new ArgumentValidator().validate(many, {});
    expect(!r.ok && r.message).toContain('(+2 more)');
  });
  it('zod inputSchema: safeParse, issue mapping, JSON Schema derived', () => {
    const schema = z.object({ a: z.number(), op: z.enum(['x', 'y']), s: z.string().min(2) }).strict();
    const zdef = { name: 'z', inputSchema: schema, execute: () => 1 };
    const v = new ArgumentValidator();
    expect(v.validate(zdef, { a: 1, op: 'x', s: 'ab' })).toEqual({ ok: true, args: { a: 1, op: 'x', s: 'ab' }, changed: false });
    const bad = v.validate(zdef, { op: 'q', s: 'a', extra: 1 });
    expect(!bad.ok && bad.issues.map((i) => i.violation_type).sort()).toEqual(['constraint_violated', 'enum_invalid', 'missing_required', 'unknown_field']);
    expect(v.validate(zdef, { a: 'x', op: 'x', s: 'ab' }).ok).toBe(false);
    expect(jsonSchemaOf(zdef)).toMatchObject({ type: 'object', required: ['a', 'op', 's'] });
    expect(jsonSchemaOf(zdef)).toBe(jsonSchemaOf(zdef));
    expect(jsonSchemaOf({ name: 'n', execute: () => 1 })).toBeNull();
    expect(v.validate({ name: 'n', execute: () => 1 }, { any: 1 })).toMatchObject({ ok: true });
    expect(new ArgumentValidator().validate({ name: 'r', inputSchema: z.any(), execute: () => 1 }, { a: 1 })).toMatchObject({ ok: true, args: { a: 1 } });
    expect(schemaSummary({ properties: { t: { type: ['string', 'null'] }, u: 5 } })).toBe('{t?: string | null, u?: any}');
  });
});

describe('retry policy', () => {
  const policy = RetryPolicySchema.parse({});
  it('shouldRetry gates', () => {
    expect(shouldRetry(policy, 0, 'boom', 'execution')).toBe(true);
    expect(shouldRetry(policy, 2, 'boom', 'execution')).toBe(false);
    expect(shouldRetry(policy, 0, 'bad', 'validation')).toBe(false);
    expect(shouldRetry({ ...policy, skipRetryOnErrorSubstrings: ['FATAL'] }, 0, 'a fatal error', 'execution')).toBe(false);
    expect(shouldRetry({ ...policy, retryOnErrorSubstrings: ['Flaky'] }, 0, 'Flaky net', 'execution')).toBe(true);
    expect(shouldRetry({ ...policy, retryOnErrorSubstrings: ['Flaky'] }, 0, 'flaky net', 'execution')).toBe(false);
    expect(shouldRetry({ ...policy, retryOnCategories: ['validation'] }, 0, 'x', 'validation')).toBe(true);
  });
  it('delays: 1000·2^n capped at 60 s, jitter in [0.5, 1.5), retry-after floor, fixed', () => {
    const noJitter = { ...policy, jitter: false };
    expect([0, 1, 2, 10].map((n) => retryDelayMs(noJitter, n, () => 0))).toEqual([1000, 2000, 4000, 60_000]);
    expect(retryDelayMs(policy, 0, () => 0)).toBe(500);
    expect(retryDelayMs(policy, 0, () => 0.999)).toBeCloseTo(1499);
    expect(retryDelayMs(noJitter, 0, () => 0, 5000)).toBe(5000);
    expect(retryDelayMs({ ...noJitter, backoff: 'fixed' }, 3, () => 0)).toBe(1000);
  });
});

describe('timing parts (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse('2025-01-01T00:00:00.000Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('rate limiter waits oldest + period − now; fail mode reports retry-after; checkLimits', async () => {
    const rl = new RateLimiter({ global: { limit: 2, periodMs: 1000 } });
    await rl.acquire('t');
    vi.advanceTimersByTime(300);
    await rl.acquire('t');
    expect(rl.checkLimits('t')).toEqual({ globalLimited: true, toolLimited: false });
    expect(rl.tryAcquire('t')).toEqual({ ok: false, retryAfterMs: 700 });
    let done = false;
    const p = rl.acquire('t').then(() => (done = true));
    await vi.advanceTimersByTimeAsync(699);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await p;
    expect(done).toBe(true);
    const perTool = new RateLimiter({ tools: { a: { limit: 1, periodMs: 500 } }, mode: 'fail' });
    expect(perTool.mode).toBe('fail');
    expect(perTool.tryAcquire('a')).toEqual({ ok: true });
    expect(perTool.tryAcquire('b')).toEqual({ ok: true });
    expect(perTool.checkLimits('a').toolLimited).toBe(true);
    perTool.ensureToolLimit('a', { limit: 100, periodMs: 1 });
    expect(perTool.tryAcquire('a')).toEqual({ ok: false, retryAfterMs: 500 });
    perTool.ensureToolLimit('c', { limit: 1, periodMs: 100 });
    perTool.tryAcquire('c');
    expect(perTool.tryAcquire('c').ok).toBe(false);
  });

  it('circuit breaker: CLOSED → OPEN after 5, rejects, HALF_OPEN after 60 s, CLOSED after 2 successes', () => {
    const changes: string[] = [];
    const cb = new CircuitBreaker({}, { onChange: (f, t) => changes.push(`${f}>${t}`) });
    for (let i = 0; i < 4; i++) cb.record(false);
    cb.record(true);
    expect(cb.snapshot().failureCount).toBe(0);
    for (let i = 0; i < 5; i++) {
      expect(cb.acquire().allowed).toBe(true);
      cb.record(false);
    }
    expect(cb.snapshot().state).toBe('open');
    vi.advanceTimersByTime(59_000);
    const rejected = cb.acquire();
    expect(rejected).toEqual({ allowed: false, failureCount: 5, retryAfterMs: 1000 });
    vi.advanceTimersByTime(1000);
    expect(cb.acquire().allowed).toBe(true);
    expect(cb.snapshot().state).toBe('half_open');
    expect(cb.acquire()).toEqual({ allowed: false, failureCount: 5, retryAfterMs: 0 });
    cb.record(true);
    expect(cb.acquire().allowed).toBe(true);
    cb.record(true);
    expect(cb.snapshot()).toMatchObject({ state: 'closed', failureCount: 0, openedAt: null });
    expect(changes).toEqual(['closed>open', 'open>half_open', 'half_open>closed']);
  });

  it('circuit breaker: half-open failure reopens; slow successes count as failures; cancel frees the probe', () => {
    const cb = new CircuitBreaker({ failureThreshold: 1, resetTimeoutMs: 10, timeoutThresholdMs: 100 });
    cb.record(true, 500);
    expect(cb.snapshot().state).toBe('open');
    expect(cb.snapshot().lastFailureAt).not.toBeNull();
    vi.advanceTimersByTime(10);
    expect(cb.acquire().allowed).toBe(true);
    cb.cancel();
    expect(cb.acquire().allowed).toBe(true);
    cb.record(false);
    expect(cb.snapshot().state).toBe('open');
    cb.cancel();
  });

  it('semaphore: FIFO, abort, timeout, double release is harmless', async () => {
    const s = new Semaphore(1);
    const r1 = await s.acquire();
    const order: number[] = [];
    const p2 = s.acquire().then((r) => (order.push(2), r));
    const ac = new AbortController();
    const p3 = s.acquire({ signal: ac.signal });
    const p4 = s.acquire({ timeoutMs: 100 });
    expect(s.waiting).toBe(3);
    ac.abort();
    await expect(p3).rejects.toBeInstanceOf(AcquireAbortedError);
    vi.advanceTimersByTime(100);
    await expect(p4).rejects.toBeInstanceOf(AcquireTimeoutError);
    r1();
    r1();
    const r2 = await p2;
    expect(order).toEqual([2]);
    expect(s.active).toBe(1);
    r2();
    expect(s.active).toBe(0);
    const pre = new AbortController();
    pre.abort();
    await expect(s.acquire({ signal: pre.signal })).rejects.toBeInstanceOf(AcquireAbortedError);
  });

  it('bulkhead: tool, pattern, namespace and global limits; timeout; release on partial failure', async () => {
    const b = new Bulkhead({ defaultLimit: 2, toolLimits: { special: 1 }, patterns: { 'db_*': 3 }, namespaceLimits: { ns: 1 }, globalLimit: 5, acquisitionTimeoutMs: 50 });
    expect(b.limitFor('special')).toBe(1);
    expect(b.limitFor('db_query')).toBe(3);
    expect(b.limitFor('other')).toBe(2);
    expect(b.limitFor('other', 7)).toBe(7);
    const r = await b.acquire('special', 'default');
    const p = b.acquire('special', 'default').catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(50);
    expect(await p).toBeInstanceOf(AcquireTimeoutError);
    r();
    const again = await b.acquire('special', 'default');
    again();
    const n1 = await b.acquire('x', 'ns');
    const n2 = b.acquire('y', 'ns').catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(50);
    expect(await n2).toBeInstanceOf(AcquireTimeoutError);
    n1();
    const plain = new Bulkhead();
    (await plain.acquire('t', 'default'))();
  });

  it('runWithTimeout: ok, error, timeout with late result, caller abort, streams collected', async () => {
    expect(await runWithTimeout(() => 5, { timeoutMs: 10 })).toEqual({ kind: 'ok', value: 5 });
    expect(await runWithTimeout(() => { throw new Error('x'); }, { timeoutMs: 10 })).toMatchObject({ kind: 'error' });
    let late = 0;
    let toolSignal: AbortSignal | undefined;
    const slow = runWithTimeout(
      (s) => {
        toolSignal = s;
        return new Promise((res) => setTimeout(() => res(1), 100));
      },
      { timeoutMs: 50, onLate: () => { late++; } },
    );
    await vi.advanceTimersByTimeAsync(50);
    expect(await slow).toEqual({ kind: 'timeout' });
    expect(toolSignal?.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(50);
    expect(late).toBe(1);
    const failLate = runWithTimeout(() => new Promise((_r, rej) => setTimeout(() => rej(new Error('late')), 20)), { timeoutMs: 10, onLate: () => { late++; } });
    await vi.advanceTimersByTimeAsync(20);
    expect(await failLate).toEqual({ kind: 'timeout' });
    expect(late).toBe(2);
    const ac = new AbortController();
    const cancelled = runWithTimeout(() => new Promise(() => undefined), { timeoutMs: 1000, signal: ac.signal });
    ac.abort();
    expect(await cancelled).toEqual({ kind: 'cancelled' });
    const pre = new AbortController();
    pre.abort();
    expect(await runWithTimeout(() => 1, { timeoutMs: 10, signal: pre.signal })).toEqual({ kind: 'cancelled' });
    async function* gen() {
      yield 1;
      yield 2;
    }
    expect(await runWithTimeout(() => gen(), { timeoutMs: 10 })).toEqual({ kind: 'ok', value: [1, 2] });
    expect(await collectStream('abc')).toBe('abc');
  });
});

describe('metrics', () => {
  it('counts and quantiles', () => {
    const m = new MetricsRecorder();
    expect(m.snapshot()).toEqual({ calls: 0, errors: {}, retries: 0, cacheHits: 0, tools: {} });
    for (let i = 1; i <= 1001; i++) m.recordResult('t', i, i === 1 ? 'timeout' : null);
    m.recordRetry();
    m.recordCacheHit();
    const s = m.snapshot();
    expect(s).toMatchObject({ calls: 1001, errors: { timeout: 1 }, retries: 1, cacheHits: 1 });
    expect(s.tools.t).toMatchObject({ calls: 1001, errors: 1, p50Ms: 502, p95Ms: 952 });
  });
});
