import { InvalidInput } from '@chuk/models';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { toolCall } from '../src/execution/call.js';
import { ToolExecutor } from '../src/execution/executor.js';
import { ToolRegistry } from '../src/execution/registry.js';
import { ToolStateManager } from '../src/guards/manager.js';
import { DegradeAction, TimeBudgetGuard, TimeBudgetStatus } from '../src/guards/time-budget.js';
import { GuardedToolRunner } from '../src/processor/runner.js';
import { ToolMemoryManager } from '../src/procedural/manager.js';

function manualClock(start = 1_000_000): { clock: () => Date; advance: (ms: number) => void } {
  let now = start;
  return { clock: () => new Date(now), advance: (ms) => void (now += ms) };
}

describe('TimeBudgetGuard', () => {
  it('uses the CTP defaults and rejects invalid configuration naming the field', () => {
    const g = new TimeBudgetGuard();
    expect(g.config).toEqual({
      perTurnBudgetMs: 30_000,
      perPlanBudgetMs: null,
      softBudgetRatio: 0.8,
      degradeActions: [DegradeAction.DisableRetries, DegradeAction.ReduceParallelism],
      mode: 'block',
    });
    expect(() => new TimeBudgetGuard({ softBudgetRatio: 1.5 })).toThrow(InvalidInput);
    try {
      new TimeBudgetGuard({ perTurnBudgetMs: 0 });
    } catch (e) {
      expect((e as InvalidInput).field).toBe('timeBudget.perTurnBudgetMs');
    }
    expect(() => new TimeBudgetGuard({ unknown: 1 } as never)).toThrow(InvalidInput);
  });

  it('starts the turn at the first check, warns and degrades past the soft budget, blocks past the hard one', () => {
    const t = manualClock();
    const g = new TimeBudgetGuard({ perTurnBudgetMs: 1000 }, { clock: t.clock });
    expect(g.remainingMs()).toBe(1000);
    expect(g.getState().turn_started).toBe(false);
    expect(g.check().verdict).toBe('allow');
    expect(g.getState().turn_started).toBe(true);
    t.advance(799);
    expect(g.check().verdict).toBe('allow');
    expect(g.isDegraded()).toBe(false);
    t.advance(1);
    const soft = g.check();
    expect(soft).toMatchObject({ verdict: 'warn', guard: 'time_budget', details: { elapsed_ms: 800, soft_limit_ms: 800, remaining_ms: 200 } });
    expect(soft.reason).toContain('Soft turn time budget exceeded (800ms >= 800ms)');
    expect(g.isDegraded()).toBe(true);
    expect(g.shouldDisableRetries()).toBe(true);
    expect(g.shouldReduceParallelism()).toBe(true);
    t.advance(200);
    const hard = g.check();
    expect(hard).toMatchObject({ verdict: 'block', details: { elapsed_ms: 1000, limit_ms: 1000, budget: 'turn' } });
    expect(hard.reason).toContain('Turn time budget exceeded (1000ms >= 1000ms)');
    expect(g.getState()).toMatchObject({ status: TimeBudgetStatus.HardLimit, remaining_ms: 0 });
  });

  it('warns instead of blocking in warn mode and always allows when off', () => {
    const t = manualClock();
    const warn = new TimeBudgetGuard({ perTurnBudgetMs: 100, mode: 'warn' }, { clock: t.clock });
    const off = new TimeBudgetGuard({ perTurnBudgetMs: 100, mode: 'off' }, { clock: t.clock });
    warn.startTurn();
    off.startTurn();
    t.advance(500);
    expect(warn.check().verdict).toBe('warn');
    expect(off.check().verdict).toBe('allow');
  });

  it('degrades only with the configured actions', () => {
    const t = manualClock();
    const g = new TimeBudgetGuard({ perTurnBudgetMs: 100, degradeActions: [DegradeAction.ReduceTimeout] }, { clock: t.clock });
    g.startTurn();
    t.advance(90);
    expect(g.check().details).toMatchObject({ degrade_actions: ['reduce_timeout'] });
    expect(g.shouldDisableRetries()).toBe(false);
    expect(g.shouldReduceParallelism()).toBe(false);
  });

  it('tracks a plan budget across turns; remaining time is the smaller of the two', () => {
    const t = manualClock();
    const g = new TimeBudgetGuard({ perTurnBudgetMs: 1000, perPlanBudgetMs: 1500 }, { clock: t.clock });
    g.startPlan();
    g.startTurn();
    t.advance(700);
    expect(g.remainingMs()).toBe(300);
    g.startTurn();
    t.advance(500);
    expect(g.remainingMs()).toBe(300);
    const soft = g.check();
    expect(soft.verdict).toBe('warn');
    expect(soft.reason).toContain('Soft plan time budget exceeded (1200ms >= 1200ms)');
    t.advance(300);
    const hard = g.check();
    expect(hard).toMatchObject({ verdict: 'block', details: { budget: 'plan', limit_ms: 1500 } });
    expect(g.endPlan()).toMatchObject({ plan_elapsed_ms: 1500 });
    expect(g.getState().plan_elapsed_ms).toBeNull();
    expect(g.check().verdict).toBe('warn');
  });

  it('records execution statistics, rejects invalid durations, and endTurn / reset stop the clock', () => {
    const t = manualClock();
    const g = new TimeBudgetGuard({ perTurnBudgetMs: 1000 }, { clock: t.clock });
    g.startTurn();
    g.recordExecution(120);
    g.recordExecution(30);
    expect(() => g.recordExecution(-1)).toThrow(InvalidInput);
    expect(() => g.recordExecution(Number.NaN)).toThrow(InvalidInput);
    t.advance(400);
    expect(g.endTurn()).toMatchObject({ executions: 2, total_execution_ms: 150, turn_elapsed_ms: 400, remaining_ms: 600 });
    expect(g.remainingMs()).toBe(1000);
    g.startTurn();
    t.advance(900);
    g.check();
    g.reset();
    expect(g.getState()).toEqual({
      turn_started: false,
      turn_elapsed_ms: 0,
      plan_elapsed_ms: null,
      remaining_ms: 1000,
      executions: 0,
      total_execution_ms: 0,
      status: 'ok',
      active_degrade_actions: [],
    });
  });
});

describe('ToolStateManager time budget', () => {
  it('is off by default, checked last by checkAllGuards, and restarted by resetForNewPrompt', async () => {
    expect(new ToolStateManager().timeBudgetGuard).toBeNull();
    const t = manualClock();
    const state = new ToolStateManager({ clock: t.clock, timeBudget: { perTurnBudgetMs: 1000 } });
    await state.resetForNewPrompt();
    t.advance(1000);
    const blocked = await state.checkAllGuards('compute', {});
    expect(blocked).toMatchObject({ final_verdict: 'block', stopped_at: 'time_budget' });
    await state.resetForNewPrompt();
    expect((await state.checkAllGuards('compute', {})).final_verdict).toBe('allow');
  });

  it('accepts a ready-made guard instance', () => {
    const guard = new TimeBudgetGuard({ perTurnBudgetMs: 5000 });
    expect(new ToolStateManager({ timeBudget: guard }).timeBudgetGuard).toBe(guard);
  });
});

describe('GuardedToolRunner with a time budget', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse('2025-01-01T00:00:00.000Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup(timeBudget: ConstructorParameters<typeof TimeBudgetGuard>[0], retry = {}) {
    const registry = new ToolRegistry();
    let flakyCalls = 0;
    registry.register({
      name: 'slow_step',
      execute: (a: { ms: number }) => {
        vi.setSystemTime(Date.now() + a.ms);
        return a.ms;
      },
    });
    registry.register({
      name: 'flaky',
      execute: () => {
        flakyCalls++;
        throw new Error('temporary failure');
      },
    });
    registry.register({ name: 'hang', execute: () => new Promise(() => undefined) });
    const state = new ToolStateManager({ timeBudget });
    const memory = ToolMemoryManager.create('s1');
    const executor = new ToolExecutor({ registry, retry: { baseDelayMs: 1, jitter: false, ...retry } });
    const runner = new GuardedToolRunner({ state, executor, memory });
    return { state, runner, memory, flaky: () => flakyCalls };
  }

  it('blocks calls once the turn budget is spent, records the block, and a new prompt restarts the budget', async () => {
    const { runner, state, memory } = setup({ perTurnBudgetMs: 10_000 });
    await runner.beginPrompt('run the steps');
    const first = await runner.runBatch([toolCall({ id: 'a', tool: 'slow_step', arguments: { ms: 8500 } })]);
    expect(first.calls[0]?.outcome).toBe('executed');
    expect(state.timeBudgetGuard?.getState()).toMatchObject({ executions: 1 });
    const second = await runner.runBatch([toolCall({ id: 'b', tool: 'slow_step', arguments: { ms: 2000 } })]);
    expect(second.calls[0]?.outcome).toBe('executed');
    expect(second.calls[0]?.modelText).toContain('Warning: Soft turn time budget exceeded');
    const third = await runner.runBatch([toolCall({ id: 'c', tool: 'slow_step', arguments: { ms: 1 } })]);
    expect(third.calls[0]).toMatchObject({ outcome: 'blocked', guard: { guard: 'time_budget', verdict: 'block' } });
    expect(third.calls[0]?.modelText).toContain('Turn time budget exceeded');
    expect(memory.getRecentCalls({ limit: 1 })[0]?.error_type).toBe('guard:time_budget');
    await runner.beginPrompt('again');
    const fresh = await runner.runBatch([toolCall({ id: 'd', tool: 'slow_step', arguments: { ms: 1 } })]);
    expect(fresh.calls[0]?.outcome).toBe('executed');
  });

  it('disables retries in degraded mode', async () => {
    const normal = setup({ perTurnBudgetMs: 10_000 });
    await normal.runner.beginPrompt('go');
    const retried = normal.runner.runBatch([toolCall({ id: 'f1', tool: 'flaky' })]);
    await vi.advanceTimersByTimeAsync(1000);
    await retried;
    expect(normal.flaky()).toBe(3);

    const degraded = setup({ perTurnBudgetMs: 10_000 });
    await degraded.runner.beginPrompt('go');
    await degraded.runner.runBatch([toolCall({ id: 's', tool: 'slow_step', arguments: { ms: 8100 } })]);
    const pending = degraded.runner.runBatch([toolCall({ id: 'f2', tool: 'flaky' })]);
    await vi.advanceTimersByTimeAsync(1000);
    const r = await pending;
    expect(r.calls[0]?.result.attempts).toBe(1);
    expect(degraded.flaky()).toBe(1);
  });

  it('cuts a call at the remaining turn budget', async () => {
    const { runner } = setup({ perTurnBudgetMs: 2000 });
    await runner.beginPrompt('go');
    const pending = runner.runBatch([toolCall({ id: 'h', tool: 'hang' })]);
    await vi.advanceTimersByTimeAsync(2000);
    const r = await pending;
    expect(r.calls[0]?.result.error_info?.category).toBe('timeout');
    expect(r.calls[0]?.result.error).toContain('Timeout after 2');
  });
});
