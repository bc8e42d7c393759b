import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { toolCall } from '../src/execution/call.js';
import { ToolExecutor } from '../src/execution/executor.js';
import { ToolRegistry } from '../src/execution/registry.js';
import { ToolStateManager } from '../src/guards/manager.js';
import type { RuntimeLimitsInput } from '../src/guards/limits.js';
import { GuardedToolRunner } from '../src/processor/runner.js';
import { UnresolvedReferenceGuard } from '../src/guards/unresolved.js';
import { ToolMemoryManager } from '../src/procedural/manager.js';

let seq = 0;
const call = (tool: string, args: Record<string, unknown> = {}, parse_error: string | null = null) => toolCall({ id: `c${++seq}`, tool, arguments: args, parse_error });

function setup(limits: RuntimeLimitsInput = {}, runner: Partial<ConstructorParameters<typeof GuardedToolRunner>[0]> = {}) {
  const registry = new ToolRegistry();
  registry.register({ name: 'add', idempotent: true, execute: (a: { a: number; b: number }) => a.a + a.b });
  registry.register({ name: 'multiply', idempotent: true, execute: (a: { a: number; b: number }) => a.a * a.b });
  registry.register({ name: 'compute', execute: (a: { x: number }) => a.x * 10 });
  registry.register({ name: 'text', execute: () => 'hello' });
  registry.register({ name: 'fails', execute: () => { throw new Error('nope'); } });
  registry.register({ name: 'poll', polling: true, execute: () => 'status' });
  registry.register({ name: 'opt', parameters: { type: 'object', properties: { v: { type: ['number', 'null'] } } }, execute: () => 'ok' });
  registry.register({ name: 'list_tools', execute: () => ({ results: [{ name: 'compute' }] }) });
  registry.register({ name: 'normal_cdf', execute: (a: { x: number }) => a.x / 2 });
  registry.register({ name: 'zero', execute: () => 0 });
  const state = new ToolStateManager({ limits });
  const executor = new ToolExecutor({ registry, retry: false });
  return { state, runner: new GuardedToolRunner({ state, executor, ...runner }), registry };
}

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2025-01-01T00:00:00.000Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('GuardedToolRunner', () => {
  it('executes, binds results as $vN, and resolves references with their real type', async () => {
    const { runner, state } = setup();
    await runner.beginPrompt('add 2 and 3, then multiply by 4');
    const first = await runner.runBatch([call('add', { a: 2, b: 3 })]);
    expect(first.calls[0]).toMatchObject({ outcome: 'executed', binding: { id: 'v1', raw_value: 5 } });
    expect(first.calls[0]?.modelText).toBe('5\n**RESULT: $v1 = 5.000000**');
    const second = await runner.runBatch([call('multiply', { a: '$v1', b: 4 })]);
    expect(second.calls[0]?.resolvedArgs).toEqual({ a: 5, b: 4 });
    expect(second.calls[0]?.result.result).toBe(20);
    expect(state.getBinding('v1')?.used).toBe(true);
    const t = await runner.runBatch([call('text')]);
    expect(t.calls[0]?.modelText).toContain('**RESULT: $v3 = "hello"**');
  });
  it('blocks missing references, null arguments (unless the schema allows null), and reports why', async () => {
    const { runner } = setup();
    await runner.beginPrompt('x');
    const r = await runner.runBatch([call('compute', { x: '$v9' }), call('compute', { x: null }), call('opt', { v: null })]);
    expect(r.calls.map((c) => c.outcome)).toEqual(['blocked', 'blocked', 'executed']);
    expect(r.calls[0]?.modelText).toContain('**Blocked**: Missing references: $v9');
    expect(r.calls[0]?.result.error_info?.details.guard).toBe('references');
    expect(r.calls[1]?.modelText).toContain('INVALID_ARGS');
  });
  it('ungrounded call: warn mode proceeds with a warning; block mode repairs from an equal binding (recorded)', async () => {
    const warn = setup();
    await warn.runner.beginPrompt('compute something');
    const w = await warn.runner.runBatch([call('compute', { x: 7 })]);
    expect(w.calls[0]?.outcome).toBe('executed');
    expect(w.calls[0]?.modelText).toContain('Warning: Ungrounded call');

    const strict = setup({ require_bindings: 'block', ungrounded_grace_calls: 0 });
    await strict.runner.beginPrompt('start with 2 and 3');
    await strict.runner.runBatch([call('add', { a: 2, b: 3 })]);
    const repaired = await strict.runner.runBatch([call('compute', { x: 5 })]);
    expect(repaired.calls[0]).toMatchObject({ outcome: 'repaired', repairedFrom: { x: 5 }, resolvedArgs: { x: 5 } });
    const none = await strict.runner.runBatch([call('compute', { x: 99 })]);
    expect(none.calls[0]?.outcome).toBe('fallback');
    expect(none.calls[0]?.modelText).toContain('Cannot auto-repair');
    const noRepair = setup({ require_bindings: 'block', ungrounded_grace_calls: 0 }, { autoRepair: false });
    await noRepair.runner.beginPrompt('none');
    const blocked = await noRepair.runner.runBatch([call('compute', { x: 3 })]);
    expect(blocked.calls[0]?.modelText).toContain('arguments require computed values');
  });
  it('parameterized tools go through preconditions', async () => {
    const { runner } = setup();
    await runner.beginPrompt('what is the cdf');
    const r = await runner.runBatch([call('normal_cdf', { x: 1.5 })]);
    expect(r.calls[0]?.result.error).toContain('PRECONDITION_FAILED');
    await runner.runBatch([call('add', { a: 1, b: 0.5 })]);
    const ok = await runner.runBatch([call('normal_cdf', { x: 1.5 })]);
    expect(ok.calls[0]?.outcome).toBe('executed');
  });
  it('per-tool limits and budgets block; warnings surface', async () => {
    const { runner } = setup({ per_tool_cap: 2, execution_budget: 3 });
    await runner.beginPrompt('go 1 2 3 4');
    const r1 = await runner.runBatch([call('compute', { x: 1 }), call('compute', { x: 2 }), call('compute', { x: 3 })]);
    expect(r1.calls.map((c) => c.outcome)).toEqual(['executed', 'executed', 'blocked']);
    expect(r1.calls[1]?.modelText).toContain('Warning:');
    expect(r1.calls[2]?.modelText).toContain('Tool call limit reached');
    await runner.runBatch([call('text')]);
    const stop = await runner.runBatch([call('text')]);
    expect(stop.stopped).toBe(true);
    expect(stop.stopMessage).toContain('**Execution budget exhausted**');
    expect(stop.calls[0]?.result.error_info?.details.guard).toBe('stop');
  });
  it('budget check per call blocks when a batch overruns it', async () => {
    const { runner } = setup({ execution_budget: 1 });
    await runner.beginPrompt('x');
    const r = await runner.runBatch([call('text'), call('fails')]);
    expect(r.calls[1]?.modelText).toContain('Execution budget exhausted');
  });
  it('discovery budget stop message and discovered tools', async () => {
    const { runner, state } = setup({ discovery_budget: 1 });
    await runner.beginPrompt('find tools');
    await runner.runBatch([call('list_tools')]);
    expect(state.isToolDiscovered('compute')).toBe(true);
    const r = await runner.runBatch([call('list_tools', { page: 2 })]);
    expect(r.stopMessage).toContain('**Discovery budget exhausted**');
  });
  it('runaway: repeated identical calls are served from cache then blocked as a loop; degenerate results stop', async () => {
    const { runner } = setup({}, { maxConsecutiveDuplicates: 10 });
    await runner.beginPrompt('1 2');
    const outcomes: string[] = [];
    let last = '';
    for (let i = 0; i < 4; i++) {
      const r = await runner.runBatch([call('add', { a: 1, b: 2 })]);
      outcomes.push(r.calls[0]?.outcome ?? '');
      last = r.calls[0]?.modelText ?? '';
    }
    expect(outcomes).toEqual(['executed', 'cached', 'cached', 'blocked']);
    expect(last).toContain('Repeated identical call');
    const deg = setup();
    await deg.runner.beginPrompt('zero');
    await deg.runner.runBatch([call('zero')]);
    await deg.runner.runBatch([call('zero', { again: 1 })]);
    const stop = await deg.runner.runBatch([call('text')]);
    expect(stop.stopped).toBe(true);
    expect(stop.stopMessage).toContain('Numeric saturation detected');
  });
  it('ping-pong between two tools is blocked', async () => {
    const { runner } = setup();
    await runner.beginPrompt('ping pong 1');
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await runner.runBatch([i % 2 === 0 ? call('text', { s: 'a' }) : call('compute', { x: 1 })]);
      outcomes.push(r.calls[0]?.outcome ?? '');
    }
    expect(outcomes).toEqual(['executed', 'executed', 'executed', 'executed', 'blocked']);
  });
  it('duplicate batches stop after maxConsecutiveDuplicates, polling tools exempt', async () => {
    const { runner } = setup({}, { maxConsecutiveDuplicates: 2 });
    await runner.beginPrompt('x');
    await runner.runBatch([call('poll')]);
    await runner.runBatch([call('poll')]);
    expect((await runner.runBatch([call('poll')])).stopped).toBe(false);
    await runner.runBatch([call('text', { k: 1 })]);
    await runner.runBatch([call('text', { k: 1 })]);
    const r = await runner.runBatch([call('text', { k: 1 })]);
    expect(r.stopped).toBe(true);
    expect(r.stopMessage).toContain('same tool calls were requested');
  });
  it('unused results: warn attaches a note; block-next-tool blocks once', async () => {
    const warn = setup({ unused_results: 'warn' });
    await warn.runner.beginPrompt('x');
    await warn.runner.runBatch([call('text')]);
    const w = await warn.runner.runBatch([call('text', { again: true })]);
    expect(w.calls[0]?.modelText).toContain('Unused tool results: $v1');
    const block = setup({ unused_results: 'block-next-tool' });
    await block.runner.beginPrompt('x');
    await block.runner.runBatch([call('text')]);
    const b = await block.runner.runBatch([call('text', { n: 2 })]);
    expect(b.calls[0]?.outcome).toBe('blocked');
    const again = await block.runner.runBatch([call('text', { n: 3 })]);
    expect(again.calls[0]?.outcome).toBe('executed');
  });
  it('errors and parse errors, memory recording, bindResults modes', async () => {
    const memory = ToolMemoryManager.create('s');
    const { runner } = setup({ unused_results: 'off' }, { memory, bindResults: 'numeric', dedupeMessage: false });
    await runner.beginPrompt('3');
    const r = await runner.runBatch([call('fails'), call('compute', {}, 'arguments are not valid JSON'), call('text'), call('add', { a: 1, b: 2 })]);
    expect(r.calls.map((c) => c.outcome)).toEqual(['error', 'error', 'executed', 'executed']);
    expect(r.calls[0]?.modelText).toBe('Error: nope');
    expect(r.calls[2]?.binding).toBeNull();
    expect(r.calls[3]?.binding?.id).toBe('v1');
    const cached = await runner.runBatch([call('add', { a: 1, b: 2 })]);
    expect(cached.calls[0]?.modelText).toBe('3');
    expect(memory.getStats().total_calls).toBe(4);
    expect(memory.getRecentCalls({ limit: 4 }).map((e) => e.outcome)).toEqual(['success', 'success', 'failure', 'failure']);
    const none = setup({}, { bindResults: 'none' });
    await none.runner.beginPrompt('');
    expect((await none.runner.runBatch([call('text')])).calls[0]?.binding).toBeNull();
  });
  it('unresolved placeholders left after resolution warn, then block', async () => {
    const { runner } = setup({}, { unresolvedGuard: new UnresolvedReferenceGuard({ mode: 'block', graceCalls: 1 }) });
    await runner.beginPrompt('x');
    const first = await runner.runBatch([call('text', { s: '{{city}}' })]);
    expect(first.calls[0]?.modelText).toContain('Warning: Unresolved placeholders');
    const second = await runner.runBatch([call('text', { s: '<API_KEY>' })]);
    expect(second.calls[0]?.outcome).toBe('blocked');
    expect(second.calls[0]?.result.error_info?.details.guard).toBe('unresolved_reference');
  });
  it('stops with a generic message for other runaway reasons', async () => {
    const { runner, state } = setup();
    await runner.beginPrompt('x');
    for (const v of [0.5, 0.5, 0.5]) await state.recordNumericResult(v);
    state.runawayGuard!.restore({ recent_values: [0.5, 0.5, 0.5], degenerate_streak: 0, recent_calls: [] });
    const r = await runner.runBatch([call('text')]);
    expect(r.stopMessage).toContain('Numeric saturation detected');
    const s2 = setup({ tool_budget_total: 1, execution_budget: 5 });
    await s2.runner.beginPrompt('');
    await s2.runner.runBatch([call('text')]);
    expect((await s2.runner.runBatch([call('list_tools')])).stopMessage).toContain('**Tool budget exhausted**');
  });
});
