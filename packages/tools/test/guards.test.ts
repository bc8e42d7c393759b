import { describe, expect, it } from 'vitest';
import { BudgetGuard } from '../src/guards/budget.js';
import {
  classifySideEffect,
  CTP_DISCOVERY_PATTERNS,
  DefaultToolClassifier,
  isDiscoveryTool,
  isIdempotentMathTool,
  isNetworkTool,
  isParameterizedTool,
  RegistryToolClassifier,
} from '../src/guards/classification.js';
import {
  allowResult,
  blockResult,
  chainAllowed,
  chainBlocked,
  chainBlocker,
  formatGuardMessage,
  GuardChain,
  isAllowed,
  isBlocked,
  repairResult,
  warnResult,
} from '../src/guards/guard.js';
import type { Guard } from '../src/guards/guard.js';
import { parseRuntimeLimits, RuntimeLimitsPresets, runtimeLimitsPreset } from '../src/guards/limits.js';
import { PerToolGuard } from '../src/guards/per-tool.js';
import { PreconditionGuard } from '../src/guards/precondition.js';
import { RunawayGuard } from '../src/guards/runaway.js';
import { UngroundedGuard } from '../src/guards/ungrounded.js';
import { BindingManager } from '../src/guards/bindings.js';
import { runawayMessage, softBlockCanRepair, softBlockNextRepairAction } from '../src/guards/models.js';
import type { RunawayStatus } from '../src/guards/models.js';

describe('classification', () => {
  it('reference sets by base name', () => {
    expect(isDiscoveryTool('list_tools')).toBe(true);
    expect(isDiscoveryTool('ns.search_tools')).toBe(true);
    expect(isIdempotentMathTool('math_add')).toBe(false);
    expect(isIdempotentMathTool('ns.add')).toBe(true);
    expect(isParameterizedTool('normal_cdf')).toBe(true);
    expect(classifySideEffect('delete_file')).toBe('destructive');
    expect(classifySideEffect('get_user')).toBe('read_only');
    expect(classifySideEffect('compute')).toBe('write');
    expect(isNetworkTool('http_get')).toBe(true);
  });
  it('DefaultToolClassifier: patterns opt-in, overrides by base name', () => {
    const plain = new DefaultToolClassifier();
    expect(plain.isDiscovery('web_search')).toBe(false);
    const ctp = new DefaultToolClassifier({ discoveryPatterns: CTP_DISCOVERY_PATTERNS, overrides: { Solver: { idempotent: true, parameterized: true, sideEffect: 'read_only', discovery: false } } });
    expect(ctp.isDiscovery('web_search')).toBe(true);
    expect(ctp.isDiscovery('ns.solver')).toBe(false);
    expect(ctp.isIdempotent('solver')).toBe(true);
    expect(ctp.isParameterized('solver')).toBe(true);
    expect(ctp.sideEffect('solver')).toBe('read_only');
    expect(ctp.sideEffect('drop_table')).toBe('destructive');
    expect(new DefaultToolClassifier({ discoveryPatterns: false }).isDiscovery('list_tools')).toBe(true);
  });
  it('RegistryToolClassifier consults flags first', () => {
    const c = new RegistryToolClassifier({ flagsFor: (n) => (n === 'x' ? { discovery: true, idempotent: true, parameterized: true, sideEffect: 'destructive' } : undefined) });
    expect([c.isDiscovery('x'), c.isIdempotent('x'), c.isParameterized('x'), c.sideEffect('x')]).toEqual([true, true, true, 'destructive']);
    expect([c.isDiscovery('add'), c.isIdempotent('add'), c.isParameterized('add'), c.sideEffect('add')]).toEqual([false, true, false, 'write']);
  });
});

describe('limits', () => {
  it('presets', () => {
    const d = RuntimeLimitsPresets.default();
    expect([d.discovery_budget, d.execution_budget, d.tool_budget_total, d.ungrounded_grace_calls, d.require_bindings, d.per_tool_cap]).toEqual([5, 12, 15, 1, 'warn', 0]);
    const s = runtimeLimitsPreset('smooth');
    expect([s.discovery_budget, s.execution_budget, s.tool_budget_total, s.ungrounded_grace_calls, s.require_bindings]).toEqual([6, 15, 20, 2, 'warn']);
    const st = runtimeLimitsPreset('strict');
    expect([st.discovery_budget, st.execution_budget, st.tool_budget_total, st.ungrounded_grace_calls, st.require_bindings]).toEqual([4, 10, 12, 0, 'block']);
    expect(RuntimeLimitsPresets.default()).not.toBe(RuntimeLimitsPresets.default());
  });
  it('unknown keys are rejected with InvalidInput naming the field', () => {
    expect(() => parseRuntimeLimits({ tool_budget: 3 })).toThrow(/Invalid limits/);
    expect(() => parseRuntimeLimits({ discovery_budget: 'x' })).toThrow(/limits\.discovery_budget/);
    expect(parseRuntimeLimits(undefined).tool_budget_total).toBe(15);
  });
});

describe('guard framework', () => {
  it('results and messages', () => {
    expect(formatGuardMessage(allowResult('g'))).toBe('');
    expect(formatGuardMessage(warnResult('g', 'careful'))).toBe('Warning: careful');
    expect(formatGuardMessage(blockResult('g', ''))).toBe('Blocked');
    expect(formatGuardMessage(repairResult('g', 'fixing', { a: 1 }))).toBe('Repairing: fixing');
    expect(isAllowed(warnResult(undefined, 'x'))).toBe(true);
    expect(isBlocked(repairResult(undefined, 'x'))).toBe(false);
    expect(isAllowed(repairResult(undefined, 'x'))).toBe(false);
  });
  it('GuardChain: first block stops, repairs rewrite working args, warnings aggregate', async () => {
    const seen: unknown[] = [];
    const g = (name: string, fn: Guard['check']): Guard => ({ name, check: fn });
    const chain = new GuardChain()
      .add('w1', g('w1', () => warnResult('w1', 'first')))
      .add('r', g('r', () => repairResult('r', 'fix', { fixed: true })))
      .add('spy', g('spy', (_t, a) => (seen.push(a), warnResult('spy', 'second'))));
    const res = await chain.checkAll('t', { fixed: false });
    expect(res.final_verdict).toBe('warn');
    expect(res.final_reason).toBe('first; second');
    expect(seen).toEqual([{ fixed: true }]);
    expect(res.repaired_args).toEqual({ fixed: true });
    expect(chainAllowed(res)).toBe(true);
    chain.insert(0, 'b', g('b', () => blockResult('b', 'no')));
    const blocked = await chain.checkAll('t', {});
    expect(chainBlocked(blocked)).toBe(true);
    expect(blocked.stopped_at).toBe('b');
    expect(chainBlocker(blocked)?.result.reason).toBe('no');
    expect(chainBlocker(res)).toBeUndefined();
    expect(chain.size).toBe(4);
    expect(chain.names()).toEqual(['b', 'w1', 'r', 'spy']);
    expect(chain.get('r')?.name).toBe('r');
    expect(chain.remove('b')).toBe(true);
    expect(chain.remove('b')).toBe(false);
    expect([...chain].map(([n]) => n)).toEqual(['w1', 'r', 'spy']);
  });
  it('checkOutputAll returns a replacement result and resets guards', async () => {
    let resets = 0;
    const chain = new GuardChain()
      .add('size', { name: 'size', check: () => allowResult(), checkOutput: async () => repairResult('size', 'truncated', null, 'short'), reset: () => { resets++; } })
      .add('plain', { name: 'plain', check: () => allowResult() });
    const r = await chain.checkOutputAll('t', {}, 'long');
    expect(r.replacement_result).toBe('short');
    expect(r.final_verdict).toBe('allow');
    chain.resetAll();
    expect(resets).toBe(1);
  });
});

describe('BudgetGuard', () => {
  it('an N budget allows N recorded calls, then blocks with the kind', () => {
    const g = new BudgetGuard({ discoveryBudget: 2, executionBudget: 2, totalBudget: 3 });
    for (let i = 0; i < 2; i++) {
      expect(g.check('calc').verdict).toBe('allow');
      g.recordCall('calc');
    }
    const exec = g.check('calc');
    expect(exec.verdict).toBe('block');
    expect(exec.details).toMatchObject({ budget_type: 'execution', count: 2, limit: 2 });
    expect(exec.reason).toContain('**Execution budget exhausted**');
    g.recordCall('list_tools');
    const total = g.check('list_tools');
    expect(total.details.budget_type).toBe('total');
    expect(total.reason).toContain('**Tool budget exhausted**');
  });
  it('discovery message lists discovered tools (≤ 10, sorted) or says none', () => {
    const g = new BudgetGuard({ discoveryBudget: 1 });
    g.recordCall('search_tools');
    expect(g.check('list_tools').reason).toContain('No tools were discovered');
    for (let i = 11; i >= 0; i--) g.registerDiscoveredTool(`tool_${String(i).padStart(2, '0')}`);
    const r = g.check('list_tools');
    expect(r.details.budget_type).toBe('discovery');
    expect(r.reason).toContain('**Discovery budget exhausted** (1/1)');
    expect(r.reason).toContain('tool_00, tool_01');
    expect(r.reason).not.toContain('tool_10');
    expect(g.getStatus().discovery).toEqual({ used: 1, limit: 1, remaining: 0 });
    const snap = g.toJSON();
    g.reset();
    expect(g.discoveredTools.size).toBe(0);
    g.restore(snap);
    expect(g.getStatus().discovered_tools).toHaveLength(12);
  });
});

describe('PerToolGuard', () => {
  it('default 3: allow, allow, warn (3/3), block (called 3 times)', () => {
    const g = new PerToolGuard();
    const verdicts: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = g.check('fetch');
      verdicts.push(r.verdict);
      if (i === 2) expect(r.reason).toContain('(3/3)');
      if (i === 3) expect(r.reason).toContain('called 3 times');
      g.recordCall('fetch');
    }
    expect(verdicts).toEqual(['allow', 'allow', 'warn', 'block']);
  });
  it('exemptions, overrides, exact keys', () => {
    const g = new PerToolGuard({ defaultLimit: 1, toolLimits: { special: 5 } });
    g.recordCall('add');
    g.recordCall('add');
    expect(g.check('add').verdict).toBe('allow');
    g.recordCall('ns.special');
    expect(g.check('special').verdict).toBe('allow');
    expect(g.getCallCount('special')).toBe(1);
    expect(g.getStatus()).toMatchObject({ special: { count: 1, limit: 5 } });
    const exact = new PerToolGuard({ keyBy: 'exact', defaultLimit: 1 });
    exact.recordCall('ns.calc');
    expect(exact.check('calc').verdict).toBe('warn');
    expect(exact.check('ns.calc').verdict).toBe('block');
    const snap = exact.toJSON();
    exact.reset();
    expect(exact.getCallCount('ns.calc')).toBe(0);
    exact.restore(snap);
    expect(exact.getCallCount('ns.calc')).toBe(1);
  });
  it('[FIX] limit <= 0 disables the guard (the reference blocked every first call)', () => {
    const g = new PerToolGuard({ defaultLimit: 0 });
    for (let i = 0; i < 10; i++) {
      expect(g.check('calculator').verdict).toBe('allow');
      g.recordCall('calculator');
    }
  });
});

describe('RunawayGuard', () => {
  it('repeat 3x blocks', () => {
    const g = new RunawayGuard();
    expect(g.check().verdict).toBe('allow');
    for (const v of [5, 5]) g.recordResult(v);
    expect(g.check().verdict).toBe('allow');
    g.recordResult(5);
    expect(g.check().details).toMatchObject({ pattern: 'repeat', value: 5, count: 3 });
  });
  it('saturation blocks tiny non-zero values', () => {
    const g = new RunawayGuard();
    g.recordResult(1e-13);
    const r = g.check();
    expect(r.reason).toBe('Numeric saturation: 1.00e-13 (effectively zero)');
    expect(r.details.pattern).toBe('saturation');
  });
  it('[FIX] degenerate streak counts results, not checks', () => {
    const g = new RunawayGuard();
    g.recordResult(0);
    expect(g.check().verdict).toBe('allow');
    expect(g.check().verdict).toBe('allow');
    g.recordResult(0.5);
    g.recordResult(1);
    expect(g.check().verdict).toBe('allow');
    g.recordResult(0);
    expect(g.check().details).toMatchObject({ pattern: 'degenerate', count: 2 });
  });
  it('history window 5, booleans ignored, reset', () => {
    const g = new RunawayGuard();
    for (let i = 0; i < 7; i++) g.recordResult(i + 2);
    g.recordResult(true);
    expect(g.recentValues).toEqual([4, 5, 6, 7, 8]);
    g.reset();
    expect(g.recentValues).toEqual([]);
  });
  it('repeated identical calls block after the threshold', () => {
    const g = new RunawayGuard();
    for (let i = 0; i < 3; i++) {
      expect(g.check('fetch', { url: 'a' }).verdict).toBe('allow');
      g.recordCall('fetch', { url: 'a' });
    }
    const r = g.check('fetch', { url: 'a' });
    expect(r.details.pattern).toBe('repeated_call');
    expect(g.check('fetch', { url: 'b' }).verdict).toBe('allow');
  });
  it('ping-pong between two calls blocks', () => {
    const g = new RunawayGuard();
    const seq: Array<[string, Record<string, unknown>]> = [['a', { x: 1 }], ['b', { y: 2 }], ['a', { x: 1 }], ['b', { y: 2 }]];
    for (const [t, a] of seq) {
      expect(g.check(t, a).verdict).toBe('allow');
      g.recordCall(t, a);
    }
    const r = g.check('a', { x: 1 });
    expect(r.details).toMatchObject({ pattern: 'ping_pong', tools: ['a', 'b'] });
    expect(r.reason).toContain('Ping-pong loop');
    expect(g.check('c', {}).verdict).toBe('allow');
  });
  it('loop detection can be disabled; call history is bounded; state round-trips', () => {
    const g = new RunawayGuard({ repeated_call_threshold: 0, ping_pong_length: 0, call_history_window: 2 });
    for (let i = 0; i < 5; i++) g.recordCall('t', {});
    expect(g.check('t', {}).verdict).toBe('allow');
    expect(g.toJSON().recent_calls).toHaveLength(2);
    const h = new RunawayGuard();
    h.restore({ recent_values: [1], degenerate_streak: 2, recent_calls: [] });
    expect(h.check().details.pattern).toBe('degenerate');
  });
  it('saturation message interpretations ([FIX] exactly zero is reachable)', () => {
    const g = new RunawayGuard();
    expect(g.formatSaturationMessage(0)).toContain('exactly zero');
    expect(g.formatSaturationMessage(1e-13)).toContain('effectively zero');
    expect(g.formatSaturationMessage(1)).toContain('exactly 1.0 (certainty)');
    expect(g.formatSaturationMessage(0.5)).toContain('5.00e-01');
    expect(g.formatSaturationMessage(0.5)).toContain('**Numeric saturation detected**');
  });
});

describe('PreconditionGuard', () => {
  const make = (count: number, values: number[], literals: number[] = [], lenient = false) =>
    new PreconditionGuard(
      { getBindingCount: () => count, getBindingValues: () => new Set(values), getUserLiterals: () => new Set(literals) },
      { isParameterized: isParameterizedTool, safeValues: new Set([0, 1]), lenientMode: lenient },
    );
  it('non-parameterized and no numeric args allow; safe values skipped', () => {
    expect(make(0, []).check('add', { a: 5 }).verdict).toBe('allow');
    expect(make(0, []).check('normal_cdf', { x: '5', flag: true, tool_name: 3 }).verdict).toBe('allow');
    expect(make(0, []).check('normal_cdf', { x: 0, y: 1 }).verdict).toBe('allow');
  });
  it('no bindings → PRECONDITION_FAILED', () => {
    const r = make(0, []).check('normal_cdf', { x: 1.5 });
    expect(r.verdict).toBe('block');
    expect(r.reason.startsWith('PRECONDITION_FAILED:')).toBe(true);
    expect(r.details).toMatchObject({ tool_name: 'normal_cdf', numeric_args: { x: 1.5 } });
  });
  it('strict mismatch lists ≤ 10 sorted values; tolerance and literals ground; lenient allows', () => {
    const values = Array.from({ length: 12 }, (_, i) => 12 - i);
    const r = make(12, values).check('normal_cdf', { x: 99 });
    expect(r.verdict).toBe('block');
    expect(r.details.available_values).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(make(1, [2.5]).check('normal_cdf', { x: 2.5 + 1e-12 }).verdict).toBe('allow');
    expect(make(1, [], [7]).check('normal_cdf', { x: 7 }).verdict).toBe('allow');
    expect(make(1, [], [], true).check('normal_cdf', { x: 7 }).verdict).toBe('allow');
    expect(new PreconditionGuard({ getBindingCount: () => 0, getBindingValues: () => new Set(), getUserLiterals: () => new Set() }).check('x', { a: 2 }).verdict).toBe('allow');
  });
});

describe('UngroundedGuard', () => {
  const setup = (mode: 'off' | 'warn' | 'block', grace = 1, literals: number[] = []) => {
    const bindings = new BindingManager();
    const guard = new UngroundedGuard({ getUserLiterals: () => new Set(literals), bindings }, { mode, graceCalls: grace });
    return { bindings, guard };
  };
  it('off / no numerics / references present → allow', () => {
    expect(setup('off').guard.check('calc', { a: 5 }).verdict).toBe('allow');
    const { guard, bindings } = setup('block', 0);
    expect(guard.check('calc', { s: 'text', flag: true, tool_name: 5 }).verdict).toBe('allow');
    bindings.bind('x', {}, 5, ['total']);
    expect(guard.check('calc', { a: 5, b: '$v1' }).verdict).toBe('allow');
    expect(guard.check('calc', { a: 5, b: '$total' }).verdict).toBe('allow');
    expect(guard.count).toBe(0);
  });
  it('[FIX] only $vN ids and aliases count as references ($money does not)', () => {
    const { guard } = setup('warn');
    expect(guard.check('calc', { a: 5, note: '$money' }).verdict).toBe('warn');
  });
  it('warn mode never blocks; message without bindings', () => {
    const { guard } = setup('warn');
    for (let i = 0; i < 3; i++) {
      const r = guard.check('calc', { a: 5 });
      expect(r.verdict).toBe('warn');
      expect(r.reason).toContain('Ungrounded call:');
      expect(r.reason).toContain('no prior computations');
    }
  });
  it('block mode with grace 1: warn then block; grace_remaining arithmetic; reset', () => {
    const { guard, bindings } = setup('block', 1);
    bindings.bind('x', {}, 9);
    const first = guard.check('calc', { a: 5, b: '6' });
    expect(first.verdict).toBe('warn');
    expect(first.details).toMatchObject({ ungrounded_count: 1, grace_remaining: 1, numeric_args: ['a=5', 'b=6'], has_bindings: true });
    expect(first.reason).toContain('Available values: $v1');
    expect(first.reason).toContain('`a`, `b`');
    expect(guard.check('calc', { a: 5 }).verdict).toBe('block');
    guard.reset();
    expect(guard.check('calc', { a: 5 }).verdict).toBe('warn');
  });
  it('grace 0 blocks immediately; user literals exempt (numbers and numeric strings)', () => {
    const { guard } = setup('block', 0, [5]);
    expect(guard.check('calc', { a: 5, b: '5' }).verdict).toBe('allow');
    expect(guard.check('calc', { a: 6 }).verdict).toBe('block');
  });
  it('deep scan, literal tolerance and exemptions', () => {
    const bindings = new BindingManager();
    const guard = new UngroundedGuard(
      { getUserLiterals: () => new Set([100]), bindings },
      { deep: true, literalTolerance: 0.01, isExempt: (t) => t === 'add' },
    );
    expect(guard.numericArgs({ a: { b: [1, 100.5] }, c: 101 })).toEqual({ 'a/b/0': 1 });
    expect(guard.check('add', { a: 3 }).verdict).toBe('allow');
    expect(guard.check('calc', { a: { b: 3 } }).verdict).toBe('warn');
  });
});

describe('result-model helpers', () => {
  const s = (over: Partial<RunawayStatus>): RunawayStatus => ({
    should_stop: true, reason: null, budget_exhausted: false, degenerate_detected: false, saturation_detected: false,
    repeat_detected: false, loop_detected: false, budget_kind: null, calls_remaining: 0, ...over,
  });
  it('runawayMessage priority', () => {
    expect(runawayMessage(s({ budget_exhausted: true, degenerate_detected: true }))).toContain('budget exhausted');
    expect(runawayMessage(s({ degenerate_detected: true }))).toContain('Degenerate');
    expect(runawayMessage(s({ saturation_detected: true }))).toContain('saturation');
    expect(runawayMessage(s({ reason: 'loop' }))).toBe('loop');
    expect(runawayMessage(s({}))).toBe('Unknown stop reason');
  });
  it('soft blocks', () => {
    const sb = { reason: 'ungrounded_args' as const, tool_name: '', arguments: {}, message: '', repair_attempts: 0, max_repairs: 3 };
    expect(softBlockCanRepair(sb)).toBe(true);
    expect(softBlockCanRepair({ ...sb, repair_attempts: 3 })).toBe(false);
    expect(softBlockNextRepairAction(sb)).toBe('rebind_from_existing');
    expect(softBlockNextRepairAction({ ...sb, reason: 'missing_refs' })).toBe('compute_missing');
    expect(softBlockNextRepairAction({ ...sb, reason: 'missing_dependency' })).toBe('compute_missing');
    expect(softBlockNextRepairAction({ ...sb, reason: 'budget_exhausted' })).toBe('ask_user');
  });
});
