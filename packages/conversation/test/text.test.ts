import { describe, expect, it } from 'vitest';
import { messageText, roleOfSource, safeJson, summaryTextOf } from '../src/index.js';
import { KeyedMutex } from '../src/common/mutex.js';

describe('messageText', () => {
  it('stringifies every kind of payload', () => {
    expect(messageText('hi')).toBe('hi');
    expect(messageText({ content: 'inner' })).toBe('inner');
    expect(messageText({ content: 3 })).toBe('{"content":3}');
    expect(messageText(['not', 'a', 'dict'])).toBe('["not","a","dict"]');
    expect(messageText(null)).toBe('');
    expect(messageText(undefined)).toBe('');
    expect(messageText(42)).toBe('42');
    expect(messageText(false)).toBe('false');
    expect(messageText(10n)).toBe('10');
    expect(messageText(Symbol('x'))).toBe('Symbol(x)');
    expect(messageText(() => 1)).toBe('() => 1');
  });
});

describe('safeJson', () => {
  it('never throws on odd values', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(JSON.parse(safeJson(cyclic))).toEqual({ a: 1, self: '[Circular]' });
    expect(JSON.parse(safeJson({ n: 5n, f: () => 1 }))).toEqual({ n: '5', f: '() => 1' });
    expect(safeJson(undefined)).toBe('null');
    expect(safeJson('é')).toBe('"é"');
  });
});

describe('roleOfSource / summaryTextOf', () => {
  it('maps user to user and every other source to assistant', () => {
    expect(roleOfSource('user')).toBe('user');
    expect(roleOfSource('llm')).toBe('assistant');
    expect(roleOfSource('system')).toBe('assistant');
  });
  it('reads note, then content, then text', () => {
    expect(summaryTextOf({ note: 'n', content: 'c' })).toBe('n');
    expect(summaryTextOf({ content: 'c' })).toBe('c');
    expect(summaryTextOf('plain')).toBe('plain');
    expect(summaryTextOf({ other: 1 })).toBe('{"other":1}');
  });
});

describe('KeyedMutex', () => {
  it('serialises tasks of one key and runs other keys independently', async () => {
    const mutex = new KeyedMutex();
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const a = mutex.run('k', async () => {
      await gate;
      order.push('a');
    });
    const b = mutex.run('k', async () => {
      order.push('b');
    });
    const c = mutex.run('other', async () => {
      order.push('c');
    });
    await c;
    expect(order).toEqual(['c']);
    expect(mutex.activeKeys).toBe(1);
    release();
    await Promise.all([a, b]);
    expect(order).toEqual(['c', 'a', 'b']);
    expect(mutex.activeKeys).toBe(0);
  });
  it('releases the key when a task throws', async () => {
    const mutex = new KeyedMutex();
    await expect(mutex.run('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(mutex.run('k', async () => 7)).resolves.toBe(7);
  });
});
