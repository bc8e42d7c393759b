import { describe, expect, it } from 'vitest';
import { limitOutput, limitText } from '../src/guards/output-size.js';

describe('output size limits', () => {
  it('truncates arrays, strings, depth and total bytes with markers', () => {
    expect(limitOutput({ a: [1, 2] })).toEqual({ value: { a: [1, 2] }, truncated: false });
    expect(limitOutput([1, 2, 3, 4], { maxArrayLength: 2 })).toEqual({ value: [1, 2, '… 2 more items'], truncated: true });
    expect(limitOutput('abcdef', { maxStringLength: 3 })).toEqual({ value: 'abc… [truncated 3 chars]', truncated: true });
    expect(limitOutput({ a: { b: { c: 1 } } }, { maxDepth: 2 })).toEqual({ value: { a: { b: '… [max depth]' } }, truncated: true });
    const big = limitOutput({ s: 'x'.repeat(50) }, { maxBytes: 20 });
    expect(big.truncated).toBe(true);
    expect(big.value).toMatch(/^\{"s":"x+… \[truncated \d+ chars\]$/);
    expect(limitOutput(undefined)).toEqual({ value: undefined, truncated: false });
  });
  it('limits model text by a token budget', () => {
    expect(limitText('abc', null)).toEqual({ text: 'abc', truncated: false });
    expect(limitText('abcdefghij', 1)).toEqual({ text: 'abcd… [truncated 6 chars]', truncated: true });
    expect(limitText('abc', 1)).toEqual({ text: 'abc', truncated: false });
  });
});

describe('OutputSizeGuard', () => {
  it('passes small results, truncates large ones as a REPAIR, or blocks them in error mode', async () => {
    const { OutputSizeGuard } = await import('../src/guards/output-size-guard.js');
    const { GuardChain } = await import('../src/guards/guard.js');
    const g = new OutputSizeGuard({ limits: { maxArrayLength: 2 } });
    expect(g.check().verdict).toBe('allow');
    expect(g.checkOutput('list', {}, [1, 2]).verdict).toBe('allow');
    const cut = g.checkOutput('list', {}, [1, 2, 3]);
    expect(cut).toMatchObject({ verdict: 'repair', guard: 'output_size', fallback_response: '[1,2,"… 1 more items"]', details: { bytes: 7 } });
    expect(new OutputSizeGuard({ limits: { maxStringLength: 2 } }).checkOutput('t', {}, 'abcd').fallback_response).toBe('ab… [truncated 2 chars]');
    const strict = new OutputSizeGuard({ limits: { maxArrayLength: 2 }, mode: 'error' });
    const blocked = strict.checkOutput('list', {}, [1, 2, 3]);
    expect(blocked.verdict).toBe('block');
    expect(blocked.reason).toContain('exceeds the size limits (7 bytes)');
    const chain = await new GuardChain().add('output_size', g).checkOutputAll('list', {}, [1, 2, 3]);
    expect(chain.replacement_result).toBe('[1,2,"… 1 more items"]');
    expect(() => new OutputSizeGuard({ mode: 'drop' as never })).toThrow(expect.objectContaining({ field: 'mode' }));
    expect(() => new OutputSizeGuard({ limits: { maxBytes: -1 } })).toThrow(expect.objectContaining({ field: 'limits.maxBytes' }));
  });
});
