import { describe, expect, it, vi } from 'vitest';
import {
  abbrev,
  addErrorPattern,
  addSuccessPattern,
  allocateCallId,
  classifyResult,
  computeArgDelta,
  describeFix,
  entryIsFailure,
  entryIsFix,
  entryIsSuccess,
  entryWasFixed,
  formatEntryCompact,
  formatEntryForContext,
  formatPatternForContext,
  newPattern,
  recordCallInPattern,
  recordFix,
  successRate,
  summarizeResult,
} from '../src/procedural/models.js';
import type { ProceduralMemory, ToolLogEntry } from '../src/procedural/models.js';
import { ToolMemoryManager } from '../src/procedural/manager.js';
import { filterRelevantSuccesses, formatArgs, formatDelta, ProceduralContextFormatter } from '../src/procedural/formatter.js';
import type { SessionStateAccess } from '../src/processor/sink.js';

const NOW = '2025-01-01T00:00:00.000Z';
const clock = (): Date => new Date(NOW);
const entry = (over: Partial<ToolLogEntry> = {}): ToolLogEntry => ({
  id: 'call-0001', timestamp: NOW, tool_name: 't', arguments: {}, arguments_hash: '', context_goal: null, preceding_call_id: null,
  outcome: 'success', result_summary: 'ok', result_type: null, execution_time_ms: null, error_type: null, error_message: null,
  fixed_by: null, fix_for: null, delta_args: null, ...over,
});

describe('procedural models', () => {
  it('outcome predicates: timeout is failure; partial/cancelled neither', () => {
    expect(entryIsFailure(entry({ outcome: 'timeout' }))).toBe(true);
    expect(entryIsFailure(entry({ outcome: 'partial' }))).toBe(false);
    expect(entryIsSuccess(entry({ outcome: 'cancelled' }))).toBe(false);
    expect(entryWasFixed(entry({ fixed_by: 'x' }))).toBe(true);
    expect(entryIsFix(entry({ fix_for: 'x' }))).toBe(true);
  });
  it('[FIX] running average with missing timings (0 counts)', () => {
    const p = newPattern('t', NOW);
    recordCallInPattern(p, entry({ execution_time_ms: 100 }), NOW);
    recordCallInPattern(p, entry({ execution_time_ms: null, outcome: 'failure' }), NOW);
    recordCallInPattern(p, entry({ execution_time_ms: 0 }), NOW);
    expect(p.avg_execution_ms).toBe(50);
    expect([p.total_calls, p.success_count, p.failure_count, p.timed_calls]).toEqual([3, 2, 1, 2]);
  });
  it('common_args dedupe and cap 5; error contexts cap 5; success patterns cap 10', () => {
    const p = newPattern('t', NOW);
    for (let i = 0; i < 8; i++) recordCallInPattern(p, entry({ arguments: { k: i % 7, o: { a: 1 } } }), NOW);
    expect(p.common_args.k).toEqual([3, 4, 5, 6, 0]);
    expect(p.common_args.o).toEqual([{ a: 1 }]);
    for (let i = 0; i < 7; i++) addErrorPattern(p, 'unsat', `goal ${i}`, { i });
    addErrorPattern(p, 'unsat', 'goal 6');
    addErrorPattern(p, 'unsat', null);
    expect(p.error_patterns[0]).toMatchObject({ count: 9, example_args: { i: 0 } });
    expect(p.error_patterns[0]?.contexts).toEqual(['goal 2', 'goal 3', 'goal 4', 'goal 5', 'goal 6']);
    expect(addErrorPattern(p, 'timeout').contexts).toEqual([]);
    for (let i = 0; i < 12; i++) addSuccessPattern(p, { notes: String(i) });
    expect(p.success_patterns).toHaveLength(10);
    recordFix(p, 'unsat', { added: { relax: true } });
    recordFix(p, 'nothing', { added: {} });
    expect(p.error_patterns[0]?.typical_fix).toBe('add relax');
    expect(successRate(p)).toBe(1);
    expect(successRate(newPattern('x', NOW))).toBe(0);
  });
  it('describeFix, abbrev, deltas', () => {
    expect(describeFix({ added: { a: 1, b: 2 }, removed: ['c'], changed: { mode: { from: 'fast', to: 'slow' } } })).toBe('add a, b; remove c; change mode: fast -> slow');
    expect(describeFix({})).toBe('unknown changes');
    expect(describeFix(null)).toBe('unknown changes');
    expect(abbrev('x'.repeat(20))).toBe('x'.repeat(20));
    expect(abbrev('x'.repeat(30))).toBe(`${'x'.repeat(17)}...`);
    expect(computeArgDelta({ a: 1, z: 1, y: 2, m: 'fast' }, { a: 1, m: 'slow', n: true })).toEqual({ added: { n: true }, removed: ['y', 'z'], changed: { m: { from: 'fast', to: 'slow' } } });
    expect(computeArgDelta({ a: 1 }, { a: 1 })).toBeNull();
  });
  it('summarize and classify results', () => {
    expect(summarizeResult(null)).toBe('null');
    expect(summarizeResult('s')).toBe('s');
    expect(summarizeResult('x'.repeat(120))).toHaveLength(100);
    expect(summarizeResult(true)).toBe('true');
    expect(summarizeResult(false)).toBe('false');
    expect(summarizeResult(4)).toBe('4');
    expect(summarizeResult([1, 2])).toBe('list[2]');
    expect(summarizeResult({ status: 'sat' })).toBe('status=sat');
    expect(summarizeResult({ error: 'bad' })).toBe('error: bad');
    expect(summarizeResult({ result: { status: 'ok' } })).toBe('status=ok');
    expect(summarizeResult({ a: 1, b: 2 })).toBe('object[2 keys]');
    expect(summarizeResult(new Map())).toBe('Map');
    expect(summarizeResult(Symbol('x'))).toBe('symbol');
    expect(classifyResult(undefined)).toBe('null');
    expect(classifyResult(true)).toBe('boolean');
    expect(classifyResult(1)).toBe('number');
    expect(classifyResult('a')).toBe('string');
    expect(classifyResult([])).toBe('list');
    expect(classifyResult({ status: 200 })).toBe('200');
    expect(classifyResult({})).toBe('object');
    expect(classifyResult(new Map())).toBe('unknown');
  });
  it('call ids and entry formatting', () => {
    const m = { next_call_id: 9999 } as ProceduralMemory;
    expect(allocateCallId(m)).toBe('call-9999');
    expect(allocateCallId(m)).toBe('call-10000');
    expect(formatEntryCompact(entry({ outcome: 'partial' }))).toBe('[✗] t: ok');
    expect(formatEntryForContext(entry({ arguments: { a: 'x'.repeat(30) }, fix_for: 'call-1', delta_args: { added: { r: 1 } } }), true)).toBe(
      `[✓] ok\n    args: a=${'x'.repeat(17)}...\n    (fixed prior failure by: add r)`,
    );
    expect(formatEntryForContext(entry({ outcome: 'failure', fixed_by: 'call-2' }))).toBe('[✗] ok\n    (later fixed by call-2)');
    const p = newPattern('t', NOW);
    recordCallInPattern(p, entry(), NOW);
    addErrorPattern(p, 'unsat');
    recordFix(p, 'unsat', { added: { relax: true } });
    addSuccessPattern(p, { delta_that_fixed: { added: { relax: true } } });
    addSuccessPattern(p, { arg_hints: { must_include: ['a'] } });
    addSuccessPattern(p, {});
    expect(formatPatternForContext(p)).toBe(
      'Success rate: 100% (1 calls)\nCommon errors:\n  - unsat (x1) -> add relax\nSuccess hints:\n  - Fixed by: add relax\n  - Args: {"must_include":["a"]}',
    );
  });
});

class State implements SessionStateAccess {
  readonly id = 'sess';
  readonly data = new Map<string, unknown>();
  async getState(key: string): Promise<unknown> {
    return this.data.get(key);
  }
  async setState(key: string, value: unknown): Promise<void> {
    this.data.set(key, value);
  }
}

describe('ToolMemoryManager', () => {
  it('create / fromSession (absent, valid, corrupt → fresh) / saveToSession round-trip', async () => {
    const s = new State();
    const fresh = await ToolMemoryManager.fromSession(s);
    expect(fresh.sessionId).toBe('sess');
    await fresh.recordCall({ toolName: 't', arguments: {}, result: 1, outcome: 'success' });
    await fresh.saveToSession(s);
    const restored = await ToolMemoryManager.fromSession(s);
    expect(restored.getStats().total_calls).toBe(1);
    const warn = vi.fn();
    s.data.set('procedural_memory', { bad: true });
    const corrupt = await ToolMemoryManager.fromSession(s, { logger: { debug: vi.fn(), info: vi.fn(), warn, error: vi.fn() } });
    expect(corrupt.getStats().total_calls).toBe(0);
    expect(warn).toHaveBeenCalled();
    expect(ToolMemoryManager.fromJSON(restored.toJSON()).getStats().total_calls).toBe(1);
    expect(() => ToolMemoryManager.fromJSON({})).toThrow();
  });
  it('log trimming keeps patterns all-time', async () => {
    const m = ToolMemoryManager.create('s', { maxLogEntries: 2, clock });
    for (let i = 0; i < 3; i++) await m.recordCall({ toolName: 't', arguments: { i }, result: i, outcome: 'success', executionTimeMs: 10.4 });
    expect(m.memory.tool_log.map((e) => e.id)).toEqual(['call-0002', 'call-0003']);
    expect(m.getPattern('t')?.total_calls).toBe(3);
    expect(m.memory.tool_log[0]).toMatchObject({ execution_time_ms: 10, arguments_hash: expect.stringMatching(/^[0-9a-f]{12}$/) as string, timestamp: NOW });
  });
  it('fix detection: links the most recent failure, records fix, fires the callback, adds a success pattern', async () => {
    const onFix = vi.fn();
    const m = ToolMemoryManager.create('s', { onFixDetected: onFix });
    await m.recordCall({ toolName: 'solver', arguments: { mode: 'fast' }, result: { status: 'unsat' }, outcome: 'failure', errorType: 'unsat', contextGoal: 'schedule' });
    await m.recordCall({ toolName: 'solver', arguments: { mode: 'fast', x: 1 }, result: null, outcome: 'timeout', errorType: 'timeout' });
    const ok = await m.recordCall({ toolName: 'solver', arguments: { mode: 'slow', relax: true }, result: { status: 'sat' }, outcome: 'success', contextGoal: 'schedule' });
    expect(ok.fix_for).toBe('call-0002');
    expect(m.memory.tool_log[1]?.fixed_by).toBe('call-0003');
    expect(onFix).toHaveBeenCalledWith(expect.objectContaining({ failed_call_id: 'call-0002', success_call_id: 'call-0003' }));
    expect(m.getFixForError('solver', 'timeout')).toEqual(ok.delta_args);
    expect(m.getPattern('solver')?.success_patterns[0]).toMatchObject({ goal_match: 'schedule', example_call_id: 'call-0003' });
    const ok2 = await m.recordCall({ toolName: 'solver', arguments: { mode: 'slow', relax: true, tasks: 2 }, result: { status: 'sat' }, outcome: 'success' });
    expect(ok2.fix_for).toBe('call-0001');
    expect(m.getStats()).toMatchObject({ total_calls: 4, success_count: 2, failure_count: 2, success_rate: 0.5, total_fixes_detected: 2, tools_tracked: 1 });
  });
  it('no fix across tools, outside the window, or for identical args; unknown error type gets its fix ([FIX])', async () => {
    const m = ToolMemoryManager.create('s', { fixDetectionWindow: 2 });
    await m.recordCall({ toolName: 'a', arguments: { x: 1 }, result: null, outcome: 'failure' });
    await m.recordCall({ toolName: 'b', arguments: { x: 2 }, result: 1, outcome: 'success' });
    await m.recordCall({ toolName: 'a', arguments: { x: 1 }, result: 1, outcome: 'success' });
    expect(m.memory.fix_relations).toHaveLength(0);
    for (let i = 0; i < 5; i++) await m.recordCall({ toolName: 'c', arguments: { i }, result: 1, outcome: 'partial' });
    await m.recordCall({ toolName: 'a', arguments: { x: 5 }, result: 1, outcome: 'success' });
    expect(m.memory.fix_relations).toHaveLength(0);
    const u = ToolMemoryManager.create('s');
    await u.recordCall({ toolName: 'a', arguments: { x: 1 }, result: null, outcome: 'failure' });
    await u.recordCall({ toolName: 'a', arguments: { x: 2 }, result: 1, outcome: 'success' });
    expect(u.getFixForError('a', 'unknown')).toEqual({ changed: { x: { from: 1, to: 2 } } });
    expect(u.getFixForError('a', 'other')).toBeNull();
    expect(u.getFixForError('zz', 'other')).toBeNull();
  });
  it('a throwing onFixDetected is logged, not propagated; error patterns are capped', async () => {
    const warn = vi.fn();
    const m = ToolMemoryManager.create('s', { maxPatternsPerTool: 2, logger: { debug: vi.fn(), info: vi.fn(), warn, error: vi.fn() } });
    m.onFixDetected = () => { throw new Error('cb'); };
    await m.recordCall({ toolName: 'a', arguments: { x: 1 }, result: null, outcome: 'failure', errorType: 'e1' });
    await m.recordCall({ toolName: 'a', arguments: { x: 1 }, result: null, outcome: 'failure', errorType: 'e1' });
    await m.recordCall({ toolName: 'a', arguments: { x: 1 }, result: null, outcome: 'failure', errorType: 'e2' });
    await m.recordCall({ toolName: 'a', arguments: { x: 1 }, result: null, outcome: 'failure', errorType: 'e3' });
    expect(m.getPattern('a')?.error_patterns.map((e) => e.error_type)).toEqual(['e1', 'e3']);
    await m.recordCall({ toolName: 'a', arguments: { x: 2 }, result: 1, outcome: 'success' });
    expect(warn).toHaveBeenCalled();
  });
  it('retrieval: recent calls, search filters, args for goal; stats and reset', async () => {
    const m = ToolMemoryManager.create('s');
    await m.recordCall({ toolName: 'a', arguments: {}, result: 1, outcome: 'success', contextGoal: 'Find Flights' });
    await m.recordCall({ toolName: 'b', arguments: {}, result: null, outcome: 'failure', errorType: 'x' });
    await m.recordCall({ toolName: 'a', arguments: { k: 1 }, result: 1, outcome: 'failure', errorType: 'x' });
    await m.recordCall({ toolName: 'a', arguments: { k: 2 }, result: 1, outcome: 'success' });
    expect(m.getRecentCalls().map((e) => e.id)).toEqual(['call-0004', 'call-0003', 'call-0002', 'call-0001']);
    expect(m.getRecentCalls({ toolName: 'a', limit: 2 }).map((e) => e.id)).toEqual(['call-0004', 'call-0003']);
    expect(m.getRecentCalls({ toolName: '', outcome: 'failure' })).toHaveLength(2);
    expect(m.searchCalls({ goalContains: 'flight' }).map((e) => e.id)).toEqual(['call-0001']);
    expect(m.searchCalls({ toolName: 'a', outcome: 'failure', errorType: 'x' })).toHaveLength(1);
    expect(m.searchCalls({ onlyFixes: true }).map((e) => e.id)).toEqual(['call-0004']);
    expect(m.searchCalls({ onlyFixed: true }).map((e) => e.id)).toEqual(['call-0003']);
    expect(m.searchCalls({ limit: 1 })).toHaveLength(1);
    addSuccessPattern(m.getPattern('a')!, { goal_match: 'find flights to Paris', arg_hints: { origin: 'SFO' } });
    expect(m.getSuccessfulArgsForGoal('a', 'FIND FLIGHTS')).toEqual({ origin: 'SFO' });
    expect(m.getSuccessfulArgsForGoal('a', 'hotels')).toBeNull();
    expect(Object.keys(m.getAllPatterns())).toEqual(['a', 'b']);
    await m.reset();
    expect(m.getStats()).toMatchObject({ total_calls: 0, success_rate: 0, tools_tracked: 0 });
    expect(m.memory.next_call_id).toBe(1);
  });
});

describe('ProceduralContextFormatter', () => {
  async function solverMemory(): Promise<ToolMemoryManager> {
    const m = ToolMemoryManager.create('s');
    await m.recordCall({ toolName: 'solver', arguments: { tasks: 10, mode: 'fast' }, result: 5, outcome: 'failure', errorType: 'unsat', executionTimeMs: 100 });
    await m.recordCall({ toolName: 'solver', arguments: { tasks: 10, mode: 'fast' }, result: { error: 'boom' }, outcome: 'timeout', errorType: 'timeout' });
    await m.recordCall({ toolName: 'solver', arguments: { tasks: 10, mode: 'fast' }, result: { error: 'boom' }, outcome: 'timeout', errorType: 'timeout' });
    await m.recordCall({ toolName: 'solver', arguments: { tasks: 10, mode: 'slow', relax: true }, result: { status: 'sat' }, outcome: 'success', executionTimeMs: 300 });
    return m;
  }
  it('formatForTools with history, args and timing (both placements)', async () => {
    const m = await solverMemory();
    const f = new ProceduralContextFormatter({ include_args: true, include_timing: true });
    const text = f.formatForTools(m, ['solver', 'unused']);
    expect(text).toBe(
      [
        '<procedural_memory>',
        '<tool_memory name="solver">',
        '<recent_calls>',
        '  [✗] error: boom',
        '    args: tasks=10, mode=fast',
        '  [✗] error: boom (fixed by call-0004)',
        '    args: tasks=10, mode=fast',
        '  [✓] status=sat [300ms] (fixed prior by: +relax; mode:fast->slow)',
        '    args: tasks=10, mode=slow, relax=true',
        '</recent_calls>',
        '',
        '<patterns>',
        '  success_rate: 25% (4 calls)',
        '  <common_errors>',
        '    - unsat',
        '    - timeout (x2) -> fix: add relax; change mode: fast -> slow',
        '  </common_errors>',
        '  <success_hints>',
        '    - Fixed by: +relax; mode:fast->slow',
        '  </success_hints>',
        '</patterns>',
        '',
        '<avoid>',
        '  - tasks=10, mode=fast (failed 3x: unsat, timeout)',
        '</avoid>',
        '</tool_memory>',
        '</procedural_memory>',
      ].join('\n'),
    );
    const end = new ProceduralContextFormatter({ include_args: true, include_timing: true, timing_placement: 'end', show_fix_relations: false, compact: true });
    const t2 = end.formatForTools(m, ['solver']);
    expect(t2).toContain('    args: tasks=10, mode=slow, relax=true [300ms]');
    expect(t2).not.toContain('fixed');
    expect(t2).not.toContain('success_rate');
    expect(new ProceduralContextFormatter().formatForTools(m, ['none'])).toBe('');
  });
  it('multiple tools joined by a blank line; token budget drops what does not fit; XML escaping', async () => {
    const m = await solverMemory();
    await m.recordCall({ toolName: 'a<b>', arguments: {}, result: 'ok', outcome: 'success' });
    const all = new ProceduralContextFormatter().formatForTools(m, ['solver', 'a<b>']);
    expect(all).toContain('</tool_memory>\n\n<tool_memory name="a&lt;b&gt;">');
    const small = new ProceduralContextFormatter({ max_tokens: 60 }).formatForTools(m, ['a<b>', 'solver']);
    expect(small).toContain('a&lt;b&gt;');
    expect(small).not.toContain('solver');
    expect(new ProceduralContextFormatter({ max_tokens: 1 }).formatForTools(m, ['solver'])).toBe('');
  });
  it('success hints filtered by goal', () => {
    const ps = [
      { goal_match: null, arg_hints: {}, notes: null, example_call_id: null, delta_that_fixed: null },
      { goal_match: 'Book flights', arg_hints: { a: 1 }, notes: null, example_call_id: null, delta_that_fixed: null },
      { goal_match: 'hotels', arg_hints: {}, notes: null, example_call_id: null, delta_that_fixed: { added: { x: 1 } } },
      { goal_match: 'cars', arg_hints: {}, notes: null, example_call_id: null, delta_that_fixed: null },
    ];
    expect(filterRelevantSuccesses(ps, null)).toHaveLength(4);
    expect(filterRelevantSuccesses(ps, 'flights').map((p) => p.goal_match)).toEqual([null, 'Book flights', 'hotels']);
  });
  it('goal-aware hints in formatForTools', async () => {
    const m = ToolMemoryManager.create('s');
    await m.recordCall({ toolName: 't', arguments: {}, result: 1, outcome: 'success' });
    addSuccessPattern(m.getPattern('t')!, { goal_match: 'flights', arg_hints: { origin: 'SFO' } });
    addSuccessPattern(m.getPattern('t')!, { goal_match: 'cars', arg_hints: { brand: 'x' } });
    const text = new ProceduralContextFormatter().formatForTools(m, ['t'], 'flights');
    expect(text).toContain('- Typical args: {"origin":"SFO"}');
    expect(text).not.toContain('brand');
  });
  it('formatDelta and formatArgs', () => {
    expect(formatDelta({ added: { a: 1, b: 2, c: 3 }, removed: ['x', 'y', 'z'], changed: { p: { from: 1, to: 2 }, q: { from: 1, to: 2 }, r: { from: 1, to: 2 } } })).toBe('+3 args; -3 args; ~3 args');
    expect(formatDelta({ removed: ['x'], changed: { p: { from: 'x'.repeat(20), to: 2 } } })).toBe(`-x; p:${'x'.repeat(13)}..->2`);
    expect(formatDelta(null)).toBe('changes');
    expect(formatArgs({ a: 1, b: 2, c: 3, d: 4, e: 5 })).toBe('a=1, b=2, c=3, ...+2');
  });
  it('full summary, error guidance, success template', async () => {
    const m = await solverMemory();
    await m.recordCall({ toolName: 'other', arguments: {}, result: 1, outcome: 'success' });
    const f = new ProceduralContextFormatter();
    expect(f.formatFullSummary(m)).toBe(
      ['<procedural_memory_summary>', '  Total: 5 calls, 40% success, 1 fix detected', '', '  Most used tools:', '    - solver: 4 calls, 25% success', '      last error: timeout', '    - other: 1 calls, 100% success', '</procedural_memory_summary>'].join('\n'),
    );
    expect(f.formatFullSummary(ToolMemoryManager.create('e'))).toBe('<procedural_memory_summary>\n  Total: 0 calls, 0% success, 0 fixes detected\n</procedural_memory_summary>');
    expect(f.formatErrorGuidance(m, 'solver', 'timeout')).toBe(
      ['<error_guidance tool="solver" error="timeout">', '  Previous fix: +relax; mode:fast->slow', '  Past fixes:', '    - call-0003 -> call-0004', '      changed: +relax; mode:fast->slow', '</error_guidance>'].join('\n'),
    );
    expect(f.formatErrorGuidance(m, 'solver', 'unsat')).toContain('No previous fixes found for this error type.');
    expect(f.formatSuccessTemplate(m, 'solver', 'x')).toBeNull();
    addSuccessPattern(m.getPattern('solver')!, { goal_match: 'find flights', arg_hints: { origin: 'SFO', dest: 'LAX' } });
    addSuccessPattern(m.getPattern('other')!, { goal_match: 'find flights' });
    expect(f.formatSuccessTemplate(m, 'solver', 'find flights')).toBe(
      '<success_template tool="solver" goal="find flights">\n  Recommended args based on past success:\n    origin: SFO\n    dest: LAX\n</success_template>',
    );
    expect(f.formatSuccessTemplate(m, 'other', 'find flights')).toBeNull();
  });
});
