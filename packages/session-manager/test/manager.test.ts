import type { SessionStore } from '@chuk/models';
import {
  EventSource,
  EventType,
  InMemorySessionStore,
  InvalidInput,
  MessageRole,
  SessionAlreadyExists,
  StorageError,
} from '@chuk/models';
import { describe, expect, it, vi } from 'vitest';
import { SessionManager } from '../src/manager/session-manager.js';
import { fakeClock, makeManager, memoryLogger, sequentialIds, wordCounter } from './helpers.js';

describe('construction and initialisation', () => {
  it('does no I/O in the constructor and pre-generates a UUID', async () => {
    const store = new InMemorySessionStore();
    const get = vi.spyOn(store, 'get');
    const create = vi.spyOn(store, 'create');
    const manager = new SessionManager({ store });
    expect(get).not.toHaveBeenCalled();
    expect(create).not.toHaveBeenCalled();
    const id = manager.sessionId;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(manager.sessionId).toBe(id);
    await manager.ensureInitialized();
    expect(manager.sessionId).toBe(id);
    expect(await store.exists(id)).toBe(true);
    expect(manager.loadedFromStorage).toBe(false);
  });

  it('initialises once under concurrent first calls', async () => {
    const store = new InMemorySessionStore();
    const create = vi.spyOn(store, 'create');
    const manager = new SessionManager({ store, counter: wordCounter });
    await Promise.all([manager.userSays('a'), manager.userSays('b'), manager.getStats()]);
    expect(create).toHaveBeenCalledTimes(1);
    expect((await manager.getStats()).userMessages).toBe(2);
  });

  it('rejects invalid options with InvalidInput naming the field', () => {
    expect(() => new SessionManager({ tokenThreshold: -1 })).toThrow(InvalidInput);
    try {
      new SessionManager({ sessionId: 'bad id' });
    } catch (error) {
      expect((error as InvalidInput).field).toContain('sessionId');
    }
  });

  it('creates a missing session with the given id and loads an existing one', async () => {
    const { manager, store } = makeManager({ sessionId: 'my-session', metadata: { user_id: 'u1', nested: { a: [1] } } });
    await manager.userSays('hello');
    const reopened = new SessionManager({ store, sessionId: 'my-session', metadata: { ignored: true } });
    const session = await reopened.getSession();
    expect(reopened.loadedFromStorage).toBe(true);
    expect(session.events).toHaveLength(1);
    expect(session.metadata.properties).toEqual({ user_id: 'u1', nested: { a: [1] } });
  });

  it('rethrows a load error by default and recreates with onLoadError: recreate', async () => {
    const store = new InMemorySessionStore();
    await new SessionManager({ store, sessionId: 's1', counter: wordCounter }).userSays('kept?');
    vi.spyOn(store, 'get').mockRejectedValueOnce(new Error('corrupt'));
    const strict = new SessionManager({ store, sessionId: 's1', counter: wordCounter });
    const error = await strict.userSays('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toContain('corrupt');

    const logger = memoryLogger();
    vi.spyOn(store, 'get').mockRejectedValueOnce(new Error('corrupt'));
    const lenient = new SessionManager({ store, sessionId: 's1', onLoadError: 'recreate', logger, counter: wordCounter });
    await lenient.userSays('fresh');
    expect((await lenient.getSession()).events).toHaveLength(1);
    expect(logger.records.some((r) => r.level === 'error')).toBe(true);
  });

  it('loads the session a concurrent creator created first', async () => {
    const store = new InMemorySessionStore();
    const realGet = store.get.bind(store);
    let first = true;
    vi.spyOn(store, 'get').mockImplementation(async (id: string) => {
      if (first) {
        first = false;
        await new SessionManager({ store, sessionId: id }).userSays('other');
        return null;
      }
      return realGet(id);
    });
    const manager = new SessionManager({ store, sessionId: 'race' });
    await manager.userSays('mine');
    expect(manager.loadedFromStorage).toBe(true);
    expect((await manager.getConversation()).map((t) => t.content)).toEqual(['other', 'mine']);
  });

  it('propagates SessionAlreadyExists when the session vanished again', async () => {
    const store = new InMemorySessionStore();
    vi.spyOn(store, 'create').mockRejectedValue(new SessionAlreadyExists({ sessionId: 'x' }));
    const manager = new SessionManager({ store, sessionId: 'x' });
    await expect(manager.ensureInitialized()).rejects.toBeInstanceOf(SessionAlreadyExists);
  });
});

describe('recording', () => {
  it('records user, assistant and tool events with metadata', async () => {
    const { manager } = makeManager({ idGenerator: sequentialIds() });
    await manager.userSays('What is the weather?', { channel: 'web' });
    await manager.aiResponds('Let me check.', { model: 'gpt-4o', provider: 'openai', metadata: { provider: 'override', extra: 1 } });
    await manager.toolUsed('weather', { city: 'Paris' }, { temp: 21 });
    await manager.toolUsed('weather', { city: 'Nowhere' }, null, { error: 'not found', parentEventId: null });
    const session = await manager.getSession();
    const [user, ai, tool, failed] = session.events;
    expect(user?.source).toBe(EventSource.User);
    expect(user?.metadata).toEqual({ channel: 'web' });
    expect(user?.tokenUsage?.promptTokens).toBe(4);
    expect(user?.tokenUsage?.model).toBe('gpt-4o-mini');
    expect(ai?.source).toBe(EventSource.Llm);
    expect(ai?.metadata).toMatchObject({ model: 'gpt-4o', provider: 'override', extra: 1, usage_source: 'counted' });
    expect(ai?.metadata.timestamp).toBe(ai?.timestamp);
    expect(ai?.tokenUsage?.completionTokens).toBe(3);
    expect(ai?.tokenUsage?.model).toBe('gpt-4o');
    expect(tool?.type).toBe(EventType.ToolCall);
    expect(tool?.source).toBe(EventSource.System);
    expect(tool?.parentEventId).toBe(ai?.id);
    expect(tool?.message).toMatchObject({ tool: 'weather', arguments: { city: 'Paris' }, result: { temp: 21 }, result_text: '{"temp":21}', error: null, success: true, outcome: 'success', cached: false, attempts: 1 });
    expect(tool?.tokenUsage).toBeNull();
    expect(failed?.parentEventId).toBeNull();
    expect(failed?.message).toMatchObject({ result: null, result_text: 'null', error: 'not found', success: false, outcome: 'failure' });
  });

  it('records provider-reported usage instead of counting', async () => {
    const { manager } = makeManager();
    await manager.aiResponds('short', {
      model: 'gpt-4o',
      usage: { inputTokens: 1200, outputTokens: 300, cachedInputTokens: 1000, reasoningTokens: 100 },
    });
    await manager.aiResponds('other', { model: 'gpt-4o', usage: { promptTokens: 10, completionTokens: 5, totalTokens: 20 } });
    const [first, second] = (await manager.getSession()).events;
    expect(first?.tokenUsage).toMatchObject({ promptTokens: 1200, completionTokens: 300, cachedPromptTokens: 1000, reasoningTokens: 100 });
    expect(first?.metadata.usage_source).toBe('provider');
    expect(second?.tokenUsage?.totalTokens).toBe(20);
    const stats = await manager.getStats();
    expect(stats.promptTokens).toBe(1210);
    expect(stats.cachedInputTokens).toBe(1000);
    expect(stats.reasoningTokens).toBe(100);
    expect(stats.usageByModel['gpt-4o']?.promptTokens).toBe(1210);
    await expect(manager.aiResponds('x', { usage: { promptTokens: -1 } })).rejects.toBeInstanceOf(InvalidInput);
  });

  it('accepts empty and unicode messages verbatim', async () => {
    const { manager } = makeManager();
    await manager.userSays('');
    await manager.userSays('héllo 世界 🎉');
    const [empty, unicode] = (await manager.getSession()).events;
    expect(empty?.tokenUsage?.promptTokens).toBe(0);
    expect(unicode?.message).toBe('héllo 世界 🎉');
  });

  it('rejects non-string messages and empty tool names', async () => {
    const { manager } = makeManager();
    await expect(manager.userSays(42 as unknown as string)).rejects.toBeInstanceOf(InvalidInput);
    await expect(manager.aiResponds(null as unknown as string)).rejects.toBeInstanceOf(InvalidInput);
    await expect(manager.toolUsed('', {}, 1)).rejects.toBeInstanceOf(InvalidInput);
    await expect(manager.updateSystemPrompt(1 as unknown as string)).rejects.toBeInstanceOf(InvalidInput);
  });

  it('appends each message as one event and never rewrites the session', async () => {
    const store = new InMemorySessionStore();
    const append = vi.spyOn(store, 'append');
    const updateHeader = vi.spyOn(store, 'updateHeader');
    const get = vi.spyOn(store, 'get');
    const manager = new SessionManager({ store, counter: wordCounter });
    for (let i = 0; i < 10; i++) await manager.userSays(`m${i}`);
    expect(append).toHaveBeenCalledTimes(10);
    for (const call of append.mock.calls) expect(call[1]).toHaveLength(1);
    expect(updateHeader).not.toHaveBeenCalled();
    expect(get).toHaveBeenCalledTimes(1);
  });

  it('leaves no phantom event when the store rejects an append', async () => {
    const store = new InMemorySessionStore();
    const manager = new SessionManager({ store, counter: wordCounter });
    await manager.userSays('first');
    vi.spyOn(store, 'append').mockRejectedValueOnce(new SessionAlreadyExists({ sessionId: 'weird', message: 'disk full' }));
    await expect(manager.userSays('second')).rejects.toThrow('disk full');
    expect((await manager.getSession()).events).toHaveLength(1);
    expect((await manager.getStats()).userMessages).toBe(1);
  });

  it('wraps plain store errors in StorageError with the original message', async () => {
    const store = new InMemorySessionStore();
    const manager = new SessionManager({ store, counter: wordCounter });
    await manager.ensureInitialized();
    vi.spyOn(store, 'append').mockRejectedValue(new TypeError('socket closed'));
    const error = await manager.userSays('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).message).toContain('socket closed');
    expect((error as StorageError).cause).toBeInstanceOf(TypeError);
  });
});

describe('two managers on one session', () => {
  it('lose nothing when interleaving appends', async () => {
    const store = new InMemorySessionStore();
    const a = new SessionManager({ store, sessionId: 'shared', counter: wordCounter });
    const b = new SessionManager({ store, sessionId: 'shared', counter: wordCounter });
    const writes: Promise<string>[] = [];
    for (let i = 0; i < 10; i++) {
      writes.push(a.userSays(`a${i}`));
      writes.push(b.aiResponds(`b${i}`));
    }
    await Promise.all(writes);
    const stored = await store.get('shared');
    expect(stored?.events).toHaveLength(20);
    expect(new Set(stored?.events.map((e) => e.id)).size).toBe(20);
    // each manager catches up with the other's events on its next append
    await a.userSays('last');
    const stats = await a.getStats();
    expect(stats.totalEvents).toBe(21);
    expect(stats.userMessages).toBe(11);
    expect(stats.aiMessages).toBe(10);
    expect(stats.totalTokens).toBe((await store.get('shared'))?.totalTokens);
  });

  it('five concurrent userSays on one manager record five events', async () => {
    const { manager, store } = makeManager();
    await Promise.all([1, 2, 3, 4, 5].map((i) => manager.userSays(`m${i}`)));
    expect((await store.get(manager.sessionId))?.events).toHaveLength(5);
  });
});

describe('system prompt and messages for the LLM', () => {
  it('sends the system prompt first, verbatim, and omits a blank one', async () => {
    const { manager } = makeManager({ systemPrompt: 'You are\n  helpful.' });
    await manager.userSays('hi');
    await manager.aiResponds('hello');
    await manager.toolUsed('t', {}, 1);
    expect(await manager.getMessagesForLlm()).toEqual([
      { role: MessageRole.System, content: 'You are\n  helpful.' },
      { role: MessageRole.User, content: 'hi' },
      { role: MessageRole.Assistant, content: 'hello' },
    ]);
    expect(await manager.getMessagesForLlm({ includeSystem: false })).toHaveLength(2);
    await manager.updateSystemPrompt('   ');
    expect((await manager.getMessagesForLlm())[0]?.role).toBe(MessageRole.User);
  });

  it('stores the prompt in properties, before and after init, and adopts it on reopen', async () => {
    const store = new InMemorySessionStore();
    const manager = new SessionManager({ store, sessionId: 'sp' });
    await manager.updateSystemPrompt('before init');
    await manager.userSays('x');
    expect((await store.getHeader('sp'))?.metadata.properties.system_prompt).toBe('before init');
    await manager.updateSystemPrompt('after init');
    expect((await store.getHeader('sp'))?.metadata.properties.system_prompt).toBe('after init');
    expect(manager.systemPrompt).toBe('after init');
    const reopened = new SessionManager({ store, sessionId: 'sp' });
    await reopened.ensureInitialized();
    expect(reopened.systemPrompt).toBe('after init');
  });

  it('writes a prompt set before init to an existing session', async () => {
    const store = new InMemorySessionStore();
    await new SessionManager({ store, sessionId: 'sp2', systemPrompt: 'old' }).ensureInitialized();
    const manager = new SessionManager({ store, sessionId: 'sp2' });
    await manager.updateSystemPrompt('new');
    await manager.ensureInitialized();
    expect((await store.getHeader('sp2'))?.metadata.properties.system_prompt).toBe('new');
  });

  it('prefers the explicit option over metadata.system_prompt, and uses metadata alone', async () => {
    const both = makeManager({ systemPrompt: 'explicit', metadata: { system_prompt: 'meta' } }).manager;
    expect((await both.getSession()).metadata.properties.system_prompt).toBe('explicit');
    const meta = makeManager({ metadata: { system_prompt: 'meta' } }).manager;
    expect(meta.systemPrompt).toBe('meta');
    expect((await meta.getMessagesForLlm())[0]).toEqual({ role: 'system', content: 'meta' });
  });

  it('keeps the stored prompt consistent under concurrent updates', async () => {
    const { manager, store } = makeManager();
    await manager.ensureInitialized();
    await Promise.all(['a', 'b', 'c', 'd'].map((p) => manager.updateSystemPrompt(p)));
    expect((await store.getHeader(manager.sessionId))?.metadata.properties.system_prompt).toBe(manager.systemPrompt);
    expect(manager.systemPrompt).toBe('d');
  });
});

describe('conversation and stats', () => {
  it('returns alternating turns with ISO timestamps and excludes tool calls', async () => {
    const { manager } = makeManager();
    await manager.userSays('q1');
    await manager.aiResponds('a1');
    await manager.toolUsed('t', {}, 'r');
    const turns = await manager.getConversation();
    expect(turns.map((t) => [t.role, t.content])).toEqual([
      ['user', 'q1'],
      ['assistant', 'a1'],
    ]);
    for (const turn of turns) expect(Number.isNaN(Date.parse(turn.timestamp))).toBe(false);
    expect(await manager.getSessionChain()).toEqual([manager.sessionId]);
  });

  it('computes the 4 messages / 1 tool / 5 events example', async () => {
    const { manager } = makeManager();
    await manager.userSays('one two');
    await manager.aiResponds('three', { model: 'gpt-4' });
    await manager.userSays('four');
    await manager.aiResponds('five six', { model: 'gpt-4' });
    await manager.toolUsed('get_weather', { city: 'x' }, { t: 1 });
    const stats = await manager.getStats();
    expect(stats).toMatchObject({
      totalMessages: 4,
      userMessages: 2,
      aiMessages: 2,
      toolCalls: 1,
      totalEvents: 5,
      sessionSegments: 1,
      sessionChain: null,
      infiniteContext: false,
      totalTokens: 6,
      tokenCounter: 'words',
      tokenCountsApproximate: false,
    });
    expect(stats.usageByModel['gpt-4']?.completionTokens).toBe(3);
    expect(stats.usageByModel['gpt-4o-mini']?.promptTokens).toBe(3);
    expect(stats.estimatedCost).toBeGreaterThan(0);
    expect(Date.parse(stats.createdAt)).toBeLessThanOrEqual(Date.parse(stats.lastUpdate));
  });

  it('counts a 100-message conversation 50/50', async () => {
    const { manager } = makeManager();
    for (let i = 0; i < 50; i++) {
      await manager.userSays(`u${i}`);
      await manager.aiResponds(`a${i}`);
    }
    const stats = await manager.getStats();
    expect([stats.userMessages, stats.aiMessages, stats.totalMessages]).toEqual([50, 50, 100]);
  });

  it('exposes the token counter and typed defaults', () => {
    const manager = new SessionManager({ counter: wordCounter, clock: fakeClock() });
    expect(manager.tokenCounter).toBe(wordCounter);
    expect(manager.isInfinite).toBe(false);
    expect(manager.vm).toBeNull();
    expect(manager.systemPrompt).toBeNull();
    expect(manager.id).toBe(manager.sessionId);
  });
});

describe('state access (ToolEventSink)', () => {
  it('reads and writes the state bag through the header', async () => {
    const { manager, store } = makeManager();
    expect(await manager.getState('k')).toBeUndefined();
    await manager.setState('k', { v: 1 });
    expect(await manager.getState('k')).toEqual({ v: 1 });
    expect((await store.getHeader(manager.sessionId))?.state).toEqual({ k: { v: 1 } });
  });

  it('appends a batch of events in one call', async () => {
    const store: SessionStore = new InMemorySessionStore();
    const append = vi.spyOn(store, 'append');
    const { manager } = makeManager({ store });
    await manager.ensureInitialized();
    const { SessionEvent } = await import('@chuk/models');
    await manager.appendEvents([
      SessionEvent.create({ message: 'x', source: EventSource.Llm }),
      SessionEvent.create({ message: { tool: 't' }, type: EventType.ToolCall }),
    ]);
    expect(append).toHaveBeenCalledTimes(1);
    await manager.appendEvents([SessionEvent.create({ message: 'late', source: EventSource.User, timestamp: '2099-01-01T00:00:00' })]);
    await manager.appendEvents([SessionEvent.create({ message: 'early', source: EventSource.User, timestamp: '2000-01-01T00:00:00.000Z' })]);
    expect((await manager.getStats()).lastUpdate).toBe('2099-01-01T00:00:00');
    const stats = await manager.getStats({ includeAllSegments: false });
    expect(stats.aiMessages).toBe(1);
    expect(stats.toolCalls).toBe(1);
    expect(stats.userMessages).toBe(2);
  });
});
