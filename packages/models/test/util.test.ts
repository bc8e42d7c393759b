import { describe, expect, it } from 'vitest';
import { cloneJson, noopLogger, normalizeTimestamp, parseTimestamp, randomId, sha256Hex, systemClock } from '@chuk/models';
import { InvalidInput } from '@chuk/models';

describe('sha256Hex', () => {
  it('matches the standard vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    expect(sha256Hex('a'.repeat(1000))).toBe('41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3');
    expect(sha256Hex('héllo 🌍')).toHaveLength(64);
  });
});

describe('timestamps', () => {
  it('reads reference forms and writes the canonical one', () => {
    expect(normalizeTimestamp('2025-01-01T12:00:00.123456Z', 't')).toBe('2025-01-01T12:00:00.123Z');
    expect(normalizeTimestamp('2025-01-01T12:00:00+00:00', 't')).toBe('2025-01-01T12:00:00.000Z');
    expect(normalizeTimestamp('2025-01-01T12:00:00.5', 't')).toBe('2025-01-01T12:00:00.500Z');
    expect(normalizeTimestamp('2025-01-01T14:00:00.123456789+0200', 't')).toBe('2025-01-01T12:00:00.123Z');
    expect(normalizeTimestamp('2025-01-01 12:00', 't')).toBe('2025-01-01T12:00:00.000Z');
    expect(parseTimestamp('2025-01-01T12:00:00z')).toBe(Date.UTC(2025, 0, 1, 12));
    expect(Number.isNaN(parseTimestamp('yesterday'))).toBe(true);
    expect(() => normalizeTimestamp('nope', 'created_at')).toThrow(InvalidInput);
  });
});

describe('misc', () => {
  it('cloneJson deep-copies plain data and can freeze', () => {
    const src = { a: [1, { b: 2 }], d: new Date(0) };
    const copy = cloneJson(src);
    expect(copy).toEqual(src);
    expect(copy.a).not.toBe(src.a);
    expect(copy.d).toBe(src.d);
    const frozen = cloneJson(src, true);
    expect(Object.isFrozen(frozen.a[1])).toBe(true);
    expect(cloneJson(Object.assign(Object.create(null) as object, { x: 1 }))).toEqual({ x: 1 });
  });
  it('noopLogger, clock and ids', () => {
    noopLogger.debug({});
    noopLogger.info({}, 'x');
    noopLogger.warn({});
    noopLogger.error({});
    expect(noopLogger.child?.({})).toBe(noopLogger);
    expect(systemClock()).toBeInstanceOf(Date);
    expect(randomId()).toMatch(/^[0-9a-f-]{36}$/);
  });
});
