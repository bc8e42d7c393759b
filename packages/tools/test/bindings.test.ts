import { describe, expect, it } from 'vitest';
import { BindingManager } from '../src/guards/bindings.js';
import { classifyValueType, formatBindingForModel, typedValue } from '../src/guards/models.js';
import type { ValueBinding } from '../src/guards/models.js';
import { findReferences, isBindingId, resolveStructurally } from '../src/guards/references.js';

const clock = (): Date => new Date('2025-01-01T00:00:00.000Z');

describe('classifyValueType', () => {
  it('classifies values, booleans are never numbers', () => {
    expect(classifyValueType(3)).toBe('number');
    expect(classifyValueType('4.5')).toBe('number');
    expect(classifyValueType('hello')).toBe('string');
    expect(classifyValueType([1])).toBe('list');
    expect(classifyValueType({ a: 1 })).toBe('object');
    expect(classifyValueType(null)).toBe('unknown');
    expect(classifyValueType(true)).toBe('unknown');
    expect(classifyValueType(Number.NaN)).toBe('unknown');
    expect(classifyValueType(new Date())).toBe('unknown');
  });
});

describe('formatBindingForModel', () => {
  const m = new BindingManager({ clock });
  const fmt = (v: unknown, aliases: string[] = []): string => formatBindingForModel(m.bind('t', {}, v, aliases));
  it('numbers', () => {
    expect(fmt(3.14)).toMatch(/= 3\.140000 {2}# from t$/);
    expect(fmt(100000, ['total'])).toMatch(/= 1\.000000e\+05 \(aka total\) {2}# from t$/);
    expect(fmt(0.00001)).toContain('1.000000e-05');
    expect(fmt(0)).toContain('0.000000e+00');
    expect(fmt('12')).toContain('12.000000');
  });
  it('strings: 50-char rule', () => {
    expect(fmt('short')).toContain('= "short"');
    const long = 'x'.repeat(60);
    expect(fmt(long)).toContain(`"${'x'.repeat(47)}..."`);
  });
  it('lists and objects', () => {
    expect(fmt([])).toContain('= []');
    expect(fmt([1, 2, 3])).toContain('= [1, 2, 3]');
    expect(fmt(['a', 'b'])).toContain('= ["a", "b"]');
    expect(fmt(Array.from({ length: 10 }, (_, i) => i))).toContain('[10 items]');
    expect(fmt({})).toContain('= {}');
    expect(fmt({ a: 1, b: 2 })).toContain('{keys: [a, b]}');
    expect(fmt(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i])))).toContain('{object with 10 keys}');
    expect(fmt(null)).toContain('= null');
  });
  it('defensive branches for mismatched raw values', () => {
    const base: ValueBinding = { id: 'v9', tool_name: 't', args_hash: '', raw_value: 'x', value_type: 'list', timestamp: '', aliases: [], used: false, used_in: [] };
    expect(formatBindingForModel(base)).toContain('= x');
    expect(formatBindingForModel({ ...base, value_type: 'object' })).toContain('= x');
    expect(formatBindingForModel({ ...base, value_type: 'number', raw_value: 'abc' })).toContain('= abc');
    expect(typedValue({ ...base, value_type: 'number', raw_value: 'abc' })).toBe('abc');
  });
});

describe('references', () => {
  it('grammar: $v1, ${v1}, escapes, unbalanced braces, keys not scanned', () => {
    const refs = findReferences({ a: '$v1', b: 'x ${v2} y', c: ['${v3'], $v4: 1, d: { e: 'cost $$5 and $money' } });
    expect(refs.map((r) => [r.path, r.name, r.whole])).toEqual([
      ['a', 'v1', true],
      ['b', 'v2', false],
      ['d/e', 'money', false],
    ]);
    expect(isBindingId('v12')).toBe(true);
    expect(isBindingId('v1abc')).toBe(false);
  });
  it('structural resolution preserves types, interpolates embedded refs, keeps unknowns', () => {
    const values: Record<string, unknown> = { v1: 3, v2: [1, 2], v3: { k: 'v' }, v4: 'hello' };
    const lookup = (n: string) => (n in values ? { found: true as const, value: values[n] } : { found: false as const });
    const r = resolveStructurally(
      { x: '$v1', list: ' $v2 ', obj: '${v3}', s: '$v4', text: 'value $v1 m, $v2 and $v4', miss: '$v99', esc: '$$v1', nested: { arr: ['$v1', 5] }, other: '$money and $v98' },
      lookup,
    );
    expect(r.args).toEqual({
      x: 3,
      list: [1, 2],
      obj: { k: 'v' },
      s: 'hello',
      text: 'value 3 m, [1,2] and hello',
      miss: '$v99',
      esc: '$v1',
      nested: { arr: [3, 5] },
      other: '$money and $v98',
    });
    expect(r.missing).toEqual(['$v99', '$v98']);
    expect(r.resolved.map((x) => x.ref)).toContain('v3');
  });
});

describe('BindingManager', () => {
  it('numbers ids sequentially from v1 and resolves aliases', () => {
    const m = new BindingManager({ clock });
    const b1 = m.bind('add', { a: 1 }, 3);
    const b2 = m.bind('mul', { a: 2 }, 6, ['total']);
    expect([b1.id, b2.id]).toEqual(['v1', 'v2']);
    expect(b1.timestamp).toBe('2025-01-01T00:00:00.000Z');
    expect(b1.args_hash).toMatch(/^[0-9a-f]{16}$/);
    expect(m.get('total')).toBe(b2);
    expect(m.get('nope')).toBeUndefined();
    expect(m.addAlias('v1', 'first')).toBe(true);
    expect(m.addAlias('v1', 'first')).toBe(true);
    expect(m.get('v1')?.aliases).toEqual(['first']);
    expect(m.addAlias('v9', 'x')).toBe(false);
    m.bind('x', {}, 7, ['total']);
    expect(m.get('total')?.id).toBe('v3');
    expect(m.size).toBe(3);
    expect(m.isEmpty).toBe(false);
    expect(m.nextIdNumber).toBe(4);
  });
  it('checkReferences reports only unknown $vN', () => {
    const m = new BindingManager({ clock });
    m.bind('add', {}, 3, ['total']);
    expect(m.checkReferences({ a: '$v1', b: '$total', c: '$money' })).toEqual({
      valid: true,
      missing_refs: [],
      resolved_refs: { $v1: 3, $total: 3 },
      message: 'All references valid',
    });
    const bad = m.checkReferences({ a: '$v99', b: '$v99' });
    expect(bad.valid).toBe(false);
    expect(bad.missing_refs).toEqual(['$v99']);
    expect(bad.message).toBe('Missing references: $v99');
  });
  it('resolution marks used with the given context, and reports unused', () => {
    const m = new BindingManager({ clock });
    m.bind('add', {}, '3');
    m.bind('mul', {}, 6);
    expect(m.formatUnusedWarning()).toContain("haven't referenced");
    expect(m.resolveReferences({ x: '$v1' }, 'call-1')).toEqual({ x: 3 });
    expect(m.get('v1')?.used_in).toEqual(['call-1']);
    m.resolveReferences({ x: '$v1' });
    expect(m.get('v1')?.used_in).toEqual(['call-1', 'arg_resolution']);
    expect(m.getUnused().map((b) => b.id)).toEqual(['v2']);
    m.markUsed('v2', 'x');
    m.markUsed('v99', 'x');
    expect(m.formatUnusedWarning()).toBe('');
    expect(m.formatForModel()).toContain('✓ $v1');
  });
  it('formatForModel marks used ✓ / unused ○', () => {
    const m = new BindingManager({ clock });
    expect(m.formatForModel()).toBe('');
    m.bind('a', {}, 1);
    expect(m.formatForModel()).toBe('**Available Values (reference with $vN):**\n  ○ $v1 = 1.000000  # from a');
  });
  it('findByValue: exact, relative tolerance, near zero, non-numeric skipped', () => {
    const m = new BindingManager({ clock });
    m.bind('s', {}, 'text');
    m.bind('a', {}, 1000);
    m.bind('z', {}, 0);
    expect(m.findByValue(1000.05)?.id).toBe('v2');
    expect(m.findByValue(1001)).toBeUndefined();
    expect(m.findByValue(0)?.id).toBe('v3');
    expect(m.findByValue(1e-12)).toBeUndefined();
    expect([...m.getNumericValues()]).toEqual([1000, 0]);
  });
  it('reset restarts numbering unless keepNumbering; snapshot round-trips', () => {
    const m = new BindingManager({ clock });
    m.bind('a', {}, 1, ['one']);
    m.reset({ keepNumbering: true });
    expect(m.bind('b', {}, 2).id).toBe('v2');
    const copy = BindingManager.fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
    expect(copy.get('v2')?.raw_value).toBe(2);
    expect(copy.bind('c', {}, 3).id).toBe('v3');
    expect(copy.isAlias('one')).toBe(false);
    m.reset();
    expect(m.bind('c', {}, 3).id).toBe('v1');
    expect(() => BindingManager.fromJSON({ bindings: 'no' })).toThrow();
  });
});
