import { describe, expect, it } from 'vitest';
import { canonicalTimestamp, freeRecord, isPlainObject } from '../src/util/wire.js';

/** The definition the hand-written check must match. */
function byDate(value: string): string | null {
  if (value.length !== 24 || !value.endsWith('Z')) return null;
  const ms = Date.parse(value);
  return !Number.isNaN(ms) && new Date(ms).toISOString() === value ? value : null;
}

describe('canonicalTimestamp', () => {
  it('accepts exactly the toISOString() texts', () => {
    const cases = [
      '2024-01-02T03:04:05.678Z', '0000-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', '1970-01-01T00:00:00.000Z',
      '2024-02-29T12:00:00.000Z', '2023-02-29T12:00:00.000Z', '1900-02-29T00:00:00.000Z', '2000-02-29T00:00:00.000Z',
      '2024-04-31T00:00:00.000Z', '2024-04-30T00:00:00.000Z', '2024-00-10T00:00:00.000Z', '2024-13-10T00:00:00.000Z',
      '2024-01-00T00:00:00.000Z', '2024-01-32T00:00:00.000Z', '2024-01-02T24:00:00.000Z', '2024-01-02T23:60:00.000Z',
      '2024-01-02T23:59:60.000Z', '2024-01-02 03:04:05.678Z', '2024-01-02T03:04:05,678Z', '2024-01-02T03:04:05.678z',
      '2024-01-02T03:04:05.67AZ', '+02024-01-02T03:04:05Z', '2024-01-02T03:04:05.678+0', '2024-1-02T03:04:05.6789Z',
      '2024-12-31T23:59:59.999Z', '2024-06-31T10:00:00.000Z', '2024-11-30T10:00:00.000Z',
    ];
    for (const text of cases) expect(canonicalTimestamp(text), text).toBe(byDate(text));
    let ms = Date.UTC(1890, 0, 1);
    for (let i = 0; i < 2000; i++, ms += 86_400_000 * 37 + 3_723_456) {
      const text = new Date(ms).toISOString();
      expect(canonicalTimestamp(text)).toBe(text);
    }
    expect(canonicalTimestamp(5)).toBeNull();
    expect(canonicalTimestamp(undefined)).toBeNull();
  });
});

describe('isPlainObject and freeRecord', () => {
  it('tell JSON objects from the rest and copy them as the schema does', () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject(Object.create(null))).toBe(true);
    expect(isPlainObject([])).toBe(false);
    expect(isPlainObject(new Date())).toBe(false);
    expect(isPlainObject(null)).toBe(false);
    const record = { a: 1 };
    expect(freeRecord(record)).toEqual(record);
    expect(freeRecord(record)).not.toBe(record);
    expect(freeRecord(undefined)).toEqual({});
    expect(freeRecord(JSON.parse('{"__proto__":{"x":1}}'))).toBeNull();
    expect(freeRecord('x')).toBeNull();
  });
});
