import { InMemorySessionStore, Session, SessionNotFound, ToolProcessingError } from '@chuk/models';
import type { SessionEvent } from '@chuk/models';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ToolRegistry } from '../src/execution/registry.js';
import { ToolExecutor } from '../src/execution/executor.js';
import { ToolStateManager } from '../src/guards/manager.js';
import { SessionAwareToolProcessor } from '../src/processor/processor.js';
import { runLlmToolCallRetryLoop } from '../src/processor/retry-loop.js';
import { storeToolEventSink } from '../src/processor/sink.js';
import type { ToolEventSink } from '../src/processor/sink.js';
import { ToolMemoryManager } from '../src/procedural/manager.js';
import { ToolRetryExhaustedError } from '../src/execution/errors.js';

class MemorySink implements ToolEventSink {
  readonly id = 's1';
  readonly appends: SessionEvent[][] = [];
  readonly state = new Map<string, unknown>();
  get events(): SessionEvent[] {
    return this.appends.flat();
  }
  async appendEvents(events: readonly SessionEvent[]): Promise<void> {
    this.appends.push([...events]);
  }
  async getState(key: string): Promise<unknown> {
    return this.state.get(key);
  }
  async setState(key: string, value: unknown): Promise<void> {
    this.state.set(key, value);
  }
}

const chat = (...calls: Array<[string, string, unknown]>) => ({
  role: 'assistant',
  content: null,
  tool_calls: calls.map(([id, name, args]) => ({ id, type: 'function', function: { name, arguments: typeof args === 'string' ? args : JSON.stringify(args) } })),
});

function registry(extra?: (r: ToolRegistry) => void): ToolRegistry {
  const r = new ToolRegistry();
  r.register({
    name: 'add',
    idempotent: true,
    parameters: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
    execute: (args: { a: number; b: number }) => args.a + args.b,
  });
  r.register({ name: 'lookup', sideEffect: 'read_only', execute: (args: { q?: string }) => ({ answer: args.q ?? null }) });
  extra?.(r);
  return r;
}

let n = 0;
const idGenerator = (): string => `id${++n}`;

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2025-01-01T00:00:00.000Z') });
});
afterEach(() => {
  vi.useRealTimers();
});
const settle = async <T>(p: Promise<T>): Promise<T> => {
  await vi.runAllTimersAsync();
  return p;
};

describe('SessionAwareToolProcessor', () => {
  it('options: one sink form and one executor form are required; conflicting options rejected', () => {
    expect(() => new SessionAwareToolProcessor({ registry: registry() })).toThrow(/Invalid sink/);
    expect(() => new SessionAwareToolProcessor({ sink: new MemorySink() })).toThrow(/Invalid registry/);
    const executor = new ToolExecutor({ registry: registry() });
    expect(() => new SessionAwareToolProcessor({ sink: new MemorySink(), executor, maxRetries: 1 })).toThrow(/Invalid maxRetries/);
    expect(new SessionAwareToolProcessor({ sink: new MemorySink(), executor }).sessionId).toBe('s1');
  });
  it('create: SessionNotFound for a missing session in the store form', async () => {
    const store = new InMemorySessionStore();
    await expect(SessionAwareToolProcessor.create({ store, sessionId: 'nope', registry: registry() })).rejects.toThrow(SessionNotFound);
    await expect(SessionAwareToolProcessor.create({ store, sessionId: 'nope', registry: registry() })).rejects.toThrow('Session not found: nope');
  });
  it('a message without tool calls logs exactly one parent event', async () => {
    const sink = new MemorySink();
    const p = new SessionAwareToolProcessor({ sink, registry: registry(), idGenerator });
    expect(await p.processLlmMessage({ role: 'assistant', content: 'hello' })).toEqual([]);
    expect(sink.events).toHaveLength(1);
    expect(sink.events[0]).toMatchObject({ type: 'message', source: 'llm', metadata: { tool_call_count: 0, tool_call_format: null } });
  });
  it('one call: parent + tool event with parent link, provider call id, parsed arguments, zero cost', async () => {
    const sink = new MemorySink();
    const p = new SessionAwareToolProcessor({ sink, registry: registry(), idGenerator });
    const out = await settle(p.processLlmMessageDetailed(chat(['call_1', 'add', { a: 1, b: 2 }])));
    expect(out.results[0]).toMatchObject({ result: 3, call_id: 'call_1' });
    const [parent, ev] = sink.events;
    expect(ev).toMatchObject({ type: 'tool_call', source: 'system', parentEventId: parent?.id, metadata: { parent_event_id: parent?.id, call_id: 'call_1', attempt: 1, cached: false } });
    expect(ev?.message).toMatchObject({ tool: 'add', arguments: { a: 1, b: 2 }, raw_arguments: '{"a":1,"b":2}', result: 3, result_text: '3', success: true, outcome: 'success', call_id: 'call_1', attempts: 1 });
    expect(ev?.tokenUsage?.model).toBe('tool-execution');
    expect(ev?.tokenUsage?.estimatedCostUsd).toBe(0);
    expect(ev?.tokenUsage?.promptTokens).toBeGreaterThan(0);
    expect(out.toolMessages).toEqual([{ role: 'tool', tool_call_id: 'call_1', content: '3' }]);
    expect(out.eventIds).toEqual([ev?.id]);
  });
  it('two calls in order; per-event vs batch appends', async () => {
    const sink = new MemorySink();
    const p = new SessionAwareToolProcessor({ sink, registry: registry(), idGenerator });
    await settle(p.processLlmMessage(chat(['c1', 'add', { a: 1, b: 1 }], ['c2', 'lookup', { q: 'x' }])));
    expect(sink.appends).toHaveLength(3);
    expect(sink.events.slice(1).map((e) => (e.message as { call_id: string }).call_id)).toEqual(['c1', 'c2']);
    const batchSink = new MemorySink();
    const b = new SessionAwareToolProcessor({ sink: batchSink, registry: registry(), saveMode: 'batch', idGenerator });
    await settle(b.processLlmMessage(chat(['c1', 'add', { a: 1, b: 1 }], ['c2', 'lookup', { q: 'x' }])));
    expect(batchSink.appends).toHaveLength(1);
    expect(batchSink.appends[0]).toHaveLength(3);
  });
  it('caching on: the second identical message does not execute and logs cached: true; off: executes twice; errors never cached', async () => {
    const spy = vi.fn((args: { q?: string }) => args.q);
    const reg = registry((r) => r.register({ name: 'get', sideEffect: 'read_only', execute: spy }));
    const sink = new MemorySink();
    const p = new SessionAwareToolProcessor({ sink, registry: reg, idGenerator });
    await settle(p.processLlmMessage(chat(['c1', 'get', { q: 'x' }])));
    const [r2] = await settle(p.processLlmMessage(chat(['c2', 'get', { q: 'x' }])));
    expect(spy).toHaveBeenCalledTimes(1);
    expect(r2?.cached).toBe(true);
    expect(sink.events.at(-1)?.message).toMatchObject({ cached: true });
    await p.clearCache();
    await settle(p.processLlmMessage(chat(['c3', 'get', { q: 'x' }])));
    expect(spy).toHaveBeenCalledTimes(2);
    const off = new SessionAwareToolProcessor({ sink, registry: reg, enableCaching: false });
    await settle(off.processLlmMessage(chat(['c4', 'get', { q: 'y' }])));
    await settle(off.processLlmMessage(chat(['c5', 'get', { q: 'y' }])));
    expect(spy).toHaveBeenCalledTimes(4);
  });
  it('retry then success: attempts 3, one event with attempt 3; permanent failure: failed and prefixed error', async () => {
    let k = 0;
    const reg = registry((r) => {
      r.register({ name: 'flaky', execute: () => { if (++k < 3) throw new Error(`fail ${k}`); return 'ok'; } });
      r.register({ name: 'broken', execute: () => { throw new Error('always'); } });
    });
    const sink = new MemorySink();
    const p = new SessionAwareToolProcessor({ sink, registry: reg, idGenerator, random: () => 0.5 });
    const [ok] = await settle(p.processLlmMessage(chat(['c1', 'flaky', {}])));
    expect(ok).toMatchObject({ result: 'ok', attempts: 3 });
    expect(sink.events.filter((e) => e.type === 'tool_call')).toHaveLength(1);
    expect(sink.events.at(-1)?.metadata).toMatchObject({ attempt: 3 });
    const [bad] = await settle(p.processLlmMessage(chat(['c2', 'broken', {}])));
    expect(bad?.error).toBe('Max retries reached (2): always');
    expect(sink.events.at(-1)?.metadata).toMatchObject({ failed: true, attempt: 3 });
    expect(sink.events.at(-1)?.message).toMatchObject({ success: false, outcome: 'failure', error_category: 'execution' });
  });
  it('invalid JSON arguments: validation error, tool not executed; raw mode passes {raw}', async () => {
    const spy = vi.fn(() => 'ran');
    const reg = registry((r) => r.register({ name: 'free', execute: spy }));
    const p = new SessionAwareToolProcessor({ sink: new MemorySink(), registry: reg });
    const [r] = await settle(p.processLlmMessage(chat(['c1', 'free', '{oops'])));
    expect(r?.error_info?.category).toBe('validation');
    expect(spy).not.toHaveBeenCalled();
    const raw = new SessionAwareToolProcessor({ sink: new MemorySink(), registry: reg, invalidArguments: 'raw' });
    await settle(raw.processLlmMessage(chat(['c2', 'free', '{oops'])));
    expect(spy).toHaveBeenCalledWith({ raw: '{oops' }, expect.anything());
  });
  it('internal tools are answered by the handler, logged, and never guarded or executed', async () => {
    const sink = new MemorySink();
    const state = new ToolStateManager({ limits: { tool_budget_total: 0 } });
    const handler = vi.fn(async (name: string) => (name === 'page_fault' ? { handled: true, content: '{"page":"p1"}' } : name === 'search_pages' ? { handled: true, content: '{"error":"none"}' } : { handled: false, content: '' }));
    const p = new SessionAwareToolProcessor({ sink, registry: registry(), internalTools: handler, toolState: state });
    const out = await settle(p.processLlmMessageDetailed(chat(['v1', 'page_fault', { page_id: 'p1' }], ['v2', 'search_pages', { q: 'x' }], ['c3', 'add', { a: 1, b: 2 }])));
    expect(out.results[0]).toMatchObject({ result: { page: 'p1' }, error: null, machine: 'internal' });
    expect(out.results[1]).toMatchObject({ error: 'none' });
    expect(out.results[2]?.error).toContain('budget');
    expect(state.getBudgetStatus().total.used).toBe(0);
    const events = sink.events.filter((e) => e.type === 'tool_call');
    expect(events.map((e) => e.metadata.internal ?? false)).toEqual([true, true, false]);
    expect(events[1]?.message).toMatchObject({ outcome: 'failure', success: false });
  });
  it('guard integration: blocked call gets an event with guard metadata and no execution; bindings flow', async () => {
    const spy = vi.fn((args: { x: number }) => args.x * 2);
    const reg = registry((r) => r.register({ name: 'normal_cdf', execute: spy }));
    const sink = new MemorySink();
    const state = new ToolStateManager();
    const memory = ToolMemoryManager.create('s1');
    const p = new SessionAwareToolProcessor({ sink, registry: reg, toolState: state, toolMemory: memory, emitTraceEvents: true });
    const out = await settle(p.processLlmMessageDetailed(chat(['c1', 'normal_cdf', { x: 1.5 }])));
    expect(spy).not.toHaveBeenCalled();
    expect(out.results[0]?.error).toContain('PRECONDITION_FAILED');
    const ev = sink.events.find((e) => e.type === 'tool_call');
    expect(ev?.metadata).toMatchObject({ guard: 'precondition', guard_verdict: 'block', failed: true });
    expect(memory.getRecentCalls()[0]).toMatchObject({ error_type: 'guard:precondition', outcome: 'failure' });
    expect(sink.events.some((e) => e.type === 'tool_trace')).toBe(true);
    expect(sink.state.get('procedural_memory')).toMatchObject({ session_id: 's1' });
    const second = await settle(p.processLlmMessageDetailed(chat(['c2', 'add', { a: 2, b: 3 }], ['c3', 'add', { a: '$v1', b: 1 }])));
    expect(second.results.map((r) => r.result)).toEqual([5, 6]);
    expect(second.toolMessages[0]).toMatchObject({ content: expect.stringContaining('**RESULT: $v1 = 5.000000**') });
    expect(memory.getRecentCalls({ limit: 2 }).map((e) => e.preceding_call_id)).toEqual([memory.getRecentCalls({ limit: 2 })[1]?.id, null]);
    expect(p.guardedRunner).not.toBeNull();
  });
  it('emitTraceEvents: tool_trace per recorded call and tool_fix when a failure is fixed', async () => {
    const reg = registry((r) => r.register({ name: 'picky', execute: (a: { ok: boolean }) => { if (!a.ok) throw new Error('not ok'); return 'fine'; } }));
    const sink = new MemorySink();
    const memory = ToolMemoryManager.create('s1');
    const p = new SessionAwareToolProcessor({ sink, registry: reg, toolMemory: memory, emitTraceEvents: true, maxRetries: 0 });
    await settle(p.processLlmMessage(chat(['c1', 'picky', { ok: false }])));
    await settle(p.processLlmMessage(chat(['c2', 'picky', { ok: true }])));
    expect(sink.events.filter((e) => e.type === 'tool_trace')).toHaveLength(2);
    const fix = sink.events.find((e) => e.type === 'tool_fix');
    expect(fix?.message).toEqual({ failed_call_id: 'call-0001', success_call_id: 'call-0002', delta_args: { changed: { ok: { from: false, to: true } } } });
  });
  it('output limits truncate the model text and large event results (truncated: true)', async () => {
    const reg = registry((r) => r.register({ name: 'dump', execute: () => Array.from({ length: 50 }, (_, i) => i) }));
    const sink = new MemorySink();
    const p = new SessionAwareToolProcessor({ sink, registry: reg, outputLimits: { maxArrayLength: 3, maxTokens: 5 } });
    const out = await settle(p.processLlmMessageDetailed(chat(['c1', 'dump', {}])));
    const ev = sink.events.find((e) => e.type === 'tool_call');
    expect(ev?.message).toMatchObject({ truncated: true, result: [0, 1, 2, '… 47 more items'] });
    expect((out.toolMessages[0] as { content: string }).content).toContain('[truncated');
    const off = new SessionAwareToolProcessor({ sink: new MemorySink(), registry: reg, outputLimits: false });
    const full = await settle(off.processLlmMessageDetailed(chat(['c2', 'dump', {}])));
    expect((full.toolMessages[0] as { content: string }).content).not.toContain('truncated');
  });
  it('processors are isolated (no shared cache)', async () => {
    const spy = vi.fn(() => 1);
    const reg = registry((r) => r.register({ name: 'get', idempotent: true, execute: spy }));
    const a = new SessionAwareToolProcessor({ sink: new MemorySink(), registry: reg });
    const b = new SessionAwareToolProcessor({ sink: new MemorySink(), registry: reg });
    await settle(a.processLlmMessage(chat(['c1', 'get', {}])));
    await settle(b.processLlmMessage(chat(['c2', 'get', {}])));
    expect(spy).toHaveBeenCalledTimes(2);
  });
  it('storeToolEventSink writes events and state to a SessionStore', async () => {
    const store = new InMemorySessionStore();
    const session = await Session.create({ store, id: 'sess-1' });
    const p = await SessionAwareToolProcessor.create({ store, sessionId: session.id, registry: registry(), toolMemory: ToolMemoryManager.create(session.id) });
    await settle(p.processLlmMessage(chat(['c1', 'add', { a: 1, b: 2 }])));
    const stored = await store.get(session.id);
    expect(stored?.events.map((e) => e.type)).toEqual(['message', 'tool_call']);
    expect(stored?.state.procedural_memory).toMatchObject({ session_id: 'sess-1' });
    const sink = storeToolEventSink(store, session.id);
    expect(await sink.getState('procedural_memory')).toMatchObject({ next_call_id: 2 });
    await sink.appendEvents([]);
    const missing = storeToolEventSink(store, 'nope');
    await expect(missing.getState('x')).rejects.toThrow(SessionNotFound);
  });
  it('custom stringifyResult shapes the model text', async () => {
    const sink = new MemorySink();
    const p = new SessionAwareToolProcessor({ sink, registry: registry(), stringifyResult: (v) => `<<${String(v)}>>` });
    const out = await settle(p.processLlmMessageDetailed(chat(['c1', 'add', { a: 1, b: 2 }], ['c2', 'nope', {}])));
    expect(out.toolMessages).toEqual([
      { role: 'tool', tool_call_id: 'c1', content: '<<3>>' },
      { role: 'tool', tool_call_id: 'c2', content: "Error: Tool 'nope' not found in any namespace" },
    ]);
  });
});

describe('runLlmToolCallRetryLoop', () => {
  it('succeeds on attempt k with feedback, marks the accepted attempt with a reference event', async () => {
    const sink = new MemorySink();
    const p = new SessionAwareToolProcessor({ sink, registry: registry() });
    const responses = [{ role: 'assistant', content: 'no tools' }, chat(['c1', 'add', { a: 'x', b: 1 }]), chat(['c2', 'add', { a: 1, b: 1 }])];
    const seen: number[] = [];
    const result = await settle(
      runLlmToolCallRetryLoop({
        processor: p,
        messages: [{ role: 'user', content: 'add' }],
        callLlm: async (messages, { attempt }) => (seen.push(messages.length), responses[attempt - 1]),
      }),
    );
    expect(result.attempts).toBe(3);
    expect(seen).toEqual([1, 3, 6]);
    const parents = sink.events.filter((e) => e.type === 'message');
    expect(parents.map((e) => e.metadata.llm_attempt)).toEqual([1, 2, 3]);
    const ref = sink.events.find((e) => e.type === 'reference');
    expect(ref).toMatchObject({ parentEventId: parents[2]?.id, message: { llm_attempt: 3, llm_attempt_success: true } });
    expect(result.transcript.length).toBe(8);
  });
  it('exhaustion throws ToolRetryExhaustedError; partial success and no-tool acceptance', async () => {
    const p = new SessionAwareToolProcessor({ sink: new MemorySink(), registry: registry() });
    const err = await settle(
      runLlmToolCallRetryLoop({ processor: p, messages: [], maxAttempts: 2, feedback: false, callLlm: async () => ({ content: 'nothing' }) }).catch((e: unknown) => e),
    );
    expect(err).toBeInstanceOf(ToolRetryExhaustedError);
    expect(err).toBeInstanceOf(ToolProcessingError);
    expect((err as ToolRetryExhaustedError).lastErrors).toEqual(['no tool calls in the response']);
    const partial = await settle(
      runLlmToolCallRetryLoop({ processor: p, messages: [], acceptPartialSuccess: true, callLlm: async () => chat(['c1', 'add', { a: 1, b: 1 }], ['c2', 'nope', {}]) }),
    );
    expect(partial.attempts).toBe(1);
    const noTools = await settle(runLlmToolCallRetryLoop({ processor: p, messages: [], requireToolCalls: false, callLlm: async () => ({ content: 'fine' }) }));
    expect(noTools.attempts).toBe(1);
    const failing = await settle(runLlmToolCallRetryLoop({ processor: p, messages: [], maxAttempts: 1, callLlm: async () => chat(['c1', 'nope', {}]) }).catch((e: unknown) => e));
    expect((failing as ToolRetryExhaustedError).lastErrors[0]).toContain('not found');
  });
});
