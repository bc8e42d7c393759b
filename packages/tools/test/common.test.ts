import { describe, expect, it } from 'vitest';
import { canonicalJson, jsonEqual, renderValue, toJsonSafe } from '../src/common/json.js';
import { computeArgsHash, hashArguments, idempotencyKey } from '../src/common/hash.js';
import { baseToolName } from '../src/common/names.js';
import { fmtFixed6, fmtModelNumber, fmtPercent0, fmtSci2, fmtSci6, isNumericString, toNumberOrNull } from '../src/common/numbers.js';
import { defaultTimer, sleep, SleepAbortedError } from '../src/common/timer.js';
import { defaultIdGenerator, defaultRandom, nowIso, nowMs } from '../src/common/defaults.js';

describe('canonicalJson', () => {
  it('sorts keys recursively and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, undefined], c: undefined } })).toBe('{"a":{"d":[1,null]},"b":1}');
  });
  it('renders non-JSON values with String and non-finite numbers as null', () => {
    expect(canonicalJson({ n: Number.NaN, i: Infinity, big: 10n, f: Symbol('s'), d: new Date(0), m: new Map() })).toBe(
      `{"big":"10","d":${JSON.stringify(String(new Date(0)))},"f":"Symbol(s)","i":null,"m":"[object Map]","n":null}`,
    );
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson(true)).toBe('true');
    expect(canonicalJson(Object.create(null) as object)).toBe('{}');
  });
  it('throws TypeError on cycles', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(() => canonicalJson(a)).toThrow(TypeError);
    const arr: unknown[] = [];
    arr.push(arr);
    expect(() => canonicalJson(arr)).toThrow(TypeError);
  });
  it('allows shared (non-cyclic) references', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: [shared] })).toBe('{"a":{"x":1},"b":[{"x":1}]}');
  });
  it('helpers', () => {
    expect(toJsonSafe({ a: undefined, b: 2 })).toEqual({ b: 2 });
    expect(jsonEqual({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(renderValue('x')).toBe('x');
    expect(renderValue(3)).toBe('3');
    expect(renderValue({ a: 1 })).toBe('{"a":1}');
    expect(renderValue(undefined)).toBe('undefined');
    expect(renderValue(() => 1)).toContain('=>');
    const cyc: Record<string, unknown> = {};
    cyc.c = cyc;
    expect(renderValue(cyc)).toBe('[object Object]');
  });
});

describe('hashes', () => {
  it('computeArgsHash is 16 hex, deterministic and key-order independent', () => {
    const h = computeArgsHash({ a: 1, b: 2 });
    expect(h).toMatch(/^[0-9a-f]{16}$/);
    expect(computeArgsHash({ b: 2, a: 1 })).toBe(h);
    expect(computeArgsHash({ a: 1, b: 3 })).not.toBe(h);
  });
  it('hashArguments is 12 hex and "" on failure', () => {
    expect(hashArguments({ x: 1 })).toMatch(/^[0-9a-f]{12}$/);
    const cyc: Record<string, unknown> = {};
    cyc.c = cyc;
    expect(hashArguments(cyc)).toBe('');
  });
  it('idempotencyKey depends on namespace', () => {
    const a = idempotencyKey({ tool: 't', arguments: { x: 1 } });
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(idempotencyKey({ tool: 't', namespace: 'default', arguments: { x: 1 } })).toBe(a);
    expect(idempotencyKey({ tool: 't', namespace: 'other', arguments: { x: 1 } })).not.toBe(a);
  });
});

describe('names and numbers', () => {
  it('baseToolName takes the part after the last dot, lower-cased', () => {
    expect(baseToolName('ns.sub.Add')).toBe('add');
    expect(baseToolName('Calc')).toBe('calc');
  });
  it('isNumericString follows our grammar (deviation from Python float())', () => {
    for (const s of ['1', ' 2.5 ', '-3', '+4e10', '.5', '5.', '1E-3']) expect(isNumericString(s)).toBe(true);
    for (const s of ['nan', 'inf', 'infinity', '1_000', 'abc', '', '1e999', '0x10']) expect(isNumericString(s)).toBe(false);
  });
  it('toNumberOrNull never treats booleans as numbers', () => {
    expect(toNumberOrNull(3)).toBe(3);
    expect(toNumberOrNull(' 7 ')).toBe(7);
    expect(toNumberOrNull(true)).toBeNull();
    expect(toNumberOrNull(Number.NaN)).toBeNull();
    expect(toNumberOrNull({})).toBeNull();
  });
  it('number rendering', () => {
    expect(fmtFixed6(3.14)).toBe('3.140000');
    expect(fmtSci6(123456)).toBe('1.234560e+05');
    expect(fmtSci6(0)).toBe('0.000000e+00');
    expect(fmtSci6(1.5e-120)).toBe('1.500000e-120');
    expect(fmtModelNumber(0)).toBe('0.000000e+00');
    expect(fmtModelNumber(100000)).toBe('1.000000e+05');
    expect(fmtModelNumber(0.00001)).toBe('1.000000e-05');
    expect(fmtModelNumber(3.14)).toBe('3.140000');
    expect(fmtPercent0(0.25)).toBe('25%');
    expect(fmtSci2(1.234e-13)).toBe('1.23e-13');
  });
});

describe('timer and defaults', () => {
  it('sleep resolves, and rejects when aborted before or during', async () => {
    await expect(sleep(defaultTimer, 1)).resolves.toBeUndefined();
    const pre = new AbortController();
    pre.abort();
    await expect(sleep(defaultTimer, 10, pre.signal)).rejects.toBeInstanceOf(SleepAbortedError);
    const during = new AbortController();
    const p = sleep(defaultTimer, 10_000, during.signal);
    during.abort();
    await expect(p).rejects.toThrow('sleep aborted');
  });
  it('defaults', () => {
    expect(defaultIdGenerator()).toMatch(/^[0-9a-f-]{36}$/);
    const r = defaultRandom();
    expect(r).toBeGreaterThanOrEqual(0);
    const clock = (): Date => new Date('2025-01-01T00:00:00.000Z');
    expect(nowMs(clock)).toBe(Date.parse('2025-01-01T00:00:00.000Z'));
    expect(nowIso(clock)).toBe('2025-01-01T00:00:00.000Z');
  });
});
