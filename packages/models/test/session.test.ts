import { describe, expect, it } from 'vitest';
import {
  EventSource, EventType, HeuristicTokenCounter, InMemorySessionStore, InvalidInput, InvalidSessionOperation,
  NO_RUN_KEY, RunStatus, Session, SessionAlreadyExists, SessionEvent, SessionMetadata, SessionRun, TokenUsage,
  parentEventIdOf,
} from '@chuk/models';

const counter = new HeuristicTokenCounter();
function fakeClock(start = Date.UTC(2025, 0, 1)) {
  let t = start;
  return { clock: () => new Date(t), advance: (ms: number) => void (t += ms) };
}

describe('SessionMetadata and SessionRun', () => {
  it('metadata timestamps', () => {
    const c = fakeClock();
    const m = SessionMetadata.create({ a: 1 }, c.clock);
    expect(m.createdAt).toBe(m.updatedAt);
    c.advance(1000);
    m.setProperty('b', 2);
    expect(m.updatedAt).toBe('2025-01-01T00:00:01.000Z');
    expect(m.getProperty('b')).toBe(2);
    expect(m.removeProperty('zz')).toBe(false);
    expect(m.removeProperty('b')).toBe(true);
    expect(m.hasProperty('a')).toBe(true);
    const back = SessionMetadata.fromWire(JSON.parse(JSON.stringify(m)), { clock: c.clock });
    expect(back.toWire()).toEqual(m.toWire());
    expect(() => SessionMetadata.fromWire({ created_at: 'nope' })).toThrow(/metadata\.created_at/);
  });
  it('run lifecycle and terminal states', () => {
    const c = fakeClock();
    const r = SessionRun.create({}, { clock: c.clock });
    expect(r.status).toBe(RunStatus.Pending);
    expect(r.getDuration()).toBeNull();
    c.advance(500);
    r.markRunning();
    c.advance(1500);
    r.markFailed('bad');
    expect(r.getDuration()).toBe(1.5);
    expect(r.metadata.failure_reason).toBe('bad');
    expect(() => r.markCompleted()).toThrow(InvalidSessionOperation);
    expect(r.toDict()).toHaveProperty('ended_at');
    const p = SessionRun.create();
    p.markCancelled();
    expect(p.hasMetadata('cancel_reason')).toBe(false);
    expect(SessionRun.create().toDict()).not.toHaveProperty('ended_at');
  });
});

describe('SessionEvent', () => {
  it('defaults, tokens and metadata helpers', async () => {
    const e = new SessionEvent({ message: 'hi' });
    expect([e.source, e.type, e.parentEventId, e.tokenUsage]).toEqual([EventSource.System, EventType.Message, null, null]);
    const t = await SessionEvent.createWithTokens({ message: 'x', prompt: 'abcdefgh', completion: 'abcd', counter, taskId: 't1' });
    expect(t.tokenUsage?.totalTokens).toBe(3);
    expect(t.taskId).toBe('t1');
    await t.updateTokenUsage({ promptTokens: 10 });
    expect(t.tokenUsage?.promptTokens).toBe(10);
    expect(t.tokenUsage?.completionTokens).toBe(1);
    await e.updateTokenUsage();
    expect(e.tokenUsage).toBeNull();
    await e.updateTokenUsage({ prompt: 'abcd', counter });
    expect(e.tokenUsage?.promptTokens).toBe(1);
    e.setMetadata('a', 1);
    e.mergeMetadata({ b: 2 });
    expect(e.getMetadata('zz', 'd')).toBe('d');
    e.removeMetadata('a');
    expect(e.hasMetadata('a')).toBe(false);
    e.clearMetadata();
    expect(e.metadata).toEqual({});
    expect(() => new SessionEvent({ message: 1, source: 'ai' as never })).toThrow(InvalidInput);
  });
  it('parent links prefer the field', () => {
    const legacy = new SessionEvent({ message: 1, metadata: { parent_event_id: 'p0' } });
    expect(parentEventIdOf(legacy)).toBe('p0');
    const linked = new SessionEvent({ message: 1, parentEventId: 'p1', metadata: { parent_event_id: 'p0' } });
    expect(parentEventIdOf(linked)).toBe('p1');
    expect(linked.isChildOf('p1')).toBe(true);
    expect(parentEventIdOf(new SessionEvent({ message: 1 }))).toBeNull();
  });
  it('frozen copies refuse mutation', () => {
    const e = new SessionEvent({ message: { a: 1 } }).clone(true);
    expect(() => e.setMetadata('x', 1)).toThrow(InvalidSessionOperation);
    expect(Object.isFrozen(e.message)).toBe(true);
  });
  it('toDict omits null links; wire round trip', () => {
    const e = new SessionEvent({ message: 'm', tokenUsage: TokenUsage.create({ promptTokens: 1, model: 'gpt-4' }) });
    expect(e.toDict()).not.toHaveProperty('parent_event_id');
    expect(SessionEvent.fromWire(e.toWire())).toEqual(e);
  });
});

describe('Session', () => {
  it('events, breakdowns and state', async () => {
    const s = new Session();
    expect(s.lastUpdateTime).toBe(s.metadata.createdAt);
    s.addEvent(await SessionEvent.createWithTokens({ message: 'a', prompt: 'abcd', source: EventSource.User, counter }));
    s.addEvent(await SessionEvent.createWithTokens({ message: 'b', prompt: 'abcdabcd', source: EventSource.Llm, taskId: 'r', counter }));
    s.addEvent(new SessionEvent({ message: 'c' }));
    expect(s.totalTokens).toBe(3);
    expect(Object.keys(s.getTokenUsageBySource()).sort()).toEqual(['llm', 'user']);
    const byRun = s.getTokenUsageByRun();
    expect(byRun[NO_RUN_KEY]?.totalTokens).toBe(1);
    expect(byRun.r?.totalTokens).toBe(2);
    expect(s.appendEventOnce(s.events[0]!)).toBe(false);
    s.setState('k', 1);
    expect(s.getState('k')).toBe(1);
    expect(s.getState('zz', 2)).toBe(2);
    s.removeState('k');
    expect(s.hasState('k')).toBe(false);
    expect(await s.countMessageTokens({ content: 'abcd' }, undefined, counter)).toBe(1);
    expect(await s.countMessageTokens('abcdefgh', undefined, counter)).toBe(2);
    expect(await s.countMessageTokens(12345, undefined, counter)).toBe(2);
  });
  it('wire round trip and reference data', () => {
    const s = new Session({ properties: { user_id: 'u' } });
    s.addEvent(new SessionEvent({ message: { x: 1 }, tokenUsage: TokenUsage.create({ promptTokens: 2, model: 'gpt-4' }) }));
    const back = Session.fromWire(JSON.parse(JSON.stringify(s)));
    expect(back.toWire()).toEqual(s.toWire());
    const ref = {
      id: 'ref-1',
      metadata: { created_at: '2025-01-01T12:00:00.123456Z', updated_at: '2025-01-01T12:00:00+00:00', properties: {} },
      parent_id: null, child_ids: [], task_ids: [], runs: [], state: {},
      events: [{ id: 'e1', message: 'hi', timestamp: '2025-01-01T12:00:01', source: 'user', type: 'message', metadata: {},
        parent_event_id: null, task_id: null, token_usage: { prompt_tokens: 3, completion_tokens: 0, total_tokens: 3, model: 'gpt-4', estimated_cost_usd: null } }],
      token_summary: { total_prompt_tokens: 3, total_completion_tokens: 0, total_tokens: 3, usage_by_model: {}, total_estimated_cost_usd: 0.00009 },
    };
    const r = Session.fromWire(ref);
    expect(r.events[0]?.timestamp).toBe('2025-01-01T12:00:01.000Z');
    expect(r.events[0]?.tokenUsage?.estimatedCostUsd).toBe(0.00009);
    expect(() => Session.fromWire({ ...ref, schema_version: 2 })).toThrow(/schema_version/);
    try {
      Session.fromWire({ ...ref, events: [{ ...ref.events[0], source: 'ai' }] });
      expect.unreachable();
    } catch (e) {
      expect((e as InvalidInput).field).toBe('session.events.0.source');
    }
  });
  it('create, hierarchy and cycles', async () => {
    const store = new InMemorySessionStore();
    const root = await Session.create({ id: 'root', store });
    expect(root.revision).toBe(1);
    const child = await Session.create({ id: 'c1', parentId: 'root', store });
    await Session.create({ id: 'gc1', parentId: 'c1', store });
    await Session.create({ id: 'c2', parentId: 'root', store });
    await expect(Session.create({ id: 'c2', store })).rejects.toBeInstanceOf(SessionAlreadyExists);
    expect((await store.getHeader('root'))?.childIds).toEqual(['c1', 'c2']);
    const fresh = (await store.get('root'))!;
    expect((await fresh.descendants(store)).map((s) => s.id)).toEqual(['c1', 'gc1', 'c2']);
    const gc = (await store.get('gc1'))!;
    expect((await gc.ancestors(store)).map((s) => s.id)).toEqual(['c1', 'root']);
    // a cycle: root's parent is gc1
    const r = (await store.get('root'))!;
    r.parentId = 'gc1';
    await store.updateHeader(r.toHeader(), { expectedRevision: r.revision });
    expect((await gc.ancestors(store)).map((s) => s.id)).toEqual(['c1', 'root']);
    await child.addChild('x', store);
    await child.addChild('x', store);
    expect((await store.getHeader('c1'))?.childIds).toEqual(['gc1', 'x']);
    await child.removeChild('x', store);
    await child.removeChild('x', store);
    expect((await store.getHeader('c1'))?.childIds).toEqual(['gc1']);
    await Session.create({ id: 'orphan', parentId: 'nobody', store });
  });
});

describe('Session options', () => {
  it('keeps a given pricing table and logger through copies', async () => {
    const pricing = Object.freeze({ mine: { input: 1, output: 0 } });
    const debug: unknown[] = [];
    const logger = { debug: (o: unknown) => debug.push(o), info: () => {}, warn: () => {}, error: () => {} };
    const s = new Session({ id: 'opts', parentId: 'gone', pricing, logger });
    s.addEvent(SessionEvent.create({ message: 'x', tokenUsage: TokenUsage.create({ promptTokens: 1000, model: 'mine' }, { pricing }) }));
    expect(s.tokenSummary.usageByModel.mine?.estimatedCostUsd).toBe(1);
    expect(s.clone().getTokenUsageByRun()[NO_RUN_KEY]?.usageByModel.mine?.estimatedCostUsd).toBe(1);
    await s.registerWithParent(new InMemorySessionStore());
    expect(debug).toEqual([{ sessionId: 'opts', parentId: 'gone' }]);
    const plain = new Session({ id: 'plain' });
    plain.addEvent(SessionEvent.create({ message: 'x', tokenUsage: TokenUsage.create({ promptTokens: 1000, model: 'mine' }) }));
    expect(plain.tokenSummary.unpricedModels).toEqual(['mine']);
  });
});
