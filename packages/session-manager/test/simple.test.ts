import { InMemorySessionStore, SessionNotFound } from '@chuk/models';
import { afterEach, describe, expect, it } from 'vitest';
import { resetDefaultStore } from '../src/config/default-store.js';
import {
  getConversationHistory,
  getSessionStats,
  quickConversation,
  quickStats,
  trackConversation,
  trackInfiniteConversation,
  trackLlmCall,
  trackLlmInteraction,
  trackToolUse,
} from '../src/simple/api.js';
import { normalizeLlmResponse } from '../src/simple/normalize.js';
import { SessionManager } from '../src/manager/session-manager.js';

afterEach(() => resetDefaultStore());

describe('simple API', () => {
  it('trackConversation records one exchange and continues by id in the default store', async () => {
    const id = await trackConversation('Hello', 'Hi!', { model: 'gpt-4', provider: 'openai' });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await trackConversation('Again', 'Sure', { sessionId: id })).toBe(id);
    const history = await getConversationHistory(id);
    expect(history.map((t) => t.content)).toEqual(['Hello', 'Hi!', 'Again', 'Sure']);
    const stats = await getSessionStats(id);
    expect(stats).toMatchObject({ userMessages: 2, aiMessages: 2, sessionId: id });
  });

  it('unknown ids give SessionNotFound and create nothing', async () => {
    const store = new InMemorySessionStore();
    await expect(getSessionStats('missing', { store })).rejects.toBeInstanceOf(SessionNotFound);
    await expect(getConversationHistory('missing', { store })).rejects.toBeInstanceOf(SessionNotFound);
    await expect(trackConversation('a', 'b', { sessionId: 'missing', store })).rejects.toBeInstanceOf(SessionNotFound);
    await expect(trackToolUse('t', {}, 1, { sessionId: 'missing', store })).rejects.toBeInstanceOf(SessionNotFound);
    expect(await store.exists('missing')).toBe(false);
  });

  it('trackInfiniteConversation honours maxTurns', async () => {
    const store = new InMemorySessionStore();
    const first = await trackInfiniteConversation('q1', 'a1', { store, maxTurns: 2 });
    const second = await trackInfiniteConversation('q2', 'a2', { store, maxTurns: 2, sessionId: first });
    expect(second).not.toBe(first);
    expect((await store.get(second))?.parentId).toBe(first);
    const stats = await getSessionStats(second, { store, includeAllSegments: true });
    expect(stats.sessionSegments).toBe(2);
    expect(stats.totalMessages).toBe(4);
    expect((await getConversationHistory(second, { store, includeAllSegments: true })).length).toBe(4);
    expect((await getConversationHistory(second, { store })).length).toBe(2);
  });

  it.each([
    ['sync string', () => 'plain'],
    ['async string', async () => 'plain'],
    ['OpenAI dict', () => ({ choices: [{ message: { content: 'plain' } }] })],
    ['content object', () => ({ content: 'plain' })],
    ['Anthropic blocks', () => ({ content: [{ type: 'text', text: 'pl' }, { type: 'tool_use' }, { type: 'text', text: 'ain' }] })],
  ])('trackLlmCall normalises a %s response', async (_name, fn) => {
    const store = new InMemorySessionStore();
    const { response, sessionId } = await trackLlmCall('ask', fn, { store, model: 'gpt-4o' });
    expect(response).toBe('plain');
    expect((await getConversationHistory(sessionId, { store })).map((t) => t.content)).toEqual(['ask', 'plain']);
  });

  it('trackLlmCall keeps the user message when the function throws', async () => {
    const store = new InMemorySessionStore();
    const manager = new SessionManager({ store });
    await expect(trackLlmCall('ask', () => Promise.reject(new Error('rate limited')), { sessionManager: manager })).rejects.toThrow(
      'rate limited',
    );
    expect((await manager.getConversation()).map((t) => t.content)).toEqual(['ask']);
  });

  it('trackLlmCall records provider usage', async () => {
    const store = new InMemorySessionStore();
    const { sessionId } = await trackLlmCall('q', () => 'a', { store, model: 'gpt-4o', usage: { inputTokens: 100, outputTokens: 7 } });
    expect((await getSessionStats(sessionId, { store })).totalTokens).toBeGreaterThanOrEqual(107);
  });

  it('quickConversation returns stats of a new session', async () => {
    const stats = await quickConversation('Hello', 'World', { model: 'gpt-4o' });
    expect(stats).toMatchObject({ totalMessages: 2, userMessages: 1, aiMessages: 1, sessionSegments: 1 });
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the aliases are what is tested
    expect(quickStats).toBe(quickConversation);
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the aliases are what is tested
    expect(trackLlmInteraction).toBe(trackLlmCall);
  });

  it('trackToolUse records a tool call, in a new or an existing session', async () => {
    const store = new InMemorySessionStore();
    const id = await trackToolUse('calc', { a: 1 }, 2, { store, metadata: { k: 'v' } });
    expect(await trackToolUse('calc', { a: 2 }, null, { store, sessionId: id, error: 'overflow' })).toBe(id);
    const session = await store.get(id);
    expect(session?.events).toHaveLength(2);
    expect(session?.events[0]?.metadata).toEqual({ k: 'v' });
    expect((await getSessionStats(id, { store })).toolCalls).toBe(2);
  });
});

describe('normalizeLlmResponse', () => {
  it('falls back to the stringified value', () => {
    expect(normalizeLlmResponse(null)).toBe('');
    expect(normalizeLlmResponse(42)).toBe('42');
    expect(normalizeLlmResponse({ choices: [] })).toBe('{"choices":[]}');
    expect(normalizeLlmResponse({ choices: [{ message: { content: null } }] })).toBe('{"choices":[{"message":{"content":null}}]}');
    expect(normalizeLlmResponse({ content: [{ type: 'image' }] })).toBe('{"content":[{"type":"image"}]}');
    expect(normalizeLlmResponse({ choices: ['x'] })).toBe('{"choices":["x"]}');
  });
});
