import { describe, expect, it } from 'vitest';
import { ProceduralContextFormatter, formatArgHints } from '../src/procedural/formatter.js';
import { asArgHints, AUTO_HINTS_NOTE, deriveArgHints, repeatedFailures } from '../src/procedural/hints.js';
import { ToolMemoryManager } from '../src/procedural/manager.js';
import { addSuccessPattern } from '../src/procedural/models.js';

const flights = (origin: string, dest: string, extra: Record<string, unknown> = {}) => ({ origin, dest, ...extra });

async function recordSuccesses(m: ToolMemoryManager, tool: string, goal: string | null, argsList: Record<string, unknown>[]): Promise<void> {
  for (const args of argsList) await m.recordCall({ toolName: tool, arguments: args, result: { status: 'ok' }, outcome: 'success', contextGoal: goal });
}

describe('deriveArgHints', () => {
  it('needs three successful calls', () => {
    expect(deriveArgHints([{ a: 1 }, { a: 1 }])).toBeNull();
    expect(deriveArgHints([{ a: 1 }], 1)).toEqual({ must_include: ['a'], typical_values: { a: 1 } });
  });

  it('keeps keys present in at least 80% of the calls, with their most frequent value (latest on a tie)', () => {
    const hints = deriveArgHints([
      { origin: 'SFO', dest: 'LAX', cabin: 'eco' },
      { origin: 'SFO', dest: 'JFK', cabin: 'eco' },
      { origin: 'OAK', dest: 'LAX', cabin: 'biz' },
      { origin: 'SFO', dest: 'JFK', date: '2025-01-01' },
      { origin: 'SFO', dest: 'SEA', cabin: 'biz' },
    ]);
    expect(hints).toEqual({ must_include: ['origin', 'dest', 'cabin'], typical_values: { origin: 'SFO', dest: 'JFK', cabin: 'biz' } });
  });

  it('compares values by canonical JSON', () => {
    const hints = deriveArgHints([{ q: { b: 1, a: 2 } }, { q: { a: 2, b: 1 } }, { q: { a: 3 } }]);
    expect(hints?.typical_values.q).toEqual({ a: 2, b: 1 });
  });

  it('tells automatic hints from free-form ones', () => {
    expect(asArgHints({ must_include: ['a'], typical_values: { a: 1 } })).toEqual({ must_include: ['a'], typical_values: { a: 1 } });
    expect(asArgHints({ origin: 'SFO' })).toBeNull();
    expect(formatArgHints({ must_include: [], typical_values: {} })).toBe('no common args');
  });
});

describe('automatic success hints in procedural memory', () => {
  it('fills arg_hints per goal after three successes and keeps one automatic pattern per goal', async () => {
    const m = ToolMemoryManager.create('s');
    await recordSuccesses(m, 'search_flights', 'find flights', [flights('SFO', 'LAX'), flights('SFO', 'LAX')]);
    expect(m.getSuccessfulArgsForGoal('search_flights', 'find flights')).toBeNull();
    await recordSuccesses(m, 'search_flights', 'find flights', [flights('SFO', 'JFK', { nonstop: true })]);
    expect(m.getSuccessfulArgsForGoal('search_flights', 'flights')).toEqual({ must_include: ['origin', 'dest'], typical_values: { origin: 'SFO', dest: 'LAX' } });
    await recordSuccesses(m, 'search_flights', 'find flights', [flights('SFO', 'JFK'), flights('SFO', 'JFK')]);
    const auto = m.getPattern('search_flights')?.success_patterns.filter((p) => p.notes === AUTO_HINTS_NOTE) ?? [];
    expect(auto).toHaveLength(1);
    expect(auto[0]).toMatchObject({ goal_match: 'find flights', example_call_id: 'call-0005', arg_hints: { typical_values: { dest: 'JFK' } } });
  });

  it('does not learn from failures, other tools or other goals', async () => {
    const m = ToolMemoryManager.create('s');
    await recordSuccesses(m, 'search_flights', 'find flights', [flights('SFO', 'LAX'), flights('SFO', 'LAX')]);
    await m.recordCall({ toolName: 'search_flights', arguments: flights('SFO', 'LAX'), result: null, outcome: 'failure', contextGoal: 'find flights', errorType: 'x' });
    await recordSuccesses(m, 'search_hotels', 'find flights', [{ city: 'LA' }]);
    await recordSuccesses(m, 'search_flights', 'book hotel', [flights('SFO', 'LAX')]);
    expect(m.getSuccessfulArgsForGoal('search_flights', 'find flights')).toBeNull();
  });

  it('renders the hints in formatSuccessTemplate and formatForTools, and survives a JSON round trip', async () => {
    const m = ToolMemoryManager.create('s');
    await recordSuccesses(m, 'search_flights', 'find flights', [flights('SFO', 'LAX'), flights('SFO', 'LAX'), flights('OAK', 'LAX')]);
    await recordSuccesses(m, 'search_flights', null, [flights('SFO', 'SEA'), flights('SFO', 'SEA'), flights('SFO', 'SEA')]);
    const f = new ProceduralContextFormatter();
    expect(f.formatSuccessTemplate(m, 'search_flights', 'find flights')).toBe(
      [
        '<success_template tool="search_flights" goal="find flights">',
        '  Recommended args based on past success:',
        '    origin: SFO',
        '    dest: LAX',
        '  Always include: origin, dest',
        '</success_template>',
      ].join('\n'),
    );
    const text = f.formatForTools(m, ['search_flights'], 'find flights');
    expect(text).toContain('<success_hints>\n    - Typical args: origin=SFO, dest=LAX (always include: origin, dest)\n    - Typical args: origin=SFO, dest=SEA (always include: origin, dest)\n  </success_hints>');
    const restored = ToolMemoryManager.fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
    expect(f.formatSuccessTemplate(restored, 'search_flights', 'find flights')).toContain('Always include: origin, dest');
  });

  it('keeps free-form hints added by a caller as they were', async () => {
    const m = ToolMemoryManager.create('s');
    await m.recordCall({ toolName: 't', arguments: { a: 1 }, result: 1, outcome: 'success' });
    const p = m.getPattern('t');
    if (p === undefined) throw new Error('no pattern');
    addSuccessPattern(p, { goal_match: 'sum', arg_hints: { a: 1 } });
    const f = new ProceduralContextFormatter();
    expect(f.formatSuccessTemplate(m, 't', 'sum')).toContain('    a: 1');
    expect(f.formatForTools(m, ['t'])).toContain('    - Typical args: {"a":1}');
  });

  it('keeps the automatic pattern as the newest of the bounded success patterns', async () => {
    const m = ToolMemoryManager.create('s');
    await recordSuccesses(m, 't', null, [{ a: 1 }, { a: 1 }, { a: 1 }]);
    const p = m.getPattern('t');
    if (p === undefined) throw new Error('no pattern');
    for (let i = 0; i < 12; i++) addSuccessPattern(p, { goal_match: `g${i}` });
    await recordSuccesses(m, 't', null, [{ a: 2 }]);
    expect(p.success_patterns).toHaveLength(10);
    expect(p.success_patterns.at(-1)?.notes).toBe(AUTO_HINTS_NOTE);
  });
});

describe('<avoid> notes for arguments that keep failing', () => {
  async function failing(): Promise<ToolMemoryManager> {
    const m = ToolMemoryManager.create('s');
    const fail = (args: Record<string, unknown>, errorType: string | null) =>
      m.recordCall({ toolName: 'get_weather', arguments: args, result: null, outcome: errorType === 'timeout' ? 'timeout' : 'failure', errorType });
    await fail({ city: 'Pariss' }, 'not_found');
    await fail({ city: 'Pariss' }, 'not_found');
    await fail({ city: 'Pariss' }, 'guard:<x>');
    await fail({}, 'timeout');
    await fail({}, 'timeout');
    await fail({}, null);
    await fail({}, 'timeout');
    await fail({ city: 'Lyon' }, 'timeout');
    await fail({ city: 'Lyon' }, 'timeout');
    return m;
  }

  it('lists (tool, arguments) that failed three times, most failures first, with their error types', async () => {
    const m = await failing();
    expect(m.getRepeatedFailures('get_weather').map((f) => [f.arguments, f.failures, f.error_types])).toEqual([
      [{}, 4, ['timeout', 'unknown']],
      [{ city: 'Pariss' }, 3, ['not_found', 'guard:<x>']],
    ]);
    expect(m.getRepeatedFailures('get_weather', 2)).toHaveLength(3);
    expect(m.getRepeatedFailures('other')).toEqual([]);
    const text = new ProceduralContextFormatter().formatForTools(m, ['get_weather']);
    expect(text).toContain('<avoid>\n  - (no arguments) (failed 4x: timeout, unknown)\n  - city=Pariss (failed 3x: not_found, guard:&lt;x&gt;)\n</avoid>\n</tool_memory>');
    expect(new ProceduralContextFormatter({ max_avoid_notes: 1 }).formatForTools(m, ['get_weather'])).not.toContain('city=Pariss (failed');
    expect(new ProceduralContextFormatter({ avoid_min_failures: 0 }).formatForTools(m, ['get_weather'])).not.toContain('<avoid>');
    expect(new ProceduralContextFormatter({ avoid_min_failures: 2 }).formatForTools(m, ['get_weather'])).toContain('city=Lyon (failed 2x: timeout)');
  });

  it('drops arguments that succeeded after their last failure', async () => {
    const m = await failing();
    await m.recordCall({ toolName: 'get_weather', arguments: { city: 'Pariss' }, result: 'rain', outcome: 'success' });
    expect(m.getRepeatedFailures('get_weather').map((f) => f.arguments)).toEqual([{}]);
  });

  it('groups entries without a stored hash by their canonical arguments', () => {
    const entry = (args: Record<string, unknown>) => ({
      id: 'x',
      timestamp: '2025-01-01T00:00:00.000Z',
      tool_name: 't',
      arguments: args,
      arguments_hash: '',
      context_goal: null,
      preceding_call_id: null,
      outcome: 'failure' as const,
      result_summary: 'null',
      result_type: null,
      execution_time_ms: null,
      error_type: 'e',
      error_message: null,
      fixed_by: null,
      fix_for: null,
      delta_args: null,
    });
    expect(repeatedFailures([entry({ b: 1, a: 2 }), entry({ a: 2, b: 1 }), entry({ a: 2, b: 1 })], 't')).toHaveLength(1);
  });
});
