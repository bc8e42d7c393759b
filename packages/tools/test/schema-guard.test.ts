import { describe, expect, it } from 'vitest';
import { GuardChain } from '../src/guards/guard.js';
import { SchemaStrictnessGuard } from '../src/guards/schema.js';

const schema = {
  type: 'object',
  properties: { city: { type: 'string' }, days: { type: 'integer', default: 1 } },
  required: ['city'],
};

describe('SchemaStrictnessGuard', () => {
  it('allows valid arguments and blocks invalid ones naming the problem', async () => {
    const g = new SchemaStrictnessGuard({ getSchema: (t) => (t === 'weather' ? schema : undefined) });
    expect((await g.check('weather', { city: 'Lisbon', days: 2 })).verdict).toBe('allow');
    const bad = await g.check('weather', { days: 'two', extra: true });
    expect(bad.verdict).toBe('block');
    expect(bad.guard).toBe('schema');
    expect(bad.reason).toContain('Invalid arguments for weather');
    const fields = (bad.details.issues as { violation_type: string; field: string }[]).map((i) => `${i.violation_type}:${i.field}`);
    expect(fields).toEqual(expect.arrayContaining(['missing_required:city', 'unknown_field:extra', 'type_mismatch:days']));
    expect((await g.check('weather', { city: '  ' })).verdict).toBe('block');
    expect((await g.check('unknown_tool', { anything: 1 })).verdict).toBe('allow');
  });

  it('returns a REPAIR with the coerced / default-filled arguments, which a chain passes on', async () => {
    const g = new SchemaStrictnessGuard({ getSchema: () => schema, validation: { coerceTypes: true } });
    const r = await g.check('weather', { city: 'Lisbon', days: '3' });
    expect(r).toMatchObject({ verdict: 'repair', repaired_args: { city: 'Lisbon', days: 3 }, details: { original_args: { city: 'Lisbon', days: '3' } } });
    const chain = new GuardChain().add('schema', g);
    const out = await chain.checkAll('weather', { city: 'Porto' });
    expect(out.repaired_args).toEqual({ city: 'Porto', days: 1 });
    expect(out.final_verdict).toBe('allow');
  });

  it('warns in warn mode, does nothing when off, and fetches each schema once (async sources too)', async () => {
    let fetches = 0;
    const source = async () => {
      fetches++;
      return schema;
    };
    const warn = new SchemaStrictnessGuard({ getSchema: source, mode: 'warn' });
    expect((await warn.check('weather', {})).verdict).toBe('warn');
    expect((await warn.check('weather', {})).verdict).toBe('warn');
    expect(fetches).toBe(1);
    warn.clearSchemaCache();
    await warn.check('weather', { city: 'x' });
    expect(fetches).toBe(2);
    const off = new SchemaStrictnessGuard({ getSchema: source, mode: 'off' });
    expect((await off.check('weather', {})).verdict).toBe('allow');
    expect(fetches).toBe(2);
  });
});
