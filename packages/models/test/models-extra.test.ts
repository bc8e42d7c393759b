import { describe, expect, it } from 'vitest';
import {
  ChatMessageSchema, EventType, InMemorySessionStore, InvalidInput, PromptMessageSchema, RunStatus, Session,
  SessionEvent, SessionMetadata, SessionNotFound, SessionRun, SessionVersionConflict, StorageError,
  SummaryNoteSchema, TokenUsage, ToolCallEventMessageSchema, ToolCallMessageReadSchema, appendEventOnce,
  appendWithRetry, assertHeader, defaultBackoffMs, freezeHeader, freezeHeaderParts, headerFromWire, headerToWire, thawHeader, toolNameOf,
  updateHeaderWithRetry,
} from '@chuk/models';
import type { SessionHeader } from '@chuk/models';

describe('message payloads', () => {
  it('schemas and toolNameOf', () => {
    expect(ChatMessageSchema.parse({ role: 'user', content: 'x' })).toEqual({ role: 'user', content: 'x' });
    expect(PromptMessageSchema.safeParse({ role: 'assistant', content: null }).success).toBe(true);
    const written = ToolCallEventMessageSchema.parse({
      tool: 'calc', arguments: { a: 1 }, result: 2, result_text: '2', error: null, success: true, call_id: 'c1',
      outcome: 'success', duration_ms: 3,
    });
    expect([written.cached, written.attempts]).toEqual([false, 1]);
    expect(ToolCallEventMessageSchema.safeParse({ ...written, outcome: 'ok' }).success).toBe(false);
    expect(ToolCallMessageReadSchema.parse({ tool_name: 'old', extra: 1 })).toEqual({ tool_name: 'old', extra: 1 });
    expect(toolNameOf({ tool_name: 'old', tool: 'new' })).toBe('old');
    expect(toolNameOf({ tool: 'new' })).toBe('new');
    expect(toolNameOf({})).toBe('unknown');
    expect(toolNameOf('text')).toBe('unknown');
    expect(SummaryNoteSchema.parse({ note: 'n', by: 'x' })).toEqual({ note: 'n', by: 'x' });
  });
});

describe('SessionRun details', () => {
  it('metadata helpers, tool calls, wire', () => {
    const r = new SessionRun({ id: 'r1' });
    r.markRunning();
    r.markRunning();
    expect(r.status).toBe(RunStatus.Running);
    r.setMetadata('a', 1);
    expect(r.getMetadata('a')).toBe(1);
    expect(r.getMetadata('b', 'd')).toBe('d');
    r.removeMetadata('a');
    r.removeMetadata('zz');
    expect(r.hasMetadata('a')).toBe(false);
    r.addToolCall('e2');
    r.addToolCall('e1');
    r.addToolCall('e2');
    expect(r.toolCalls).toEqual(['e2', 'e1']);
    const s = new Session();
    for (const id of ['e1', 'x', 'e2']) s.addEvent(new SessionEvent({ id, message: id }));
    expect(r.getToolCalls(s).map((e) => e.id)).toEqual(['e1', 'e2']);
    r.markCancelled('user stop');
    expect(r.metadata.cancel_reason).toBe('user stop');
    const back = SessionRun.fromWire(JSON.parse(JSON.stringify(r)));
    expect(back.toWire()).toEqual(r.toWire());
    expect(r.clone().toWire()).toEqual(r.toWire());
    expect(() => SessionRun.fromWire({ id: 'x', status: 'in_progress' })).toThrow(/run\.status/);
  });
});

describe('headers', () => {
  const header = (): SessionHeader => {
    const s = new Session({ id: 'h1', properties: { p: { deep: 1 } } });
    s.runs.push(new SessionRun({ id: 'run-1', metadata: { m: 1 }, toolCalls: ['t'] }));
    s.childIds.push('c');
    s.taskIds.push('t');
    s.setState('k', [1]);
    return s.toHeader();
  };
  it('freeze / thaw round trip, deeply frozen', () => {
    const h = header();
    const f = freezeHeader(h, 4);
    expect(Object.isFrozen(f.properties.p)).toBe(true);
    expect(Object.isFrozen(f.runs[0]?.metadata)).toBe(true);
    const t = thawHeader(f, { eventCount: 2 });
    expect(t.revision).toBe(4);
    expect(t.eventCount).toBe(2);
    expect(headerToWire(t)).toEqual(headerToWire(h));
    t.runs[0]?.setMetadata('m', 2);
    expect(f.runs[0]?.metadata.m).toBe(1);
  });
  it('wire round trip and validation', () => {
    const h = header();
    const back = headerFromWire(JSON.parse(JSON.stringify(headerToWire(h))), { revision: 3 });
    expect(headerToWire(back)).toEqual(headerToWire(h));
    expect(back.revision).toBe(3);
    expect(() => headerFromWire({ id: 'a b' })).toThrow(InvalidInput);
    const bad = (patch: Partial<Record<keyof SessionHeader, unknown>>) => () => assertHeader({ ...h, ...patch });
    expect(() => assertHeader(null)).toThrow(/header/);
    expect(bad({ id: '' })).toThrow(/header\.id/);
    expect(bad({ metadata: {} })).toThrow(/header\.metadata/);
    expect(bad({ parentId: 5 })).toThrow(/header\.parentId/);
    expect(bad({ childIds: 'x' })).toThrow(/header\.childIds/);
    expect(bad({ taskIds: null })).toThrow(/header\.taskIds/);
    expect(bad({ runs: [{}] })).toThrow(/header\.runs/);
    expect(bad({ state: null })).toThrow(/header\.state/);
  });
  it('a session freezes its own parts and shares the ones never read with its frozen base', () => {
    const fresh = new Session({ id: 'lazy', properties: { p: 1 } });
    const f = fresh.toFrozenHeader(1);
    expect([f.childIds, f.taskIds, f.runs, f.state, f.properties]).toEqual([[], [], [], {}, { p: 1 }]);
    expect(Object.isFrozen(f) && Object.isFrozen(f.properties)).toBe(true);
    expect(fresh.childIds).toBe(fresh.childIds);
    fresh.childIds.push('c');
    expect(f.childIds).toEqual([]);
    const source = header();
    const full = Session.fromFrozen(freezeHeader(source, 2), []);
    const shared = full.toFrozenHeader(3);
    const base = freezeHeader(source, 2);
    expect(shared.revision).toBe(3);
    expect(headerToWire(thawHeader(shared))).toEqual(headerToWire(thawHeader(base)));
    full.childIds.push('d');
    const after = full.toFrozenHeader(4);
    expect(after.childIds).toEqual(['c', 'd']);
    expect(after.state).toBe(shared.state);
    expect(after.properties).toBe(shared.properties);
    expect(after.runs).toBe(shared.runs);
  });
  it('a session with a bad part is rejected naming the field, before anything is stored', () => {
    const s = new Session({ id: 'bad-part' });
    s.childIds = 'x' as never;
    expect(() => s.toFrozenHeader(1)).toThrow(/header\.childIds/);
    s.childIds = [];
    s.runs = [{}] as never;
    expect(() => s.toFrozenHeader(1)).toThrow(/header\.runs/);
    s.runs = [];
    s.state = 5 as never;
    expect(() => s.toFrozenHeader(1)).toThrow(/header\.state/);
    s.state = {};
    s.metadata = {} as never;
    expect(() => s.toFrozenHeader(1)).toThrow(/header\.metadata/);
    const parts = { id: 'x', parentId: null, metadata: null, childIds: null, taskIds: null, runs: null, state: null };
    expect(() => freezeHeaderParts(parts, null, 1)).toThrow(/header\.metadata/);
  });
});

describe('malformed input names the field', () => {
  it('session, enum, count and key', async () => {
    const field = (fn: () => unknown): string => {
      try {
        fn();
      } catch (e) {
        if (e instanceof InvalidInput) return e.field;
        throw e;
      }
      throw new Error('no error');
    };
    expect(field(() => Session.fromWire('not a session'))).toBe('session');
    expect(field(() => Session.fromWire({ id: 'x', runs: [{ id: 'r', status: 'done' }] }))).toBe('session.runs.0.status');
    expect(field(() => Session.fromWire({ id: 'x', metadata: { created_at: 'yesterday' } }))).toBe('session.metadata.created_at');
    expect(field(() => TokenUsage.create({ completionTokens: -2 }))).toBe('tokenUsage.completionTokens');
    const { validateBlobKey } = await import('@chuk/models');
    expect(field(() => validateBlobKey('../x'))).toBe('key');
  });
});

describe('SessionEvent details', () => {
  it('helpers and validation', async () => {
    const e = SessionEvent.create({ message: { content: 'hello' }, type: EventType.ToolCall, taskId: 't', parentEventId: 'p' });
    expect(e.isFrozen).toBe(false);
    e.updateMetadata('k', 'v');
    expect(e.getMetadata('k')).toBe('v');
    expect(e.isPartOfTask('t')).toBe(true);
    expect(e.isPartOfTask('u')).toBe(false);
    expect(e.toDict()).toMatchObject({ parent_event_id: 'p', task_id: 't' });
    expect(JSON.parse(JSON.stringify(e))).toEqual(e.toWire());
    const withUsage = new SessionEvent({ message: 'x', tokenUsage: TokenUsage.create({ promptTokens: 9 }) });
    expect(await withUsage.calculateTokens()).toBe(9);
    expect(await e.calculateTokens('gpt-4')).toBeGreaterThan(0);
    expect(() => new SessionEvent({ message: 1, type: 'chat' as never })).toThrow(/type/);
    expect(() => new SessionEvent({ message: 1, id: '' })).toThrow(/id/);
    expect(() => SessionEvent.fromWire({ id: 'x', message: 1, token_usage: { prompt_tokens: -1 } })).toThrow(/event\.token_usage\.prompt_tokens/);
    const typed = SessionEvent.fromWire({ id: 'x', message: { n: 1 } }, { messageSchema: ToolCallMessageReadSchema });
    expect(typed.message).toEqual({ n: 1 });
  });
});

describe('Session details', () => {
  it('getters, clone, runs and event index', async () => {
    let t = Date.UTC(2025, 0, 1);
    const clock = () => new Date(t);
    const s = new Session({ clock });
    const run = new SessionRun({ clock });
    run.markRunning();
    s.runs.push(new SessionRun({ status: RunStatus.Completed }), run, new SessionRun());
    expect(s.activeRun).toBe(run);
    expect(new Session().activeRun).toBeNull();
    t += 5000;
    s.addEvent(new SessionEvent({ id: 'a', message: 1, timestamp: '2025-01-01T00:00:09.000Z' }));
    s.addEvent(new SessionEvent({ id: 'b', message: 1, timestamp: '2025-01-01T00:00:03.000Z', tokenUsage: TokenUsage.create({ promptTokens: 1000, model: 'gpt-4' }) }));
    expect(s.lastUpdateTime).toBe('2025-01-01T00:00:09.000Z');
    expect(s.metadata.updatedAt).toBe('2025-01-01T00:00:05.000Z');
    expect(s.hasEvent('a')).toBe(true);
    expect(s.totalCost).toBe(0.03);
    expect(appendEventOnce(s, new SessionEvent({ id: 'a', message: 2 }))).toBe(false);
    expect(appendEventOnce(s, new SessionEvent({ id: 'c', message: 2 }))).toBe(true);
    const c = s.clone();
    expect(c.toWire()).toEqual(s.toWire());
    c.setState('x', 1);
    expect(s.hasState('x')).toBe(false);
  });
  it('addEventAndSave leaves the instance unchanged when the append fails', async () => {
    const store = new InMemorySessionStore();
    const s = new Session({ id: 'not-stored' });
    await expect(s.addEventAndSave(new SessionEvent({ message: 1 }), store)).rejects.toBeInstanceOf(SessionNotFound);
    expect(s.events).toHaveLength(0);
    await store.create(s.toHeader());
    await s.addEventAndSave(new SessionEvent({ message: 1 }), store);
    expect(s.events).toHaveLength(1);
    expect((await store.get('not-stored'))?.events).toHaveLength(1);
  });
  it('snapshots from a frozen header copy lazily and independently', async () => {
    const store = new InMemorySessionStore();
    const src = new Session({ id: 'lazy' });
    src.runs.push(new SessionRun({ id: 'r' }));
    src.taskIds.push('t1');
    await store.create(src.toHeader());
    const a = (await store.get('lazy'))!;
    a.runs[0]?.markRunning();
    a.taskIds.push('t2');
    a.state = { replaced: true };
    a.metadata = new SessionMetadata();
    a.childIds = ['c'];
    const b = (await store.get('lazy'))!;
    expect(b.runs[0]?.status).toBe(RunStatus.Pending);
    expect(b.taskIds).toEqual(['t1']);
    expect(b.state).toEqual({});
    expect(b.childIds).toEqual([]);
  });
  it('ancestors depth limit and missing links', async () => {
    const store = new InMemorySessionStore();
    await Session.create({ id: 'p0', store });
    await Session.create({ id: 'p1', parentId: 'p0', store });
    const leaf = await Session.create({ id: 'p2', parentId: 'p1', store });
    expect((await leaf.ancestors(store, { maxDepth: 1 })).map((x) => x.id)).toEqual(['p1']);
    await store.delete('p0');
    expect((await leaf.ancestors(store)).map((x) => x.id)).toEqual(['p1']);
    const p1 = (await store.get('p1'))!;
    p1.childIds.push('gone', 'p2');
    expect((await p1.descendants(store)).map((x) => x.id)).toEqual(['p2']);
  });
});

describe('retry helpers and memory store edges', () => {
  it('updateHeaderWithRetry gives up after maxAttempts and skips unchanged', async () => {
    const conflict = new SessionVersionConflict({ sessionId: 's', kind: 'revision', expected: 1, actual: 2 });
    const base = new Session({ id: 's' });
    const store = {
      getHeader: async () => base.toHeader(),
      updateHeader: async () => Promise.reject(conflict),
    };
    await expect(updateHeaderWithRetry(store, new Session({ id: 's' }), () => true, { maxAttempts: 2, backoffMs: () => 1 })).rejects.toBe(conflict);
    await updateHeaderWithRetry(store, new Session({ id: 's' }), () => false);
    const gone = { getHeader: async () => null, updateHeader: async () => Promise.reject(conflict) };
    await expect(updateHeaderWithRetry(gone, new Session({ id: 's' }), () => true, { backoffMs: () => 0 })).rejects.toBeInstanceOf(SessionNotFound);
    expect(defaultBackoffMs(1)).toBe(0);
    expect(defaultBackoffMs(2)).toBeGreaterThanOrEqual(10);
    expect(defaultBackoffMs(4)).toBeGreaterThanOrEqual(40);
  });
  it('appendWithRetry rethrows after maxAttempts and passes expectedCount', async () => {
    const seen: unknown[] = [];
    const failing = {
      append: async (_id: string, _e: readonly SessionEvent[], o?: { expectedCount?: number }) => {
        seen.push(o);
        throw new StorageError({ operation: 'append' });
      },
    };
    await expect(appendWithRetry(failing, 's', [], { maxAttempts: 2, backoffMs: () => 0, expectedCount: 3 })).rejects.toBeInstanceOf(StorageError);
    expect(seen).toEqual([{ expectedCount: 3 }, { expectedCount: 3 }]);
  });
  it('validates arguments and purges expired sessions', async () => {
    expect(() => new InMemorySessionStore({ ttlSeconds: 0 })).toThrow(InvalidInput);
    let now = 0;
    const store = new InMemorySessionStore({ ttlSeconds: 1, clock: () => new Date(now) });
    await store.create(new Session({ id: 'a' }));
    await store.create(new Session({ id: 'b' }));
    expect(store.size).toBe(2);
    await expect(store.readEvents('a', { from: -1 })).rejects.toBeInstanceOf(InvalidInput);
    await expect(store.readEvents('a', { limit: 1.5 })).rejects.toBeInstanceOf(InvalidInput);
    await expect(store.append('a', [], { expectedCount: -1 })).rejects.toBeInstanceOf(InvalidInput);
    await expect(store.append('a', [JSON.parse('{"id":"x"}') as SessionEvent])).rejects.toThrow(/events\.0/);
    await expect(store.extendTtl('a', Number.NaN)).rejects.toBeInstanceOf(InvalidInput);
    expect(store.purgeExpired()).toBe(0);
    now = 5000;
    expect(store.purgeExpired()).toBe(2);
    expect(store.size).toBe(0);
    expect((await store.getStats()).details).toEqual({ encoding: 'object', ttlSeconds: 1 });
    expect(await new InMemorySessionStore().extendTtl('x', 1)).toBe(false);
    await store.close();
  });
});
