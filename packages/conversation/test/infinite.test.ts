import { describe, expect, it, vi } from 'vitest';
import type { ChatMessage, LlmCallback, SessionStore } from '@chuk/models';
import { InMemorySessionStore, InvalidInput, Session, SessionNotFound } from '@chuk/models';
import type { InfiniteConversationManagerOptions } from '../src/index.js';
import { InfiniteConversationManager, PINNED_FACTS_STATE, summaryInfoOf } from '../src/index.js';
import { event, wordCounter } from './helpers.js';

function setup(options: Partial<InfiniteConversationManagerOptions> = {}): {
  store: InMemorySessionStore;
  manager: InfiniteConversationManager;
} {
  const store = new InMemorySessionStore();
  let n = 0;
  const manager = new InfiniteConversationManager({
    store,
    counter: wordCounter,
    idGenerator: () => `id-${++n}`,
    clock: () => new Date('2026-01-01T00:00:00.000Z'),
    ...options,
  });
  return { store, manager };
}

const summarizer = (text = 'Summary.') => vi.fn(async (_m: ChatMessage[]) => text);

async function root(store: SessionStore, id = 'root'): Promise<string> {
  return (await Session.create({ id, store })).id;
}

describe('InfiniteConversationManager construction', () => {
  it('has the reference defaults and takes custom values', () => {
    const { manager } = setup();
    expect(manager.tokenThreshold).toBe(3000);
    expect(manager.maxTurnsPerSegment).toBe(20);
    expect(manager.summarizationStrategy).toBe('basic');
    expect(manager.defaultModel).toBe('gpt-4o-mini');
    const custom = setup({ tokenThreshold: 100, maxTurnsPerSegment: 4, summarizationStrategy: 'key_points' }).manager;
    expect(custom.limits).toEqual({ tokenThreshold: 100, maxTurnsPerSegment: 4 });
    expect(custom.summarizationStrategy).toBe('key_points');
  });

  it('rejects a missing store and invalid options, naming the field', () => {
    expect(() => new InfiniteConversationManager({} as never)).toThrow(InvalidInput);
    expect(() => setup({ tokenThreshold: 0 })).toThrow(expect.objectContaining({ field: 'tokenThreshold' }));
    expect(() => setup({ summarizationStrategy: 'nope' as never })).toThrow(expect.objectContaining({ field: 'summarizationStrategy' }));
  });
});

describe('processMessage', () => {
  it('keeps the id below the limits and records tokens by source', async () => {
    const { store, manager } = setup();
    const id = await root(store);
    expect(await manager.processMessage(id, 'hello there friend', 'user')).toBe(id);
    expect(await manager.processMessage(id, 'hi you', 'llm', undefined, 'gpt-4')).toBe(id);
    expect(await manager.processMessage(id, 'system note here', 'system', undefined, { metadata: { k: 1 } })).toBe(id);
    const session = await store.get(id);
    const usages = session?.events.map((e) => [e.source, e.tokenUsage?.promptTokens, e.tokenUsage?.completionTokens, e.tokenUsage?.model]);
    expect(usages).toEqual([
      ['user', 3, 0, 'gpt-4o-mini'],
      ['llm', 0, 2, 'gpt-4'],
      ['system', 0, 0, 'gpt-4o-mini'],
    ]);
    expect(session?.events[2]?.metadata).toEqual({ k: 1 });
    expect(session?.totalTokens).toBe(5);
  });

  it('rolls over by tokens: new child, one summary in the old segment, child registered', async () => {
    const { store, manager } = setup({ tokenThreshold: 10 });
    const id = await root(store);
    const callback = summarizer('Talked about ten words.');
    expect(await manager.processMessage(id, 'one two three', 'user', callback)).toBe(id);
    const next = await manager.processMessage(id, 'four five six seven eight nine ten', 'llm', callback);
    expect(next).not.toBe(id);
    const old = await store.get(id);
    const child = await store.get(next);
    expect(child?.parentId).toBe(id);
    expect(old?.childIds).toEqual([next]);
    const summaries = old?.events.filter((e) => e.type === 'summary') ?? [];
    expect(summaries).toHaveLength(1);
    expect(summaries[0]?.message).toBe('Talked about ten words.');
    expect(summaries[0]?.source).toBe('system');
    expect(summaryInfoOf(summaries[0]!)).toMatchObject({ summary_fallback: false, summary_outcome: 'ok' });
    expect(old?.events.filter((e) => e.type === 'message')).toHaveLength(2);
    expect(callback).toHaveBeenCalledTimes(1);
  });

  it('rolls over by message count and copies the segment properties', async () => {
    const { store, manager } = setup({ maxTurnsPerSegment: 2 });
    const first = await Session.create({ id: 'r', store, properties: { user_id: 'u1' } });
    const callback = summarizer();
    expect(await manager.processMessage(first.id, 'q', 'user', callback)).toBe('r');
    const second = await manager.processMessage(first.id, 'a', 'llm', callback);
    expect(second).not.toBe('r');
    expect((await store.get(second))?.metadata.properties).toEqual({ user_id: 'u1' });
    expect(await manager.processMessage(second, 'q2', 'user', callback)).toBe(second);
  });

  it('sends the summariser the strategy prompt and the segment, roles mapped', async () => {
    const { store, manager } = setup({ maxTurnsPerSegment: 3, summarizationStrategy: 'query_focused' });
    const id = await root(store);
    const callback = summarizer();
    await manager.processMessage(id, 'Why?', 'user', callback);
    await manager.processMessage(id, 'Because.', 'llm', callback);
    await manager.processMessage(id, 'Noted', 'system', callback);
    const sent = callback.mock.calls[0]?.[0] ?? [];
    expect(sent[0]?.role).toBe('system');
    expect(sent[0]?.content).toContain('questions');
    expect(sent.slice(1)).toEqual([
      { role: 'user', content: 'Why?' },
      { role: 'assistant', content: 'Because.' },
      { role: 'assistant', content: 'Noted' },
    ]);
  });

  it('throws SessionNotFound with the exact message', async () => {
    const { manager } = setup();
    await expect(manager.processMessage('nope', 'x', 'user')).rejects.toThrow(new SessionNotFound({ sessionId: 'nope' }));
    await expect(manager.processMessage('nope', 'x', 'user')).rejects.toThrow('Session not found: nope');
  });

  it('requires a callback only when the segment is full (the message stays saved)', async () => {
    const { store, manager } = setup({ maxTurnsPerSegment: 1 });
    const id = await root(store);
    await expect(manager.processMessage(id, 'x', 'user')).rejects.toMatchObject({ name: 'InvalidInput', field: 'llmCallback' });
    expect((await store.get(id))?.events).toHaveLength(1);
    await expect(manager.processMessage(id, 5 as never, 'user')).rejects.toMatchObject({ field: 'message' });
    await expect(manager.processMessage(id, 'x', 'bot' as never)).rejects.toMatchObject({ name: 'InvalidInput', field: 'source' });
    expect((await store.get(id))?.events).toHaveLength(1);
  });

  it('never stores a failed summary: retries, then stores the flagged fallback and still rolls over', async () => {
    const { store, manager } = setup({ maxTurnsPerSegment: 2, summaryMaxAttempts: 2 });
    const id = await root(store);
    const failing = vi.fn(async () => Promise.reject(new Error('LLM down')));
    await manager.processMessage(id, 'my question', 'user', failing);
    const next = await manager.processMessage(id, 'my answer', 'llm', failing);
    expect(failing).toHaveBeenCalledTimes(2);
    expect(next).not.toBe(id);
    const summary = (await store.get(id))?.events.find((e) => e.type === 'summary');
    expect(summary?.message).toBe('Summary unavailable (callback_failed); the last 2 turns were:\nuser: my question\nassistant: my answer');
    expect(summary?.metadata).toMatchObject({ summary_fallback: true, summary_outcome: 'callback_failed', summary_attempts: 2, summary_error: 'LLM down' });
  });

  it('does not re-read the store per message (running totals)', async () => {
    const { store, manager } = setup({ maxTurnsPerSegment: 1000, tokenThreshold: 100000 });
    const id = await root(store);
    const get = vi.spyOn(store, 'get');
    const readEvents = vi.spyOn(store, 'readEvents');
    for (let i = 0; i < 50; i++) await manager.processMessage(id, `message ${i}`, i % 2 === 0 ? 'user' : 'llm');
    expect(get).toHaveBeenCalledTimes(1);
    expect(readEvents).not.toHaveBeenCalled();
    manager.dropCachedState(id);
    await manager.processMessage(id, 'again', 'user');
    expect(get).toHaveBeenCalledTimes(2);
    manager.dropCachedState();
  });

  it('keeps only maxCachedSessions sessions in memory', async () => {
    const { store, manager } = setup({ maxCachedSessions: 1 });
    await root(store, 'a');
    await root(store, 'b');
    const get = vi.spyOn(store, 'get');
    await manager.processMessage('a', 'x', 'user');
    await manager.processMessage('b', 'x', 'user');
    await manager.processMessage('a', 'y', 'user');
    expect(get).toHaveBeenCalledTimes(3);
  });

  it('serialises concurrent messages: one rollover, a stale id is redirected to the open segment', async () => {
    const { store, manager } = setup({ maxTurnsPerSegment: 3 });
    const id = await root(store);
    const callback = summarizer();
    const ids = await Promise.all([1, 2, 3, 4, 5].map((i) => manager.processMessage(id, `m${i}`, 'user', callback)));
    expect(ids.slice(0, 2)).toEqual([id, id]);
    const child = ids[2]!;
    expect(child).not.toBe(id);
    expect(ids.slice(3)).toEqual([child, child]);
    expect(callback).toHaveBeenCalledTimes(1);
    expect((await store.get(id))?.childIds).toEqual([child]);
    expect((await store.get(child))?.events.map((e) => e.message)).toEqual(['m4', 'm5']);
    const other = new InfiniteConversationManager({ store, counter: wordCounter, maxTurnsPerSegment: 10 });
    expect(await other.processMessage(id, 'late', 'user', callback)).toBe(child);
    expect((await store.get(child))?.events.map((e) => e.message)).toEqual(['m4', 'm5', 'late']);
  });
});

describe('several writers on one store', () => {
  it('catches up with events other writers appended, losing none', async () => {
    const store = new InMemorySessionStore();
    const id = await root(store);
    const a = new InfiniteConversationManager({ store, counter: wordCounter });
    const b = new InfiniteConversationManager({ store, counter: wordCounter });
    await b.processMessage(id, 'b1', 'user');
    await a.processMessage(id, 'a1', 'llm');
    await b.processMessage(id, 'b2', 'user');
    expect((await b.buildContextForLlm(id)).map((m) => m.content)).toEqual(['b1', 'a1', 'b2']);
    expect((await store.get(id))?.events).toHaveLength(3);
  });

  it('follows the child when another writer closed the segment first', async () => {
    const store = new InMemorySessionStore();
    const id = await root(store);
    const a = new InfiniteConversationManager({ store, counter: wordCounter, maxTurnsPerSegment: 2 });
    const b = new InfiniteConversationManager({ store, counter: wordCounter, maxTurnsPerSegment: 2 });
    const callback = summarizer();
    await b.processMessage(id, 'b1', 'user', callback);
    const child = await a.processMessage(id, 'a1', 'llm', callback);
    expect(child).not.toBe(id);
    expect(await b.processMessage(id, 'b2', 'user', callback)).toBe(child);
    expect((await store.get(id))?.childIds).toEqual([child]);
    expect(callback).toHaveBeenCalledTimes(1);
  });

  it('retries the rollover when another writer appends during summarisation', async () => {
    const store = new InMemorySessionStore();
    const id = await root(store);
    const a = new InfiniteConversationManager({ store, counter: wordCounter, maxTurnsPerSegment: 2 });
    const other = new InfiniteConversationManager({ store, counter: wordCounter, maxTurnsPerSegment: 100 });
    let calls = 0;
    const callback: LlmCallback = async (messages) => {
      calls++;
      if (calls === 1) await other.processMessage(id, 'interleaved', 'user');
      return `summary of ${messages.length - 1}`;
    };
    await a.processMessage(id, 'one', 'user', callback);
    const child = await a.processMessage(id, 'two', 'llm', callback);
    expect(child).not.toBe(id);
    expect(calls).toBe(2);
    const old = await store.get(id);
    expect(old?.events.map((e) => e.message)).toEqual(['one', 'two', 'interleaved', 'summary of 3']);
  });

  it('continues in the child when another writer rolled over during summarisation', async () => {
    const store = new InMemorySessionStore();
    const id = await root(store);
    const a = new InfiniteConversationManager({ store, counter: wordCounter, maxTurnsPerSegment: 2 });
    const b = new InfiniteConversationManager({ store, counter: wordCounter, maxTurnsPerSegment: 2 });
    let bChild = '';
    const slow: LlmCallback = async () => {
      bChild = await b.processMessage(id, 'b-closes', 'user', summarizer('B summary'));
      return 'A summary';
    };
    await a.processMessage(id, 'one', 'user', slow);
    expect(await a.processMessage(id, 'two', 'llm', slow)).toBe(bChild);
    expect((await store.get(id))?.childIds).toEqual([bChild]);
  });
});

describe('context, chain and history', () => {
  async function threeSegments(): Promise<{ manager: InfiniteConversationManager; store: InMemorySessionStore; ids: string[] }> {
    const { store, manager } = setup({ maxTurnsPerSegment: 2 });
    const ids = [await root(store)];
    let n = 0;
    const callback: LlmCallback = async () => `S${++n}`;
    for (let turn = 1; turn <= 5; turn++) {
      const current = ids[ids.length - 1]!;
      const next = await manager.processMessage(current, `m${turn}`, turn % 2 === 1 ? 'user' : 'llm', callback);
      if (next !== current) ids.push(next);
    }
    return { manager, store, ids };
  }

  it('puts earlier summaries first, oldest first, then the last messages', async () => {
    const { manager, ids } = await threeSegments();
    const last = ids[2]!;
    expect(await manager.buildContextForLlm(last)).toEqual([
      { role: 'system', content: 'Previous conversation context: S1 S2' },
      { role: 'user', content: 'm5' },
    ]);
    expect(await manager.buildContextForLlm(last, { maxMessages: 0 })).toEqual([
      { role: 'system', content: 'Previous conversation context: S1 S2' },
    ]);
    expect(await manager.buildContextForLlm(last, { includeSummaries: false })).toEqual([{ role: 'user', content: 'm5' }]);
    expect(await manager.buildContextForLlm(last, { maxSummaries: 1 })).toEqual([
      { role: 'system', content: 'Previous conversation context: S2' },
      { role: 'user', content: 'm5' },
    ]);
  });

  it('reads summaries from the store for a manager that did not write them', async () => {
    const { store, ids } = await threeSegments();
    const reader = new InfiniteConversationManager({ store, counter: wordCounter });
    expect((await reader.buildContextForLlm(ids[2]!))[0]?.content).toBe('Previous conversation context: S1 S2');
  });

  it('windows the last messages and validates the options', async () => {
    const { store, manager } = setup();
    const id = await root(store);
    for (let i = 1; i <= 5; i++) await manager.processMessage(id, `m${i}`, i % 2 === 1 ? 'user' : 'llm');
    expect(await manager.buildContextForLlm(id, { maxMessages: 3 })).toEqual([
      { role: 'user', content: 'm3' },
      { role: 'assistant', content: 'm4' },
      { role: 'user', content: 'm5' },
    ]);
    await expect(manager.buildContextForLlm(id, { maxMessages: -1 })).rejects.toMatchObject({ field: 'maxMessages' });
    await expect(manager.buildContextForLlm(id, { maxSummaries: 1.5 })).rejects.toMatchObject({ field: 'maxSummaries' });
    await expect(manager.buildContextForLlm('missing')).rejects.toBeInstanceOf(SessionNotFound);
  });

  it('gives the chain root first and the history with segment ids', async () => {
    const { manager, ids } = await threeSegments();
    const chain = await manager.getSessionChain(ids[2]!);
    expect(chain.map((s) => s.id)).toEqual(ids);
    const history = await manager.getHistory(ids[2]!);
    expect(history).toEqual([
      { role: 'user', source: 'user', content: 'm1', sessionId: ids[0] },
      { role: 'assistant', source: 'llm', content: 'm2', sessionId: ids[0] },
      { role: 'user', source: 'user', content: 'm3', sessionId: ids[1] },
      { role: 'assistant', source: 'llm', content: 'm4', sessionId: ids[1] },
      { role: 'user', source: 'user', content: 'm5', sessionId: ids[2] },
    ]);
    await expect(manager.getSessionChain('missing')).rejects.toThrow('Session not found: missing');
  });

  it('createSummary returns the stored text, and an empty segment sends only the prompt', async () => {
    const { manager } = setup();
    const callback = summarizer('Empty.');
    expect(await manager.createSummary(new Session({ id: 'empty' }), callback)).toBe('Empty.');
    expect(callback.mock.calls[0]?.[0]).toHaveLength(1);
    manager.summarizationStrategy = 'topic_based';
    await manager.createSummary(new Session({ id: 'empty2' }), callback);
    expect(callback.mock.calls[1]?.[0]?.[0]?.content).toContain('topics');
  });
});

describe('pinned facts', () => {
  it('keeps pinned messages and pinned facts in every later summary, listed once in the context', async () => {
    const { store, manager } = setup({ maxTurnsPerSegment: 2 });
    const id = await root(store);
    const callback = summarizer('Chatted.');
    await manager.pinFact(id, '  The user is vegetarian ');
    await manager.pinFact(id, 'The user is vegetarian');
    await manager.processMessage(id, 'My flight is LH123', 'user', callback, { pin: true });
    const s2 = await manager.processMessage(id, 'Noted', 'llm', callback);
    expect(await manager.getPinnedFacts(s2)).toEqual(['The user is vegetarian', 'My flight is LH123']);
    expect((await store.getHeader(s2))?.state[PINNED_FACTS_STATE]).toEqual(['The user is vegetarian', 'My flight is LH123']);
    await manager.processMessage(s2, 'hi', 'user', callback);
    const s3 = await manager.processMessage(s2, 'hello', 'llm', callback);
    const secondSummary = (await store.get(s2))?.events.find((e) => e.type === 'summary');
    expect(secondSummary?.message).toBe('Chatted.\n\nPinned facts:\n- The user is vegetarian\n- My flight is LH123');
    const context = await manager.buildContextForLlm(s3);
    expect(context[0]?.content).toBe(
      'Previous conversation context: Chatted. Chatted.\n\nPinned facts:\n- The user is vegetarian\n- My flight is LH123',
    );
    const reader = new InfiniteConversationManager({ store, counter: wordCounter });
    expect((await reader.buildContextForLlm(s3))[0]?.content).toBe(context[0]?.content);
  });

  it('redirects pinFact on a closed segment and rejects empty facts', async () => {
    const { store, manager } = setup({ maxTurnsPerSegment: 1 });
    const id = await root(store);
    const child = await manager.processMessage(id, 'x', 'user', summarizer());
    await manager.pinFact(id, 'late fact');
    expect(await manager.getPinnedFacts(child)).toEqual(['late fact']);
    await expect(manager.pinFact(id, '  ')).rejects.toMatchObject({ field: 'fact' });
  });
});

describe('summaryInfoOf', () => {
  it('reads summaries written by others', async () => {
    expect(summaryInfoOf(event({ message: 'x', type: 'summary' }))).toEqual({
      summary_fallback: false,
      summary_outcome: 'ok',
      summary_attempts: 0,
      summary_parts: 1,
      pinned_facts: [],
    });
    expect(summaryInfoOf(event({ message: 'x', type: 'summary', metadata: { summary_fallback: true } }))).toMatchObject({
      summary_fallback: true,
      summary_outcome: 'callback_failed',
    });
  });
});

describe('the user message that closes a segment', () => {
  it('opens the next segment window until the model answered it', async () => {
    const { store, manager } = setup({ maxTurnsPerSegment: 3 });
    const id = await root(store);
    const callback = summarizer('S');
    await manager.processMessage(id, 'q1', 'user', callback);
    await manager.processMessage(id, 'a1', 'llm', callback);
    const child = await manager.processMessage(id, 'q2', 'user', callback);
    expect(child).not.toBe(id);
    expect(await manager.buildContextForLlm(child)).toEqual([
      { role: 'system', content: 'Previous conversation context: S' },
      { role: 'user', content: 'q2' },
    ]);
    await manager.processMessage(child, 'a2', 'llm', callback);
    expect((await manager.buildContextForLlm(child, { includeSummaries: false })).map((m) => m.content)).toEqual(['q2', 'a2']);
    expect((await manager.buildContextForLlm(child, { maxMessages: 1 })).map((m) => m.content)).toEqual(['S', 'a2'].map((t, i) => (i === 0 ? `Previous conversation context: ${t}` : t)));
    const reader = new InfiniteConversationManager({ store, counter: wordCounter });
    expect((await reader.buildContextForLlm(child, { includeSummaries: false })).map((m) => m.content)).toEqual(['q2', 'a2']);
    expect(await reader.buildContextForLlm(id, { includeSummaries: false })).toHaveLength(3);
  });
});
