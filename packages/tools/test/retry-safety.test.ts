import { InvalidInput } from '@chuk/models';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { toolCall } from '../src/execution/call.js';
import type { ToolResult } from '../src/execution/call.js';
import { ToolExecutor } from '../src/execution/executor.js';
import type { ExecutorOptions } from '../src/execution/executor.js';
import { ToolRegistry } from '../src/execution/registry.js';
import type { ToolContext } from '../src/execution/registry.js';
import { RetryPolicySchema } from '../src/execution/retry.js';
import {
  idempotencyKeyOf,
  isRetrySafeTool,
  nonIdempotentRetryBlock,
  RetryErrorClass,
  retryErrorClassOf,
  safeRetryBackoffMs,
  withoutIdempotencyKey,
} from '../src/execution/retry-safety.js';
import { ToolStateManager } from '../src/guards/manager.js';
import { RetrySafetyGuard } from '../src/guards/retry-safety.js';
import { GuardedToolRunner } from '../src/processor/runner.js';
import { ToolMemoryManager } from '../src/procedural/manager.js';

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2025-01-01T00:00:00.000Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Run a promise to completion while fake timers advance. */
async function settle<T>(p: Promise<T>, ms = 120_000): Promise<T> {
  await vi.advanceTimersByTimeAsync(ms);
  return p;
}

describe('retry-safety rules', () => {
  it('classifies failures for retry decisions', () => {
    const c = (category: string, message = 'x') => retryErrorClassOf({ category: category as never, message });
    expect(c('validation')).toBe(RetryErrorClass.Validation);
    expect(c('not_found')).toBe(RetryErrorClass.NotFound);
    expect(c('timeout')).toBe(RetryErrorClass.Timeout);
    expect(c('connection')).toBe(RetryErrorClass.Network);
    expect(c('rate_limit')).toBe(RetryErrorClass.RateLimit);
    expect(c('circuit_open')).toBe(RetryErrorClass.RateLimit);
    expect(c('bulkhead_full')).toBe(RetryErrorClass.RateLimit);
    expect(c('configuration')).toBe(RetryErrorClass.Permission);
    expect(c('cancelled')).toBe(RetryErrorClass.Unknown);
    expect(c('execution', 'HTTP 401 Unauthorized')).toBe(RetryErrorClass.Auth);
    expect(c('execution', 'permission denied for /etc')).toBe(RetryErrorClass.Permission);
    expect(c('execution', 'boom')).toBe(RetryErrorClass.ServerError);
  });

  it('knows retry-safe tools, idempotency keys and the enforced backoff', () => {
    expect(isRetrySafeTool({ idempotent: true })).toBe(true);
    expect(isRetrySafeTool({ sideEffect: 'read_only' })).toBe(true);
    expect(isRetrySafeTool({ sideEffect: 'write' })).toBe(false);
    expect(isRetrySafeTool({})).toBe(false);
    expect(idempotencyKeyOf({ _idempotency_key: 'k1' })).toBe('k1');
    expect(idempotencyKeyOf({ _idempotency_key: '  ' })).toBeNull();
    expect(idempotencyKeyOf({ _idempotency_key: 7 })).toBeNull();
    expect(idempotencyKeyOf({ key: 'k' }, 'key')).toBe('k');
    const args = { a: 1 };
    expect(withoutIdempotencyKey(args)).toBe(args);
    expect(withoutIdempotencyKey({ a: 1, _idempotency_key: 'k' })).toEqual({ a: 1 });
    expect([1, 2, 3].map(safeRetryBackoffMs)).toEqual([100, 200, 400]);
    expect(safeRetryBackoffMs(20)).toBe(30_000);
  });

  it('decides when a non-idempotent call may be retried', () => {
    const policy = RetryPolicySchema.parse({ maxRetries: 5 });
    const timeout = { category: 'timeout' as const, message: 'Timeout after 1s' };
    const exec = { category: 'execution' as const, message: 'boom' };
    expect(nonIdempotentRetryBlock(policy, 0, { category: 'validation', message: 'bad' }, true)).toBe('validation errors are not retried');
    expect(nonIdempotentRetryBlock(policy, 0, { category: 'execution', message: '403 Forbidden' }, true)).toBe('permission errors are not retried');
    expect(nonIdempotentRetryBlock(policy, 3, exec, true)).toBe('at most 3 retries of a non-idempotent call');
    expect(nonIdempotentRetryBlock(policy, 0, exec, false)).toBeNull();
    expect(nonIdempotentRetryBlock({ ...policy, requireIdempotencyKey: true }, 0, exec, false)).toContain('needs an _idempotency_key argument');
    expect(nonIdempotentRetryBlock(policy, 0, timeout, false)).toContain('may have taken effect before the timeout error');
    expect(nonIdempotentRetryBlock(policy, 0, { category: 'connection', message: 'reset' }, false)).toContain('network error');
    expect(nonIdempotentRetryBlock(policy, 0, timeout, true)).toBeNull();
    expect(nonIdempotentRetryBlock({ ...policy, retryNonIdempotent: true }, 0, timeout, false)).toBeNull();
  });
});

describe('ToolExecutor retry safety for non-idempotent tools', () => {
  function executor(register: (r: ToolRegistry) => void, opts: Partial<ExecutorOptions> = {}): ToolExecutor {
    const registry = new ToolRegistry();
    register(registry);
    return new ToolExecutor({ registry, retry: { baseDelayMs: 0, jitter: false }, defaultTimeoutMs: 50, ...opts });
  }
  const run = async (ex: ToolExecutor, args: Record<string, unknown>, tool = 't'): Promise<ToolResult> =>
    (await settle(ex.execute([toolCall({ id: 'c1', tool, arguments: args })])))[0] as ToolResult;

  it('does not retry a timed-out call that may have taken effect, unless it carries an idempotency key', async () => {
    const seen: ToolContext[] = [];
    const received: Record<string, unknown>[] = [];
    const ex = executor((r) =>
      r.register({
        name: 't',
        sideEffect: 'write',
        parameters: { type: 'object', properties: { to: { type: 'string' } }, required: ['to'] },
        execute: (args: Record<string, unknown>, ctx: ToolContext) => {
          seen.push(ctx);
          received.push(args);
          return new Promise(() => undefined);
        },
      }),
    );
    const once = await run(ex, { to: 'bob' });
    expect(once.attempts).toBe(1);
    expect(once.error_info?.details.retry_skipped).toContain('may have taken effect');
    const keyed = await run(ex, { to: 'bob', _idempotency_key: 'order-1' });
    expect(keyed.attempts).toBe(3);
    expect(keyed.error).toContain('Max retries reached (2)');
    expect(received.at(-1)).toEqual({ to: 'bob' });
    expect(seen.at(-1)?.idempotencyKey).toBe('order-1');
    expect(seen[0]?.idempotencyKey).toBeUndefined();
  });

  it('retries timeouts with retryNonIdempotent, and idempotent tools as before', async () => {
    const hang = () => new Promise(() => undefined);
    const opted = executor((r) => r.register({ name: 't', execute: hang }), { retry: { baseDelayMs: 0, jitter: false, retryNonIdempotent: true } });
    expect((await run(opted, {})).attempts).toBe(3);
    const idem = executor((r) => r.register({ name: 't', idempotent: true, execute: hang }));
    expect((await run(idem, {})).attempts).toBe(3);
  });

  it('never retries auth / permission failures of a non-idempotent tool, but still retries them for idempotent ones', async () => {
    let calls = 0;
    const fail = () => {
      calls++;
      throw new Error('HTTP 401 Unauthorized');
    };
    const write = executor((r) => r.register({ name: 't', execute: fail }));
    const r1 = await run(write, {});
    expect([r1.attempts, calls]).toEqual([1, 1]);
    expect(r1.error_info?.details.retry_skipped).toBe('auth errors are not retried');
    const read = executor((r) => r.register({ name: 't', sideEffect: 'read_only', execute: fail }));
    expect((await run(read, {})).attempts).toBe(3);
  });

  it('requires an idempotency key when the policy says so', async () => {
    const fail = () => {
      throw new Error('boom');
    };
    const ex = executor((r) => r.register({ name: 't', execute: fail }), { retry: { baseDelayMs: 0, jitter: false, requireIdempotencyKey: true } });
    expect((await run(ex, {})).attempts).toBe(1);
    expect((await run(ex, { _idempotency_key: 'k' })).attempts).toBe(3);
  });

  it('caps non-idempotent retries at 3 and enforces 100 ms × 2^(n−1) between them', async () => {
    const delays: number[] = [];
    const ex = executor(
      (r) =>
        r.register({
          name: 't',
          execute: () => {
            throw new Error('boom');
          },
        }),
      { retry: { maxRetries: 6, baseDelayMs: 0, jitter: false }, hooks: { onRetry: (_c, _a, d) => delays.push(d) } },
    );
    const r = await run(ex, {});
    expect(r.attempts).toBe(4);
    expect(r.error_info?.details.retry_skipped).toBe('at most 3 retries of a non-idempotent call');
    expect(delays).toEqual([100, 200, 400]);
  });

  it('takes the key out before strict validation, so a keyed call is not rejected as an unknown field', async () => {
    const ex = executor((r) =>
      r.register({ name: 't', parameters: { type: 'object', properties: { n: { type: 'number' } } }, execute: (a: { n: number }) => a.n * 2 }),
    );
    const r = await run(ex, { n: 2, _idempotency_key: 'k' });
    expect(r.error).toBeNull();
    expect(r.result).toBe(4);
    expect(r.arguments).toEqual({ n: 2 });
  });
});

describe('RetrySafetyGuard', () => {
  function clockAt(start = 0): { clock: () => Date; advance: (ms: number) => void } {
    let now = start;
    return { clock: () => new Date(now), advance: (ms) => void (now += ms) };
  }

  it('rejects invalid configuration naming the field', () => {
    expect(() => new RetrySafetyGuard({ maxSameSignatureRetries: -1 })).toThrow(InvalidInput);
    try {
      new RetrySafetyGuard({ nonRetryableErrors: ['nope' as never] });
    } catch (e) {
      expect((e as InvalidInput).field).toBe('retrySafety.nonRetryableErrors.0');
    }
    expect(() => new RetrySafetyGuard({ extra: true } as never)).toThrow(InvalidInput);
  });

  it('blocks the identical repeat of a call that failed with a non-retryable error; other arguments pass', () => {
    const g = new RetrySafetyGuard({}, { clock: clockAt().clock });
    expect(g.check('lookup', { id: 1 }).verdict).toBe('allow');
    g.recordAttempt('lookup', { id: 1 }, RetryErrorClass.NotFound);
    const blocked = g.check('lookup', { id: 1 });
    expect(blocked).toMatchObject({ verdict: 'block', guard: 'retry_safety', details: { error_class: 'not_found', attempts: 1 } });
    expect(blocked.reason).toContain('already failed with a not_found error');
    expect(g.check('lookup', { id: 1, _idempotency_key: 'new' }).verdict).toBe('block');
    expect(g.check('lookup', { id: 2 }).verdict).toBe('allow');
  });

  it('blocks repeating a non-idempotent call after an unknown outcome unless it carries a key', () => {
    const t = clockAt();
    const g = new RetrySafetyGuard({ nonIdempotentTools: ['send_email'], idempotentTools: ['get_status'] }, { clock: t.clock });
    g.recordAttempt('mail.send_email', { to: 'a' }, RetryErrorClass.Timeout);
    g.recordAttempt('get_status', {}, RetryErrorClass.Timeout);
    g.recordAttempt('other', {}, RetryErrorClass.Timeout);
    t.advance(1000);
    expect(g.check('mail.send_email', { to: 'a' }).reason).toContain('may have taken effect');
    expect(g.check('mail.send_email', { to: 'a', _idempotency_key: 'k1' }).verdict).toBe('allow');
    expect(g.check('get_status', {}).verdict).toBe('allow');
    expect(g.check('other', {}).verdict).toBe('allow');
    expect(g.check('other', {}, { idempotent: false }).verdict).toBe('block');
    expect(g.check('mail.send_email', { to: 'a' }, { idempotent: true }).verdict).toBe('allow');
  });

  it('requires an idempotency key for repeats of non-idempotent calls when configured', () => {
    const t = clockAt();
    const g = new RetrySafetyGuard({ requireIdempotencyKey: true }, { clock: t.clock, isIdempotent: (tool) => tool !== 'pay' });
    g.recordAttempt('pay', { amount: 5 }, RetryErrorClass.ServerError);
    t.advance(1000);
    expect(g.check('pay', { amount: 5 }).reason).toContain('needs an `_idempotency_key` argument');
    expect(g.check('pay', { amount: 5, _idempotency_key: 'p1' }).verdict).toBe('allow');
  });

  it('allows at most maxSameSignatureRetries repeats and warns when a repeat comes too early', () => {
    const t = clockAt();
    const g = new RetrySafetyGuard({ maxSameSignatureRetries: 2 }, { clock: t.clock });
    g.recordAttempt('calc', { x: 1 }, RetryErrorClass.ServerError);
    const early = g.check('calc', { x: 1 });
    expect(early).toMatchObject({ verdict: 'warn', details: { required_backoff_ms: 100, remaining_ms: 100 } });
    expect(g.getRequiredBackoffMs('calc', { x: 1 })).toBe(100);
    t.advance(100);
    expect(g.check('calc', { x: 1 }).verdict).toBe('allow');
    g.recordAttempt('calc', { x: 1 }, RetryErrorClass.ServerError);
    expect(g.getRequiredBackoffMs('calc', { x: 1 })).toBe(200);
    t.advance(200);
    expect(g.check('calc', { x: 1 }).verdict).toBe('allow');
    g.recordAttempt('calc', { x: 1 });
    t.advance(1000);
    const over = g.check('calc', { x: 1 });
    expect(over.verdict).toBe('block');
    expect(over.reason).toContain('Maximum retries exceeded for `calc` with these arguments (2 of 2)');
    expect(g.getRetryCount('calc', { x: 1 })).toBe(3);
    expect(g.getRequiredBackoffMs('calc', { y: 1 })).toBe(0);
  });

  it('warns instead of blocking in warn mode, allows everything when off, and skips backoff when not enforced', () => {
    const warn = new RetrySafetyGuard({ mode: 'warn' });
    warn.recordAttempt('t', {}, RetryErrorClass.Validation);
    expect(warn.check('t', {}).verdict).toBe('warn');
    const off = new RetrySafetyGuard({ mode: 'off' });
    off.recordAttempt('t', {}, RetryErrorClass.Validation);
    expect(off.check('t', {}).verdict).toBe('allow');
    const noBackoff = new RetrySafetyGuard({ enforceBackoff: false });
    noBackoff.recordAttempt('t', {}, RetryErrorClass.ServerError);
    expect(noBackoff.check('t', {}).verdict).toBe('allow');
  });

  it('clears a signature on success, by resetCall and on reset', () => {
    const g = new RetrySafetyGuard();
    g.recordResult('t', { a: 1 }, { category: 'validation', message: 'bad' });
    expect(g.getRetryCount('t', { a: 1 })).toBe(1);
    g.recordResult('t', { a: 1 }, null);
    expect(g.getRetryCount('t', { a: 1 })).toBe(0);
    g.recordAttempt('t', { a: 1 }, RetryErrorClass.Validation);
    g.resetCall('t', { a: 1 });
    expect(g.check('t', { a: 1 }).verdict).toBe('allow');
    g.recordAttempt('t', { a: 2 }, RetryErrorClass.Validation);
    g.reset();
    expect(g.check('t', { a: 2 }).verdict).toBe('allow');
  });
});

describe('GuardedToolRunner with retry safety', () => {
  function setup() {
    const registry = new ToolRegistry();
    registry.register({ name: 'charge', sideEffect: 'write', timeoutMs: 50, execute: () => new Promise(() => undefined) });
    registry.register({
      name: 'get_order',
      idempotent: true,
      parameters: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
      execute: (a: { id: string }) => ({ id: a.id }),
    });
    const state = new ToolStateManager();
    const memory = ToolMemoryManager.create('s1');
    const retrySafety = new RetrySafetyGuard();
    const runner = new GuardedToolRunner({ state, executor: new ToolExecutor({ registry, retry: false }), memory, retrySafety });
    return { runner, memory };
  }

  it('blocks a repeated charge after a timeout, lets a keyed one run, and resets per prompt', async () => {
    const { runner, memory } = setup();
    await runner.beginPrompt('charge order 7');
    const first = await settle(runner.runBatch([toolCall({ id: 'c1', tool: 'charge', arguments: { order: 'o7' } })]));
    expect(first.calls[0]?.result.error_info?.category).toBe('timeout');
    vi.advanceTimersByTime(1000);
    const repeat = await runner.runBatch([toolCall({ id: 'c2', tool: 'charge', arguments: { order: 'o7' } })]);
    expect(repeat.calls[0]).toMatchObject({ outcome: 'blocked', guard: { guard: 'retry_safety' } });
    expect(repeat.calls[0]?.modelText).toContain('may have taken effect');
    expect(memory.getRecentCalls({ limit: 1 })[0]?.error_type).toBe('guard:retry_safety');
    const keyed = await settle(runner.runBatch([toolCall({ id: 'c3', tool: 'charge', arguments: { order: 'o7', _idempotency_key: 'o7-charge' } })]));
    expect(keyed.calls[0]?.outcome).toBe('error');
    await runner.beginPrompt('try again');
    const again = await settle(runner.runBatch([toolCall({ id: 'c4', tool: 'charge', arguments: { order: 'o7' } })]));
    expect(again.calls[0]?.outcome).toBe('error');
  });

  it('blocks repeating invalid arguments and calls of unknown tools', async () => {
    const { runner } = setup();
    await runner.beginPrompt('get order');
    const bad = await runner.runBatch([toolCall({ id: 'g1', tool: 'get_order', arguments: { id: 5 } })]);
    expect(bad.calls[0]?.result.error_info?.category).toBe('validation');
    const again = await runner.runBatch([toolCall({ id: 'g2', tool: 'get_order', arguments: { id: 5 } })]);
    expect(again.calls[0]?.guard?.reason).toContain('already failed with a validation error');
    const missing = await runner.runBatch([toolCall({ id: 'm1', tool: 'nope', arguments: {} })]);
    expect(missing.calls[0]?.result.error_info?.category).toBe('not_found');
    const missingAgain = await runner.runBatch([toolCall({ id: 'm2', tool: 'nope', arguments: {} })]);
    expect(missingAgain.calls[0]?.outcome).toBe('blocked');
  });
});

describe('SessionAwareToolProcessor with retry safety', () => {
  it('passes the guard to its runner: the repeated invalid call is blocked and logged with the guard name', async () => {
    const { SessionAwareToolProcessor } = await import('../src/processor/processor.js');
    const events: { metadata: Record<string, unknown>; type: string }[] = [];
    const registry = new ToolRegistry();
    registry.register({ name: 'get_order', idempotent: true, parameters: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] }, execute: () => 'ok' });
    const processor = new SessionAwareToolProcessor({
      sink: { id: 's', appendEvents: async (e) => void events.push(...e), getState: async () => undefined, setState: async () => undefined },
      registry,
      toolState: new ToolStateManager(),
      retrySafety: new RetrySafetyGuard(),
    });
    const message = { role: 'assistant', content: null, tool_calls: [{ id: 'x', type: 'function', function: { name: 'get_order', arguments: '{"id":5}' } }] };
    await processor.processLlmMessage(message);
    const [second] = await processor.processLlmMessage({ ...message, tool_calls: [{ ...message.tool_calls[0], id: 'y' }] });
    expect(second?.error).toContain('already failed with a validation error');
    expect(events.filter((e) => e.type === 'tool_call').at(-1)?.metadata).toMatchObject({ guard: 'retry_safety', guard_verdict: 'block' });
  });
});
