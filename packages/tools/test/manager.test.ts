import { describe, expect, it } from 'vitest';
import { ToolStateManager } from '../src/guards/manager.js';
import { getToolState, resetToolState, ToolStateRegistry } from '../src/guards/registry.js';
import { extractAssignments, extractUserLiterals } from '../src/guards/literals.js';
import { softBlockRepair } from '../src/guards/repair.js';
import { ToolResultCache } from '../src/execution/cache.js';

const clock = (): Date => new Date('2025-01-01T00:00:00.000Z');

describe('user literals', () => {
  it('[FIX] ids, dates, thousands, percentages', () => {
    expect(extractUserLiterals('compute 3 + 4.5 and 1.5e3 or -2')).toEqual([3, 4.5, 1500, -2]);
    expect(extractUserLiterals('on 2024-01-05')).toEqual([2024, 1, 5]);
    expect(extractUserLiterals('costs 1,000 dollars')).toEqual([1000]);
    expect(extractUserLiterals('costs 1,000', { parseThousands: false })).toEqual([1, 0]);
    expect(extractUserLiterals('use $v1 and abc2 and x_3')).toEqual([]);
    expect(extractUserLiterals('rate 3.5%')).toEqual([3.5, 0.035]);
    expect(extractUserLiterals('rate 3.5%', { percentAsFraction: false })).toEqual([3.5]);
    expect(extractUserLiterals('(-4) x=-5, y:-6 5.')).toEqual([-4, -5, 6, 5]);
  });
  it('manager returns matched and added counts', async () => {
    const m = new ToolStateManager();
    expect(await m.registerUserLiterals('3 and 3 and 4')).toEqual({ matched: 3, added: 2 });
    expect([...m.userLiterals]).toEqual([3, 4]);
  });
});

describe('assignments from text', () => {
  it('basic, Greek, and skipped comparisons/conditions', () => {
    expect(extractAssignments('mu = 3.14, σ = 2 and x_1=5')).toEqual([
      { name: 'mu', value: 3.14 },
      { name: 'σ', value: 2 },
      { name: 'x_1', value: 5 },
    ]);
    expect(extractAssignments('if flag = 1; while y=1; for i = 0')).toEqual([]);
    expect(extractAssignments('if x == 42 then y = 3.14')).toEqual([{ name: 'y', value: 3.14 }]);
    expect(extractAssignments('a <= 3, b >= 4, c != 5, d == 6')).toEqual([]);
  });
  it('manager binds them as assistant_text, deduplicating', async () => {
    const m = new ToolStateManager({ clock });
    const first = await m.extractBindingsFromText('mu = 3.14 and sigma = 2');
    expect(first.map((b) => [b.id, b.tool_name, b.aliases])).toEqual([
      ['v1', 'assistant_text', ['mu']],
      ['v2', 'assistant_text', ['sigma']],
    ]);
    expect(await m.extractBindingsFromText('mu = 3.14')).toEqual([]);
    expect((await m.extractBindingsFromText('mu = 3.14', { dedupe: false })).map((b) => b.id)).toEqual(['v3']);
    expect(await m.extractBindingsFromText('nothing here')).toEqual([]);
  });
});

describe('ToolStateManager guards', () => {
  it('[FIX] default limits never block a first call (per_tool_cap 0 = disabled)', async () => {
    const m = new ToolStateManager();
    const r = await m.checkAllGuards('calculator', { expression: 'x' });
    expect(r.final_verdict).toBe('allow');
  });
  it('order: precondition blocks before budget', async () => {
    const m = new ToolStateManager({ limits: { tool_budget_total: 0 } });
    const r = await m.checkAllGuards('normal_cdf', { x: 1.5 });
    expect(r.stopped_at).toBe('precondition');
    const b = await m.checkAllGuards('calc', {});
    expect(b.stopped_at).toBe('budget');
  });
  it('[FIX] warnings are returned, not discarded', async () => {
    const m = new ToolStateManager({ limits: { per_tool_cap: 2 } });
    await m.recordToolCall('fetch');
    const r = await m.checkAllGuards('fetch', { a: 5 });
    expect(r.final_verdict).toBe('warn');
    expect(r.final_reason).toContain('Ungrounded call');
    expect(r.final_reason).toContain('at limit');
  });
  it('[FIX] a call checked twice consumes one grace slot', async () => {
    const m = new ToolStateManager({ limits: { require_bindings: 'block', ungrounded_grace_calls: 1 } });
    const u = await m.checkUngroundedCall('calc', { a: 5 }, { callId: 'c1' });
    expect(u.is_ungrounded).toBe(true);
    expect(u.numeric_args).toEqual(['a=5']);
    const chain = await m.checkAllGuards('calc', { a: 5 }, { callId: 'c1' });
    expect(chain.final_verdict).toBe('warn');
    expect(m.ungroundedGuard?.count).toBe(1);
    const second = await m.checkAllGuards('calc', { a: 5 }, { callId: 'c2' });
    expect(second.final_verdict).toBe('block');
    expect((await m.ungroundedVerdict('calc', { a: 5 }, { callId: 'c2' })).verdict).toBe('block');
  });
  it('[FIX] checkUngroundedCall keeps numeric strings and drops booleans', async () => {
    const m = new ToolStateManager();
    const r = await m.checkUngroundedCall('calc', { a: '5', flag: true });
    expect(r).toMatchObject({ is_ungrounded: true, numeric_args: ['a=5'], has_bindings: false });
    expect((await m.checkUngroundedCall('calc', { s: 'x' })).is_ungrounded).toBe(false);
    expect((await m.checkUngroundedCall('add', { a: 5 })).is_ungrounded).toBe(false);
  });
  it('checkPreconditions / per-tool / budget helpers and null guards', async () => {
    const m = new ToolStateManager();
    expect(await m.checkPreconditions('normal_cdf', { x: 2 })).toMatchObject({ ok: false });
    expect(await m.checkToolPreconditions('add', { x: 2 })).toEqual({ ok: true, reason: null });
    expect((await m.checkPerToolLimit('x')).verdict).toBe('allow');
    expect((await m.checkBudget('x')).verdict).toBe('allow');
    m.preconditionGuard = null;
    m.budgetGuard = null;
    m.perToolGuard = null;
    m.ungroundedGuard = null;
    m.runawayGuard = null;
    expect(await m.checkPreconditions('normal_cdf', { x: 2 })).toEqual({ ok: true, reason: null });
    expect((await m.checkPerToolLimit('x')).verdict).toBe('allow');
    expect((await m.checkBudget('x')).verdict).toBe('allow');
    expect((await m.checkAllGuards('normal_cdf', { x: 2 })).guard_results).toEqual([]);
    expect((await m.checkUngroundedCall('calc', { a: 1 })).is_ungrounded).toBe(false);
    await m.recordToolCall('x', {});
    await m.recordNumericResult(1);
    expect(m.recentNumericResults).toEqual([]);
    expect(m.getBudgetStatus().total).toEqual({ used: 0, limit: 0, remaining: 0 });
    expect(m.isDiscoveryExhausted()).toBe(false);
    expect(m.isExecutionExhausted()).toBe(false);
    expect(m.formatBudgetStatus()).toBe('');
    expect(m.getDiscoveredTools().size).toBe(0);
    expect(m.isToolDiscovered('x')).toBe(false);
    expect(m.getToolCallCount('x')).toBe(1);
    expect((await m.checkRunaway('x')).should_stop).toBe(false);
    expect(m.toJSON().budget).toBeNull();
  });
});

describe('configuration', () => {
  it('[FIX] configure keeps counters unless asked; setBudget keeps other limits', async () => {
    const m = new ToolStateManager();
    await m.setMode('STRICT');
    expect(m.limits.require_bindings).toBe('block');
    await m.recordToolCall('calc');
    await m.setBudget(3);
    expect(m.limits).toMatchObject({ discovery_budget: 3, execution_budget: 3, tool_budget_total: 3, require_bindings: 'block' });
    expect(m.getBudgetStatus().execution.used).toBe(1);
    await m.configure({ per_tool_cap: 1 }, { resetCounters: true });
    expect(m.getBudgetStatus().execution.used).toBe(0);
    await expect(m.setMode('turbo')).rejects.toThrow(/Invalid mode/);
    await m.configure({ runaway: { repeat_threshold: 2 } });
    expect(m.runawayGuard?.config.repeat_threshold).toBe(2);
  });
});

describe('budgets, per-tool tracking, discovery', () => {
  it('status, exhausted flags, counts and messages', async () => {
    const m = new ToolStateManager({ limits: { discovery_budget: 1, execution_budget: 2, tool_budget_total: 10, per_tool_cap: 2 } });
    await m.incrementDiscoveryCall();
    await m.incrementExecutionCall();
    expect(m.getDiscoveryStatus()).toEqual({ used: 1, limit: 1, remaining: 0 });
    expect(m.isDiscoveryExhausted()).toBe(true);
    expect(m.isExecutionExhausted()).toBe(false);
    expect(m.formatBudgetStatus()).toBe('Discovery: 1/1 | Execution: 1/2');
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the alias is part of the tested surface
    await m.incrementToolCall('ns.fetch');
    await m.recordToolCall('fetch');
    expect(m.getToolCallCount('fetch')).toBe(2);
    expect(m.trackToolCall('fetch')).toEqual({ tool_name: 'fetch', call_count: 2, max_calls: 2, requires_justification: true });
    expect(m.formatToolLimitWarning('fetch')).toContain('called 2 times (limit: 2)');
    expect(m.getExecutionStatus().used).toBe(3);
  });
  it('classifyByResult registers discovered tools', async () => {
    const m = new ToolStateManager();
    await m.classifyByResult('list_tools', { results: [{ name: 'a' }, { name: 2 }, 'x', { name: 'b' }] });
    await m.classifyByResult('get_tool_schema', { function: { name: 'c' } });
    await m.classifyByResult('x', 'text');
    await m.classifyByResult('x', { other: 1 });
    expect([...m.getDiscoveredTools()].sort()).toEqual(['a', 'b', 'c']);
    expect(m.isToolDiscovered('a')).toBe(true);
  });
});

describe('checkRunaway', () => {
  it('runaway patterns with typed flags', async () => {
    const m = new ToolStateManager();
    for (const v of [7, 7, 7]) await m.recordNumericResult(v);
    const r = await m.checkRunaway();
    expect(r).toMatchObject({ should_stop: true, repeat_detected: true, degenerate_detected: true, saturation_detected: false });
    const s = new ToolStateManager();
    await s.recordNumericResult(1e-14);
    expect((await s.checkRunaway()).saturation_detected).toBe(true);
    const l = new ToolStateManager();
    for (let i = 0; i < 3; i++) await l.recordToolCall('fetch', { u: 1 });
    expect((await l.checkRunaway('fetch', { u: 1 })).loop_detected).toBe(true);
    expect((await l.checkRunaway('fetch')).loop_detected).toBe(false);
  });
  it('budget reasons and budget_kind', async () => {
    const m = new ToolStateManager({ limits: { discovery_budget: 1, execution_budget: 1, tool_budget_total: 3 } });
    expect((await m.checkRunaway()).calls_remaining).toBe(3);
    await m.recordToolCall('list_tools');
    expect(await m.checkRunaway('search_tools')).toMatchObject({ should_stop: true, reason: 'Discovery budget exhausted', budget_kind: 'discovery', budget_exhausted: true });
    expect((await m.checkRunaway('calc')).should_stop).toBe(false);
    await m.recordToolCall('calc');
    expect((await m.checkRunaway('calc')).budget_kind).toBe('execution');
    const t = new ToolStateManager({ limits: { tool_budget_total: 1 } });
    await t.recordToolCall('calc');
    expect((await t.checkRunaway()).reason).toBe('Total tool budget exhausted');
  });
});

describe('soft-block repair', () => {
  it('all branches', async () => {
    const m = new ToolStateManager();
    const noBind = await m.trySoftBlockRepair('calc', { a: 5 }, { is_ungrounded: true, numeric_args: ['a=5'], has_bindings: false, message: '' });
    expect(noBind).toEqual({ proceed: false, repairedArgs: null, fallback: null });
    expect((await m.trySoftBlockRepair('calc', { a: 5 }, 'ungrounded_args')).fallback).toBe('Cannot call calc with literal values. Please compute the required values first.');
    expect(await m.trySoftBlockRepair('calc', { a: 5 }, 'budget_exhausted')).toEqual({ proceed: false, repairedArgs: null, fallback: null });
    await m.bindValue('mul', {}, 5);
    const ok = await m.trySoftBlockRepair('calc', { a: 5, b: 'x' }, 'ungrounded_args');
    expect(ok).toEqual({ proceed: true, repairedArgs: { a: '$v1', b: 'x' }, fallback: null });
    const none = await m.trySoftBlockRepair('calc', { a: 6 }, { is_ungrounded: true, numeric_args: ['a=6', 'bad', '=3', 'c=abc', 'd='], has_bindings: true, message: '' });
    expect(none.fallback).toContain('No matching bindings found for [a=6, bad, =3, c=abc, d=]');
    await m.registerUserLiterals('5');
    expect((await m.trySoftBlockRepair('calc', { a: 5 }, 'ungrounded_args')).fallback).toContain('Cannot call calc');
    expect(softBlockRepair('t', {}, 'missing_refs', { bindings: [], userLiterals: new Set() }).proceed).toBe(false);
  });
});

describe('bindings and cache through the manager', () => {
  it('delegation', async () => {
    const m = new ToolStateManager({ clock });
    const b = await m.bindValue('add', { a: 1 }, 3, ['sum']);
    expect(m.getBinding('$v1')).toBe(b);
    expect(m.getBinding('sum')).toBe(b);
    expect(await m.checkReferences({ x: '$v2' })).toMatchObject({ valid: false, missing_refs: ['$v2'] });
    expect(await m.resolveReferences({ x: '$v1' })).toEqual({ x: 3 });
    expect((await m.resolveReferencesDetailed({ x: '$sum' }, 'c1')).args).toEqual({ x: 3 });
    expect(m.formatBindingsForModel()).toContain('$v1 = 3.000000 (aka sum)');
    expect(m.shouldAutoRebound('add')).toBe(true);
    expect(m.shouldAutoRebound('fetch')).toBe(false);
    await m.cacheResult('add', { a: 1 }, 3);
    expect((await m.getCachedResult('add', { a: 1 }))?.result).toBe(3);
    expect(m.getDuplicateCount()).toBe(1);
    expect(m.getCacheStats().total_cached).toBe(1);
    expect(m.formatDuplicateMessage('add', { a: 1 })).toContain('Cached result for add');
    await m.storeVariable('x', 2, 'm', 'calc', { a: 1 });
    await m.storeVariable('y', 3);
    expect(m.getVariable('x')).toMatchObject({ units: 'm', source_tool: 'calc', source_args: { a: 1 } });
    expect(m.formatStateForModel()).toContain('**Stored Variables:**');
  });
  it('formatting messages', async () => {
    const m = new ToolStateManager();
    expect(m.formatStateForModel()).toBe('');
    expect(m.formatUnusedWarning()).toBe('');
    expect(m.formatDiscoveryExhaustedMessage()).toContain('**Discovery budget exhausted**');
    for (let i = 0; i < 7; i++) await m.bindValue('t', { i }, i + 10);
    expect(m.formatUnusedWarning()).toBe('Unused tool results: $v1, $v2, $v3, $v4, $v5 (+2 more). Consider using these values.');
    expect(m.formatExecutionExhaustedMessage()).toContain('Available Values');
    expect(m.formatBudgetExhaustedMessage()).toContain('**Tool budget exhausted**');
    expect(m.formatSaturationMessage(1e-13)).toContain('Last value: 1.000000e-13');
  });
});

describe('lifecycle and persistence', () => {
  it('[FIX] monotonic ids across prompts; turn-scoped results cleared, variables kept', async () => {
    const m = new ToolStateManager();
    await m.bindValue('a', {}, 1);
    await m.cacheResult('a', {}, 1);
    await m.storeVariable('x', 1);
    await m.registerUserLiterals('5');
    await m.recordToolCall('a');
    await m.resetForNewPrompt();
    expect(m.bindings.size).toBe(0);
    expect((await m.bindValue('b', {}, 2)).id).toBe('v2');
    expect(m.userLiterals.size).toBe(0);
    expect(m.getBudgetStatus().total.used).toBe(0);
    expect(m.cache.peek('a', {})).toBeUndefined();
    expect(m.getVariable('x')).toBeDefined();
  });
  it('restart-per-prompt policy and session-scoped cache reproduce the reference', async () => {
    const m = new ToolStateManager({ bindingIdPolicy: 'restart-per-prompt', limits: { cache_scope: 'session' } });
    await m.bindValue('a', {}, 1);
    await m.cacheResult('a', {}, 1);
    await m.resetForNewPrompt();
    expect((await m.bindValue('b', {}, 2)).id).toBe('v1');
    expect(m.cache.peek('a', {})?.result).toBe(1);
  });
  it('clear resets everything and numbering', async () => {
    const m = new ToolStateManager();
    await m.bindValue('a', {}, 1);
    await m.storeVariable('x', 1);
    await m.clear();
    expect(m.getVariable('x')).toBeUndefined();
    expect((await m.bindValue('b', {}, 2)).id).toBe('v1');
  });
  it('snapshot round-trip keeps bindings, cache, literals and counters', async () => {
    const m = new ToolStateManager({ limits: { per_tool_cap: 5, cache_scope: 'session' }, cache: new ToolResultCache({ scope: 'session' }) });
    await m.bindValue('a', { x: 1 }, 4, ['four']);
    await m.cacheResult('a', { x: 1 }, 4);
    await m.registerUserLiterals('7');
    await m.recordToolCall('fetch', { u: 1 });
    await m.registerDiscoveredTool('fetch');
    await m.checkUngroundedCall('calc', { a: 9 });
    await m.recordNumericResult(0);
    const restored = ToolStateManager.fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
    expect(restored.getBinding('four')?.raw_value).toBe(4);
    expect((await restored.bindValue('b', {}, 1)).id).toBe('v2');
    expect(restored.cache.peek('a', { x: 1 })?.result).toBe(4);
    expect([...restored.userLiterals]).toEqual([7]);
    expect(restored.getToolCallCount('fetch')).toBe(1);
    expect(restored.isToolDiscovered('fetch')).toBe(true);
    expect(restored.ungroundedGuard?.count).toBe(1);
    expect(restored.recentNumericResults).toEqual([0]);
    expect(restored.limits.per_tool_cap).toBe(5);
    expect(() => ToolStateManager.fromJSON({ schema_version: 2 })).toThrow(/Invalid snapshot/);
  });
  it('getToolState singleton, resetToolState replacement, registry isolation and LRU', async () => {
    const a = getToolState();
    expect(getToolState()).toBe(a);
    await a.bindValue('t', {}, 1);
    const b = await resetToolState();
    expect(b).not.toBe(a);
    expect(a.bindings.size).toBe(0);
    expect(getToolState()).toBe(b);
    const r = new ToolStateRegistry({ maxSize: 2, defaults: { limits: { per_tool_cap: 1 } } });
    const s1 = r.get('s1');
    expect(r.get('s1')).toBe(s1);
    expect(s1.limits.per_tool_cap).toBe(1);
    r.get('s2');
    r.get('s1');
    r.get('s3');
    expect(r.has('s2')).toBe(false);
    expect(r.has('s1')).toBe(true);
    expect(r.size).toBe(2);
    expect(r.delete('s1')).toBe(true);
    r.clear();
    expect(r.size).toBe(0);
  });
});
