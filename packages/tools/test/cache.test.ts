import { describe, expect, it } from 'vitest';
import { ResultCache, ToolResultCache } from '../src/execution/cache.js';
import { cachedIsNumeric, cachedSignature, formatCachedCompact, formatVariableCompact } from '../src/guards/models.js';

const fakeClock = (start = Date.parse('2025-01-01T00:00:00.000Z')) => {
  let t = start;
  return { clock: () => new Date(t), advance: (ms: number) => (t += ms) };
};

describe('ToolResultCache', () => {
  it('miss, then put + get: call_count 2 and one duplicate', () => {
    const c = new ToolResultCache();
    expect(c.get('add', { a: 1 })).toBeUndefined();
    c.put('add', { a: 1, b: 2 }, 3);
    const hit = c.get('add', { b: 2, a: 1 });
    expect(hit?.result).toBe(3);
    expect(hit?.call_count).toBe(2);
    expect(c.duplicateCount).toBe(1);
    expect(ResultCache).toBe(ToolResultCache);
  });
  it('FIFO eviction at maxSize', () => {
    const c = new ToolResultCache({ maxSize: 2, eviction: 'fifo' });
    c.put('t', { i: 1 }, 1);
    c.put('t', { i: 2 }, 2);
    c.get('t', { i: 1 });
    c.put('t', { i: 3 }, 3);
    expect(c.peek('t', { i: 1 })).toBeUndefined();
    expect(c.peek('t', { i: 2 })?.result).toBe(2);
  });
  it('LRU eviction: a hit refreshes', () => {
    const c = new ToolResultCache({ maxSize: 2 });
    c.put('t', { i: 1 }, 1);
    c.put('t', { i: 2 }, 2);
    c.get('t', { i: 1 });
    c.put('t', { i: 3 }, 3);
    expect(c.peek('t', { i: 2 })).toBeUndefined();
    expect(c.peek('t', { i: 1 })?.result).toBe(1);
  });
  it('re-put does not duplicate order entries (the live entry survives eviction)', () => {
    const c = new ToolResultCache({ maxSize: 2, eviction: 'fifo' });
    c.put('t', { i: 1 }, 1);
    c.put('t', { i: 2 }, 2);
    c.put('t', { i: 1 }, 10);
    c.put('t', { i: 3 }, 3);
    expect(c.peek('t', { i: 1 })?.result).toBe(10);
    expect(c.peek('t', { i: 2 })).toBeUndefined();
    expect(c.getStats().call_order_length).toBe(2);
    expect(c.formatState().match(/t\(1\) =/g)).toHaveLength(1);
  });
  it('TTL expiry with a fake clock, per-entry TTL override', () => {
    const { clock, advance } = fakeClock();
    const c = new ToolResultCache({ ttlMs: 1000, clock });
    c.put('t', {}, 1);
    c.put('u', {}, 2, { ttlMs: null });
    advance(999);
    expect(c.peek('t', {})?.result).toBe(1);
    advance(1);
    expect(c.get('t', {})).toBeUndefined();
    expect(c.size).toBe(1);
    expect(c.peek('u', {})?.expires_at).toBeNull();
  });
  it('peek does not count; recordDuplicate does', () => {
    const c = new ToolResultCache();
    c.put('t', {}, 1);
    c.peek('t', {});
    expect(c.duplicateCount).toBe(0);
    c.recordDuplicate('t', {});
    c.recordDuplicate('x', {});
    expect(c.duplicateCount).toBe(2);
    expect(c.peek('t', {})?.call_count).toBe(2);
  });
  it('formatState sections and duplicate messages', () => {
    const c = new ToolResultCache();
    expect(c.formatState()).toBe('');
    expect(c.formatDuplicateMessage('t', {})).toBe('Tool t was called but no cached result available.');
    c.storeVariable('mu', 3.5, { units: 'm', sourceTool: 'calc', sourceArgs: { a: 1 } });
    expect(c.formatState()).toBe('**Stored Variables:**\n  mu = 3.500000 m');
    c.put('multiply', { a: 2, b: 3 }, 6);
    expect(c.formatState()).toBe('**Stored Variables:**\n  mu = 3.500000 m\n\n**Computed Values:**\n  multiply(a=2, b=3) = 6.000000');
    const msg = c.formatDuplicateMessage('multiply', { a: 2, b: 3 });
    expect(msg).toContain('**Cached result for multiply:** 6');
    expect(msg).toContain('already computed');
    expect(c.duplicateCount).toBe(0);
    expect(c.getVariable('mu')?.source_tool).toBe('calc');
    const noVars = new ToolResultCache();
    noVars.put('t', {}, 'x');
    expect(noVars.formatDuplicateMessage('t', {})).toContain('**Computed Values:**');
  });
  it('invalidate one, per tool, all; clearResults keeps variables; reset clears all', () => {
    const c = new ToolResultCache();
    c.put('a', { i: 1 }, 1);
    c.put('a', { i: 2 }, 2);
    c.put('b', {}, 3);
    c.storeVariable('x', 1);
    expect(c.invalidate('a', { i: 1 })).toBe(1);
    expect(c.invalidate('a', { i: 1 })).toBe(0);
    expect(c.invalidate('a')).toBe(1);
    expect(c.invalidate()).toBe(1);
    c.put('b', {}, 3);
    c.clearResults();
    expect(c.getStats()).toEqual({ total_cached: 0, total_variables: 1, duplicate_calls: 0, call_order_length: 0 });
    c.get('b', {});
    c.reset();
    expect(c.getStats().total_variables).toBe(0);
  });
  it('snapshot round-trip', () => {
    const c = new ToolResultCache({ maxSize: 5, ttlMs: 1000 });
    c.put('t', { a: 1 }, { v: 1 });
    c.storeVariable('x', 2);
    c.get('t', { a: 1 });
    const copy = ToolResultCache.fromJSON(JSON.parse(JSON.stringify(c.toJSON())), {});
    expect(copy.peek('t', { a: 1 })?.result).toEqual({ v: 1 });
    expect(copy.getVariable('x')?.value).toBe(2);
    expect(copy.duplicateCount).toBe(1);
    expect(copy.maxSize).toBe(5);
    expect(() => new ToolResultCache({ maxSize: 0 })).toThrow();
  });
});

describe('cached-result helpers', () => {
  const entry = (tool: string, args: Record<string, unknown>, result: unknown) => ({
    tool_name: tool,
    arguments: args,
    result,
    timestamp: '',
    call_count: 1,
    expires_at: null,
    scope: 'turn' as const,
  });
  it('compact formatting', () => {
    expect(formatCachedCompact(entry('sqrt', { x: 16 }, 4))).toBe('sqrt(16) = 4.000000');
    expect(formatCachedCompact(entry('f', {}, 'ok'))).toBe('f() = ok');
    expect(formatCachedCompact(entry('f', { s: 'short', l: 'x'.repeat(30), o: {} }, 'y'.repeat(60)))).toBe(
      `f(s="short", l=..., o=...) = ${'y'.repeat(47)}...`,
    );
    expect(cachedSignature(entry('f', { b: 1, a: 2 }, 0))).toBe('f:{"a":2,"b":1}');
    expect(cachedIsNumeric(entry('f', {}, '2.5'))).toBe(true);
    expect(cachedIsNumeric(entry('f', {}, true))).toBe(false);
    expect(formatVariableCompact({ name: 'x', value: 1, units: null, source_tool: null, source_args: null })).toBe('x = 1.000000');
  });
});
