import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { toolCall } from '../src/execution/call.js';
import type { ToolCall, ToolResult } from '../src/execution/call.js';
import { ToolRateLimitedError } from '../src/execution/errors.js';
import { ToolExecutor } from '../src/execution/executor.js';
import type { ExecutorOptions } from '../src/execution/executor.js';
import { ToolRegistry } from '../src/execution/registry.js';
import type { AnyToolDefinition } from '../src/execution/registry.js';

let seq = 0;
const call = (tool: string, args: Record<string, unknown> = {}, extra: Partial<ToolCall> = {}): ToolCall =>
  toolCall({ id: `c${++seq}`, tool, arguments: args, ...extra });

function setup(defs: AnyToolDefinition[], opts: Partial<ExecutorOptions> = {}) {
  const registry = new ToolRegistry();
  for (const d of defs) registry.register(d);
  let n = 0;
  const executor = new ToolExecutor({ registry, retry: false, idGenerator: () => `r${++n}`, random: () => 0.5, ...opts });
  return { registry, executor };
}

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2025-01-01T00:00:00.000Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

const run = async <T>(p: Promise<T>): Promise<T> => {
  await vi.runAllTimersAsync();
  return p;
};

describe('ToolExecutor basics', () => {
  it('executes sync and async tools, results in submission order with call ids and arguments', async () => {
    const { executor } = setup([
      { name: 'slow', execute: () => new Promise((r) => setTimeout(() => r('slow'), 300)) },
      { name: 'fast', execute: async () => 'fast' },
      { name: 'sync', execute: () => 'sync' },
    ]);
    const calls = [call('slow'), call('fast'), call('sync', { a: 1 })];
    const results = await run(executor.execute(calls));
    expect(results.map((r) => [r.tool, r.result, r.call_id])).toEqual(calls.map((c) => [c.tool, c.tool, c.id]));
    expect(results[0]?.duration_ms).toBe(300);
    expect(results[2]?.arguments).toEqual({ a: 1 });
    expect(results.every((r) => r.attempts === 1 && r.machine === 'local')).toBe(true);
  });
  it('stream yields in completion order', async () => {
    const { executor } = setup([
      { name: 'slow', execute: () => new Promise((r) => setTimeout(() => r(1), 300)) },
      { name: 'fast', execute: () => new Promise((r) => setTimeout(() => r(2), 100)) },
    ]);
    const seen: string[] = [];
    const p = (async () => {
      for await (const r of executor.stream([call('slow'), call('fast')])) seen.push(r.tool);
    })();
    await run(p);
    expect(seen).toEqual(['fast', 'slow']);
  });
  it('thrown errors and non-Error values become execution error results', async () => {
    const { executor } = setup([
      { name: 'boom', execute: () => { throw new Error('kaput'); } },
      { name: 'weird', execute: () => Promise.reject(new Error('odd')) },
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- a tool throwing a non-Error value is the case under test
      { name: 'str', execute: () => { throw 'plain string'; } },
    ]);
    const [a, b, c] = await run(executor.execute([call('boom'), call('weird'), call('str')]));
    expect(a).toMatchObject({ error: 'kaput', error_info: { category: 'execution', code: 'TOOL_EXECUTION_FAILED' } });
    expect(b?.error).toBe('odd');
    expect(c?.error).toBe('plain string');
  });
  it('not found (not retried), parse errors and invalid arguments never execute', async () => {
    const execute = vi.fn(() => 1);
    const { executor } = setup([{ name: 'calc', parameters: { type: 'object', properties: { a: { type: 'number' } }, required: ['a'] }, execute }], { retry: { maxRetries: 3 } });
    const [nf, pe, bad] = await run(executor.execute([call('nope'), call('calc', {}, { parse_error: 'arguments are not valid JSON: x' }), call('calc', { a: 'x' })]));
    expect(nf).toMatchObject({ error: "Tool 'nope' not found in any namespace", attempts: 0, error_info: { category: 'not_found', retryable: false } });
    expect(nf?.error_info?.details.available).toEqual(['calc']);
    expect(pe).toMatchObject({ error_info: { category: 'validation', code: 'TOOL_ARGUMENT_ERROR' } });
    expect(pe?.error).toContain('arguments are not valid JSON');
    expect(bad?.error).toContain('Invalid arguments for calc: a: must be number');
    expect(execute).not.toHaveBeenCalled();
  });
  it('zod inputSchema: the tool receives parsed arguments; validation can be turned off', async () => {
    const seen: unknown[] = [];
    const def = { name: 'z', inputSchema: z.object({ n: z.number().default(7) }), execute: (a: { n: number }) => (seen.push(a), a.n) };
    const { executor } = setup([def]);
    const [r] = await run(executor.execute([call('z')]));
    expect(r?.result).toBe(7);
    const off = setup([def], { validateArguments: false });
    const [r2] = await run(off.executor.execute([call('z', { x: 1 })]));
    expect(r2?.result).toBeNull();
    expect(seen[1]).toEqual({ x: 1 });
  });
  it('namespaced and dotted names resolve', async () => {
    const { executor } = setup([
      { name: 'x', namespace: 'ns', execute: () => 'ns' },
      { name: 'x', execute: () => 'default' },
    ]);
    const [a, b, c] = await run(executor.execute([call('ns.x'), call('x'), call('x', {}, { namespace: 'ns' })]));
    expect([a?.result, b?.result, c?.result]).toEqual(['ns', 'default', 'ns']);
  });
  it('rejects invalid options with InvalidInput', () => {
    const registry = new ToolRegistry();
    expect(() => new ToolExecutor({ registry, defaultTimeoutMs: 0 })).toThrow(/Invalid defaultTimeoutMs/);
    expect(() => new ToolExecutor({ registry, maxConcurrency: -1 })).toThrow(/Invalid maxConcurrency/);
    expect(() => new ToolExecutor({ registry, retry: { maxRetries: -1 } })).toThrow(/Invalid retry/);
    expect(() => new ToolExecutor({} as ExecutorOptions)).toThrow(/Invalid registry/);
  });
});

describe('timeouts, retries, deadline, cancellation', () => {
  it('timeout per attempt: "Timeout after 0.05s", the tool signal aborts, late results reported', async () => {
    let signal: AbortSignal | undefined;
    const late = vi.fn();
    const { executor } = setup(
      [{ name: 'hang', idempotent: true, execute: (_a, ctx) => ((signal = ctx.signal), new Promise((r) => setTimeout(() => r(1), 200))) }],
      { defaultTimeoutMs: 50, hooks: { onLateResult: late } },
    );
    const [r] = await run(executor.execute([call('hang')]));
    expect(r).toMatchObject({ error: 'Timeout after 0.05s', error_info: { category: 'timeout', code: 'TOOL_TIMEOUT', retryable: true } });
    expect(signal?.aborted).toBe(true);
    expect(late).toHaveBeenCalledTimes(1);
    const [o] = await run(executor.execute([call('hang')], { timeoutMs: 500 }));
    expect(o?.result).toBe(1);
  });
  it('throws twice then succeeds: attempts 3, backoff 1000·2^n with jitter', async () => {
    let n = 0;
    const delays: number[] = [];
    const { executor } = setup([{ name: 'flaky', execute: () => { if (++n < 3) throw new Error(`fail ${n}`); return 'ok'; } }], {
      retry: { maxRetries: 2 },
      random: () => 0.25,
      hooks: { onRetry: (_c, _a, d) => delays.push(d) },
    });
    const [r] = await run(executor.execute([call('flaky')]));
    expect(r).toMatchObject({ result: 'ok', attempts: 3, error: null });
    expect(delays).toEqual([750, 1500]);
    expect(executor.getMetrics().retries).toBe(2);
  });
  it('always failing: "Max retries reached (2): <last error>"', async () => {
    let n = 0;
    const { executor } = setup([{ name: 'bad', execute: () => { throw new Error(`fail ${++n}`); } }], { retry: { maxRetries: 2 } });
    const [r] = await run(executor.execute([call('bad')]));
    expect(r).toMatchObject({ attempts: 3, error: 'Max retries reached (2): fail 3' });
  });
  it('per-tool retry override and retry: false', async () => {
    let a = 0;
    let b = 0;
    const { executor } = setup(
      [
        { name: 'a', retry: { maxRetries: 1, jitter: false }, execute: () => { a++; throw new Error('x'); } },
        { name: 'b', retry: false, execute: () => { b++; throw new Error('x'); } },
      ],
      { retry: { maxRetries: 3 } },
    );
    await run(executor.execute([call('a'), call('b')]));
    expect([a, b]).toEqual([2, 1]);
  });
  it('timeouts of non-idempotent tools are not retried unless allowed', async () => {
    let w = 0;
    let safe = 0;
    const { executor } = setup(
      [
        { name: 'write', execute: () => (w++, new Promise(() => undefined)) },
        { name: 'read', sideEffect: 'read_only', execute: () => (safe++, new Promise(() => undefined)) },
      ],
      { retry: { maxRetries: 1 }, defaultTimeoutMs: 10 },
    );
    await run(executor.execute([call('write'), call('read')]));
    expect([w, safe]).toEqual([1, 2]);
    const allowed = setup([{ name: 'write', execute: () => (w++, new Promise(() => undefined)) }], { retry: { maxRetries: 1, retryNonIdempotent: true }, defaultTimeoutMs: 10 });
    await run(allowed.executor.execute([call('write')]));
    expect(w).toBe(3);
  });
  it('a thrown rate-limit error waits at least retry_after_ms', async () => {
    let n = 0;
    const delays: number[] = [];
    const { executor } = setup([{ name: 'api', execute: () => { if (++n === 1) throw new ToolRateLimitedError({ toolName: 'api', retryAfterMs: 5000 }); return 'ok'; } }], {
      retry: { maxRetries: 1 },
      hooks: { onRetry: (_c, _a, d) => delays.push(d) },
    });
    const [r] = await run(executor.execute([call('api')]));
    expect(r?.result).toBe('ok');
    expect(delays).toEqual([5000]);
  });
  it('deadline caps the total time of all attempts', async () => {
    let n = 0;
    const { executor } = setup([{ name: 'slowfail', idempotent: true, execute: () => (n++, new Promise(() => undefined)) }], {
      retry: { maxRetries: 10, jitter: false, baseDelayMs: 100 },
      defaultTimeoutMs: 400,
    });
    const p = executor.execute([call('slowfail')], { deadlineMs: 1000 });
    const [r] = await run(p);
    expect(r?.error).toMatch(/Timeout after/);
    expect(r?.duration_ms).toBeLessThanOrEqual(1000);
    expect(n).toBeLessThan(4);
  });
  it('deadline already spent before the first attempt', async () => {
    const { executor } = setup([{ name: 't', execute: () => 1 }]);
    const [r] = await run(executor.execute([call('t')], { deadlineMs: 0 }));
    expect(r).toMatchObject({ error: 'Timeout after 0s', error_info: { details: { attempts: 0 } } });
  });
  it('cancellation through AbortSignal: before, during execution and during backoff', async () => {
    const { executor } = setup([
      { name: 'hang', execute: () => new Promise(() => undefined) },
      { name: 'bad', retry: { maxRetries: 5 }, execute: () => { throw new Error('x'); } },
    ]);
    const pre = new AbortController();
    pre.abort();
    const [a] = await run(executor.execute([call('hang')], { signal: pre.signal }));
    expect(a).toMatchObject({ error: 'Execution was cancelled', error_info: { category: 'cancelled', retryable: false } });
    const ac = new AbortController();
    const p = executor.execute([call('hang'), call('bad')], { signal: ac.signal });
    await vi.advanceTimersByTimeAsync(10);
    ac.abort();
    const [b, c] = await run(p);
    expect(b?.error).toBe('Execution was cancelled');
    expect(c?.error).toBe('Execution was cancelled');
  });
  it('close aborts in-flight calls and rejects new ones', async () => {
    const { executor } = setup([{ name: 'hang', execute: () => new Promise(() => undefined) }]);
    const p = executor.execute([call('hang')]);
    await vi.advanceTimersByTimeAsync(1);
    await executor.close();
    const [a] = await run(p);
    expect(a?.error_info?.category).toBe('cancelled');
    const [b] = await run(executor.execute([call('hang')]));
    expect(b?.error).toBe('System is shutting down');
  });
});

describe('concurrency', () => {
  it('maxConcurrency is honoured', async () => {
    let active = 0;
    let peak = 0;
    const tool = { name: 'w', execute: async () => { active++; peak = Math.max(peak, active); await new Promise((r) => setTimeout(r, 10)); active--; return 1; } };
    const { executor } = setup([tool], { maxConcurrency: 2 });
    await run(executor.execute(Array.from({ length: 6 }, () => call('w'))));
    expect(peak).toBe(2);
    const unlimited = setup([tool]);
    peak = 0;
    await run(unlimited.executor.execute(Array.from({ length: 6 }, () => call('w'))));
    expect(peak).toBe(6);
  });
  it('per-tool maxConcurrency and bulkhead-full results', async () => {
    let active = 0;
    let peak = 0;
    const tool = { name: 'w', maxConcurrency: 1, execute: async () => { active++; peak = Math.max(peak, active); await new Promise((r) => setTimeout(r, 10)); active--; return 1; } };
    const { executor } = setup([tool]);
    await run(executor.execute([call('w'), call('w'), call('w')]));
    expect(peak).toBe(1);
    const bh = setup([{ ...tool, maxConcurrency: undefined }], { bulkhead: { defaultLimit: 1, acquisitionTimeoutMs: 5 } });
    const rs = await run(bh.executor.execute([call('w'), call('w')]));
    expect(rs[1]).toMatchObject({ error_info: { category: 'bulkhead_full', code: 'BULKHEAD_FULL' } });
    const bh2 = setup([tool], { bulkhead: {} });
    expect((await run(bh2.executor.execute([call('w')])))[0]?.result).toBe(1);
  });
});

describe('executor cache', () => {
  it('caches successful results of read-only / idempotent tools; hits are copies with cached: true, attempts: 0', async () => {
    let n = 0;
    const hits = vi.fn();
    const { executor } = setup([{ name: 'get', sideEffect: 'read_only', execute: () => ++n }], { hooks: { onCacheHit: hits } });
    const [a] = await run(executor.execute([call('get', { q: 1 })]));
    const c2 = call('get', { q: 1 });
    const [b] = await run(executor.execute([c2]));
    expect([a?.result, b?.result, n]).toEqual([1, 1, 1]);
    expect(b).toMatchObject({ cached: true, attempts: 0, machine: 'cache', call_id: c2.id, duration_ms: 0 });
    expect(b?.id).not.toBe(a?.id);
    expect(hits).toHaveBeenCalledTimes(1);
    const [c] = await run(executor.execute([call('get', { q: 1 })], { useCache: false }));
    expect(c?.result).toBe(2);
    expect(await executor.invalidateCache('get')).toBe(1);
    expect(await executor.invalidateCache('zzz')).toBe(0);
    expect(await executor.invalidateCache()).toBe(0);
    expect(executor.getMetrics().cacheHits).toBe(1);
  });
  it('TTL expiry, per-tool TTL; errors, write tools and opted-out tools are never cached', async () => {
    let n = 0;
    let w = 0;
    let f = 0;
    const { executor } = setup(
      [
        { name: 'get', idempotent: true, cacheTtlMs: 1000, execute: () => ++n },
        { name: 'save', execute: () => ++w },
        { name: 'fail', idempotent: true, execute: () => { f++; throw new Error('no'); } },
        { name: 'opt', idempotent: true, cacheable: false, execute: () => ++w },
      ],
    );
    await run(executor.execute([call('get'), call('save'), call('fail'), call('opt')]));
    await run(executor.execute([call('get'), call('save'), call('fail'), call('opt')]));
    expect([n, w, f]).toEqual([1, 4, 2]);
    vi.advanceTimersByTime(1000);
    await run(executor.execute([call('get')]));
    expect(n).toBe(2);
  });
  it('single-flight: concurrent identical calls run once', async () => {
    let n = 0;
    const { executor } = setup([
      { name: 'get', idempotent: true, execute: () => new Promise((r) => setTimeout(() => r(++n), 50)) },
      { name: 'bad', idempotent: true, execute: () => new Promise((_r, rej) => setTimeout(() => rej(new Error('x')), 50)) },
    ]);
    const rs = await run(executor.execute([call('get'), call('get'), call('bad'), call('bad')]));
    expect(n).toBe(1);
    expect(rs.map((r) => r.cached)).toEqual([false, true, false, false]);
    expect(rs[3]?.error).toBe('x');
    expect(rs[3]?.call_id).not.toBe(rs[2]?.call_id);
  });
  it('cache disabled', async () => {
    let n = 0;
    const { executor } = setup([{ name: 'get', idempotent: true, execute: () => ++n }], { cache: false });
    await run(executor.execute([call('get'), call('get')]));
    expect(n).toBe(2);
    expect(await executor.invalidateCache()).toBe(0);
    const e2 = setup([{ name: 'get', idempotent: true, execute: () => ++n }], { cache: { enabled: false } });
    await run(e2.executor.execute([call('get')]));
    expect(n).toBe(3);
  });
});

describe('rate limit and circuit breaker in the executor', () => {
  it('wait mode delays, fail mode returns rate_limit with retry_after_ms', async () => {
    const times: number[] = [];
    const { executor } = setup([{ name: 't', rateLimit: { limit: 1, periodMs: 1000 }, execute: () => times.push(Date.now()) }], { rateLimit: {} });
    await run(executor.execute([call('t'), call('t')]));
    expect(times[1]! - times[0]!).toBe(1000);
    const fail = setup([{ name: 't', execute: () => 1 }], { rateLimit: { global: { limit: 1, periodMs: 1000 }, mode: 'fail' } });
    const [a, b] = await run(fail.executor.execute([call('t'), call('t')]));
    expect(a?.result).toBe(1);
    expect(b).toMatchObject({ error_info: { category: 'rate_limit', retryable: true, retry_after_ms: 1000 } });
  });
  it('wait mode is cancellable', async () => {
    const { executor } = setup([{ name: 't', execute: () => 1 }], { rateLimit: { global: { limit: 1, periodMs: 10_000 } } });
    await run(executor.execute([call('t')]));
    const ac = new AbortController();
    const p = executor.execute([call('t')], { signal: ac.signal });
    await vi.advanceTimersByTimeAsync(10);
    ac.abort();
    expect((await run(p))[0]?.error).toBe('Execution was cancelled');
  });
  it('opens after consecutive failures and rejects with circuit_open', async () => {
    const changes: string[] = [];
    let ok = false;
    const { executor } = setup([{ name: 'svc', execute: () => { if (!ok) throw new Error('down'); return 'up'; } }], {
      circuitBreaker: { failureThreshold: 2, resetTimeoutMs: 1000, successThreshold: 1 },
      hooks: { onCircuitChange: (t, f, to) => changes.push(`${t}:${f}>${to}`) },
    });
    await run(executor.execute([call('svc'), call('svc')]));
    expect(executor.getCircuitState('svc')?.state).toBe('open');
    const [r] = await run(executor.execute([call('svc')]));
    expect(r).toMatchObject({ machine: 'circuit_breaker', error_info: { category: 'circuit_open', retryable: true } });
    vi.advanceTimersByTime(1000);
    ok = true;
    expect((await run(executor.execute([call('svc')])))[0]?.result).toBe('up');
    expect(changes).toEqual(['default/svc:closed>open', 'default/svc:open>half_open', 'default/svc:half_open>closed']);
    expect(executor.getCircuitState('nothing')).toBeNull();
  });
  it('cancelled calls do not count as circuit failures', async () => {
    const { executor } = setup([{ name: 'hang', execute: () => new Promise(() => undefined) }], { circuitBreaker: { failureThreshold: 1 } });
    const ac = new AbortController();
    const p = executor.execute([call('hang')], { signal: ac.signal });
    await vi.advanceTimersByTimeAsync(1);
    ac.abort();
    await run(p);
    expect(executor.getCircuitState('hang')?.state).toBe('closed');
  });
});

describe('side effects and hooks', () => {
  it('side-effect policy and confirmation', async () => {
    const { executor } = setup(
      [
        { name: 'read_file', execute: () => 'r' },
        { name: 'write_file', execute: () => 'w' },
        { name: 'delete_file', execute: () => 'd' },
      ],
      { sideEffectPolicy: 'no-destructive' },
    );
    const rs = await run(executor.execute([call('read_file'), call('write_file'), call('delete_file')]));
    expect(rs.map((r) => r.error_info?.category ?? null)).toEqual([null, null, 'configuration']);
    const ro = setup([{ name: 'write_file', execute: () => 'w' }], { sideEffectPolicy: 'read-only' });
    expect((await run(ro.executor.execute([call('write_file')])))[0]?.error).toContain("side-effect policy 'read-only'");
    const confirm = vi.fn(async (c: ToolCall) => c.arguments.ok === true);
    const hitl = setup([{ name: 'write_file', execute: () => 'w' }, { name: 'get_x', execute: () => 'g' }], { confirm });
    const [yes, no, read] = await run(hitl.executor.execute([call('write_file', { ok: true }), call('write_file', { ok: false }), call('get_x')]));
    expect(yes?.result).toBe('w');
    expect(no).toMatchObject({ error: 'Execution was cancelled by the user', error_info: { category: 'cancelled' } });
    expect(read?.result).toBe('g');
    expect(confirm).toHaveBeenCalledTimes(2);
  });
  it('onStart/onResult hooks and metrics', async () => {
    const started: string[] = [];
    const results: ToolResult[] = [];
    const { executor } = setup([{ name: 't', execute: () => 1 }, { name: 'f', execute: () => { throw new Error('x'); } }], {
      hooks: { onStart: (c) => started.push(c.tool), onResult: (r) => results.push(r) },
      sessionId: 's1',
    });
    await run(executor.execute([call('t'), call('f')]));
    expect(started).toEqual(['t', 'f']);
    expect(results).toHaveLength(2);
    const m = executor.getMetrics();
    expect(m.calls).toBe(2);
    expect(m.errors).toEqual({ execution: 1 });
    expect(m.tools.t?.calls).toBe(1);
  });
  it('passes the context (call id, attempt, session id) to tools', async () => {
    const seen: unknown[] = [];
    const { executor } = setup([{ name: 't', execute: (_a, ctx) => seen.push({ id: ctx.callId, attempt: ctx.attempt, session: ctx.sessionId }) }], { sessionId: 's1' });
    const c = call('t');
    await run(executor.execute([c]));
    expect(seen).toEqual([{ id: c.id, attempt: 1, session: 's1' }]);
  });
});
