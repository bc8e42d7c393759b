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
