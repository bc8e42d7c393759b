import { EventType, InMemorySessionStore, SessionVersionConflict } from '@chuk/models';
import { describe, expect, it, vi } from 'vitest';
import { SessionManager } from '../src/manager/session-manager.js';
import { makeManager, memoryLogger, wordCounter } from './helpers.js';

describe('infinite context', () => {
  it('rolls over by turns: the third message lands in segment 2', async () => {
    const { manager, store } = makeManager({ infiniteContext: true, maxTurnsPerSegment: 2, systemPrompt: 'sys', metadata: { user_id: 'u1' } });
    const first = await manager.userSays('What is the capital of France?');
    expect(await manager.aiResponds('Paris.')).toBe(first);
    const second = await manager.userSays('And of Spain?');
    expect(second).not.toBe(first);
    expect(await manager.getSessionChain()).toEqual([first, second]);
    const old = await store.get(first);
    expect(old?.childIds).toEqual([second]);
    const summary = old?.events.at(-1);
    expect(summary?.type).toBe(EventType.Summary);
    expect(summary?.message).toBe('User discussed: What is the capital of France');
    const child = await store.get(second);
    expect(child?.parentId).toBe(first);
    expect(child?.metadata.properties).toEqual({ user_id: 'u1', system_prompt: 'sys' });
  });

  it('rolls over by tokens', async () => {
    const { manager } = makeManager({ infiniteContext: true, tokenThreshold: 5 });
    const a = await manager.userSays('one two three four five six');
    const b = await manager.userSays('next');
    expect(b).not.toBe(a);
  });

  it('max 1 turn per segment: 3 pairs give 6 segments', async () => {
    const { manager } = makeManager({ infiniteContext: true, maxTurnsPerSegment: 1 });
    for (let i = 0; i < 3; i++) {
      await manager.userSays(`q${i}`);
      await manager.aiResponds(`a${i}`);
    }
    const stats = await manager.getStats();
    expect(stats.sessionSegments).toBe(6);
    expect(stats.sessionChain).toHaveLength(6);
    expect((await manager.getConversation()).length).toBe(6);
    expect([stats.userMessages, stats.aiMessages]).toEqual([3, 3]);
    // 6 messages + 5 summaries
    expect(stats.totalEvents).toBe(11);
    const single = await manager.getStats({ includeAllSegments: false });
    expect(single).toMatchObject({ sessionSegments: 1, infiniteContext: true, sessionChain: null });
  });

  it('sums stats over segments and skips a failing one', async () => {
    const logger = memoryLogger();
    const { manager, store } = makeManager({ infiniteContext: true, maxTurnsPerSegment: 2, logger });
    await manager.userSays('a b');
    await manager.aiResponds('c d e', { model: 'gpt-4' });
    await manager.toolUsed('t', {}, 1);
    await manager.userSays('f');
    const all = await manager.getStats();
    expect(all.totalTokens).toBe(6);
    expect(all.toolCalls).toBe(1);
    expect(all.usageByModel['gpt-4']?.completionTokens).toBe(3);
    const chain = await manager.getSessionChain();
    expect(all.createdAt).toBe((await store.get(chain[0] as string))?.metadata.createdAt);
    vi.spyOn(store, 'get').mockRejectedValue(new Error('down'));
    const partial = await manager.getStats();
    expect(partial.totalTokens).toBe(1);
    expect(logger.records.some((r) => r.level === 'warn')).toBe(true);
  });

  it('uses the callback precedence argument > instance > extractive', async () => {
    const instance = vi.fn(async () => 'instance summary');
    const { manager, store } = makeManager({ infiniteContext: true, summaryCallback: instance });
    await manager.userSays('Hello there, how are you today?');
    expect(await manager.summarizeSegment()).toBe('instance summary');
    expect(await manager.summarizeSegment(async () => 'argument summary')).toBe('argument summary');
    const first = manager.sessionId;
    await manager.startNewSegment(async () => 'explicit');
    expect((await store.get(first))?.events.at(-1)?.message).toBe('explicit');
    await manager.setSummaryCallback(async (messages) => `n=${messages.length}`);
    await manager.userSays('x');
    // summarizeMessages sends the strategy's system prompt first, then the segment's message.
    expect(await manager.summarizeSegment()).toBe('n=2');
    const plain = makeManager({ infiniteContext: true }).manager;
    for (const q of ['What is TypeScript exactly?', 'How do generics work here?', 'Why use zod schemas?', 'Where are the docs kept?']) {
      await plain.userSays(q);
    }
    await plain.aiResponds('ok');
    expect(await plain.summarizeSegment()).toBe(
      'User discussed: What is TypeScript exactly; How do generics work here; Why use zod schemas and 1 other topic',
    );
  });

  it('falls back to the extractive summary when the callback rejects', async () => {
    const logger = memoryLogger();
    const { manager, store } = makeManager({
      infiniteContext: true,
      maxTurnsPerSegment: 2,
      logger,
      summaryCallback: async () => Promise.reject(new Error('llm down')),
    });
    const first = await manager.userSays('hi');
    await manager.aiResponds('hello');
    const second = await manager.userSays('again');
    expect(second).not.toBe(first);
    const summary = (await store.get(first))?.events.at(-1);
    expect(summary?.message).toBe('Conversation with 1 user messages and 1 responses');
    expect(summary?.metadata.summary_fallback).toBe(true);
    expect(logger.records.some((r) => r.level === 'warn')).toBe(true);
    expect(logger.records.some((r) => r.msg?.startsWith('segment rollover'))).toBe(true);
    const bad = makeManager({ infiniteContext: true, summaryCallback: async () => 42 as unknown as string }).manager;
    await bad.userSays('x');
    expect(await bad.summarizeSegment()).toContain('Conversation with 1 user messages');
  });

  it('sends earlier segments\u2019 summaries to the LLM, newest maxSegmentSummaries only', async () => {
    let n = 0;
    const { manager } = makeManager({
      infiniteContext: true,
      maxTurnsPerSegment: 1,
      maxSegmentSummaries: 2,
      systemPrompt: 'sys',
      summaryCallback: async () => `S${++n}.`,
    });
    await manager.userSays('a');
    expect((await manager.getMessagesForLlm()).map((m) => m.content)).toEqual(['sys', 'a']);
    await manager.userSays('b');
    await manager.userSays('c');
    await manager.userSays('d');
    expect(await manager.getMessagesForLlm()).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'system', content: 'Previous conversation context: S2. S3.' },
      { role: 'user', content: 'd' },
    ]);
    const off = makeManager({ infiniteContext: true, maxTurnsPerSegment: 1, includeSegmentSummaries: false }).manager;
    await off.userSays('a');
    await off.userSays('b');
    expect((await off.getMessagesForLlm()).map((m) => m.content)).toEqual(['b']);
  });

  it('rebuilds the chain of a reopened session lazily (3 segments, 6 turns)', async () => {
    const store = new InMemorySessionStore();
    const writer = new SessionManager({ store, counter: wordCounter, infiniteContext: true, maxTurnsPerSegment: 2 });
    for (let i = 0; i < 3; i++) {
      await writer.userSays(`q${i}`);
      await writer.aiResponds(`a${i}`, { model: 'gpt-4o', provider: 'openai' });
    }
    const chain = await writer.getSessionChain();
    expect(chain).toHaveLength(3);
    const reader = new SessionManager({ store, sessionId: chain[2], infiniteContext: true, counter: wordCounter });
    const turns = await reader.getConversation();
    expect(turns).toHaveLength(6);
    expect(turns[1]).toMatchObject({ role: 'assistant', content: 'a0', sessionId: chain[0], model: 'gpt-4o', provider: 'openai' });
    expect(await reader.getSessionChain()).toEqual(chain);
    expect((await reader.getMessagesForLlm())[0]?.content).toMatch(/^Previous conversation context: /);
    const explicit = new SessionManager({ store, sessionId: chain[2], infiniteContext: true });
    await explicit.loadSessionChain();
    expect((await explicit.getStats()).sessionSegments).toBe(3);
    const plain = new SessionManager({ store, sessionId: chain[2] });
    await plain.loadSessionChain();
    expect(await plain.getSessionChain()).toEqual([chain[2]]);
  });

  it('does not roll over twice under 5 concurrent calls', async () => {
    const { manager, store } = makeManager({ infiniteContext: true, maxTurnsPerSegment: 2 });
    await manager.userSays('a');
    await manager.userSays('b');
    await Promise.all([1, 2, 3, 4, 5].map((i) => manager.userSays(`c${i}`)));
    const chain = await manager.getSessionChain();
    const first = await store.get(chain[0] as string);
    expect(first?.childIds).toHaveLength(1);
  });

  it('two managers on one segment create one child between them', async () => {
    const store = new InMemorySessionStore();
    const opts = { store, sessionId: 'root', counter: wordCounter, infiniteContext: true, maxTurnsPerSegment: 2 } as const;
    const a = new SessionManager(opts);
    const b = new SessionManager(opts);
    await a.userSays('one');
    await a.userSays('two');
    await b.ensureInitialized();
    // both decide to roll over; the second one's summary append conflicts and it follows the first
    const [idA, idB] = await Promise.all([a.userSays('three'), b.userSays('four')]);
    const root = await store.get('root');
    expect(root?.childIds).toHaveLength(1);
    expect(root?.events.filter((e) => e.type === EventType.Summary)).toHaveLength(1);
    expect(idA).toBe(root?.childIds[0]);
    expect(idB).toBe(root?.childIds[0]);
    const child = await store.get(idA);
    expect(child?.events.map((e) => e.message).sort()).toEqual(['four', 'three']);
  });

  it('continues in the child another writer created', async () => {
    const store = new InMemorySessionStore();
    const opts = { store, sessionId: 'root2', counter: wordCounter, infiniteContext: true, maxTurnsPerSegment: 2 } as const;
    const a = new SessionManager(opts);
    const b = new SessionManager(opts);
    await a.userSays('one');
    await b.ensureInitialized();
    await a.userSays('two');
    const next = await a.userSays('three');
    // b's view is stale: 'four' lands in the closed segment, and b learns of the summary from the gap
    expect(await b.userSays('four')).toBe('root2');
    expect(await b.userSays('five')).toBe(next);
    expect((await store.get('root2'))?.childIds).toEqual([next]);
    expect((await store.get(next))?.events.map((e) => e.message)).toEqual(['three', 'five']);
  });

  it('rethrows a persistent conflict after the retry budget', async () => {
    const { manager, store } = makeManager({ infiniteContext: true });
    await manager.userSays('x');
    vi.spyOn(store, 'append').mockRejectedValue(
      new SessionVersionConflict({ sessionId: manager.sessionId, kind: 'eventCount', expected: 1, actual: 2 }),
    );
    await expect(manager.startNewSegment()).rejects.toBeInstanceOf(SessionVersionConflict);
  });

  it('finishes an interrupted rollover (summary stored, no child) without a second summary', async () => {
    const store = new InMemorySessionStore();
    const a = new SessionManager({ store, sessionId: 'half', counter: wordCounter, infiniteContext: true });
    await a.userSays('x');
    const { SessionEvent } = await import('@chuk/models');
    await store.append('half', [SessionEvent.create({ message: 'old summary', type: EventType.Summary })]);
    const b = new SessionManager({ store, sessionId: 'half', counter: wordCounter, infiniteContext: true });
    const next = await b.startNewSegment();
    expect(next).not.toBe('half');
    const half = await store.get('half');
    expect(half?.events.filter((e) => e.type === EventType.Summary)).toHaveLength(1);
    expect(half?.childIds).toEqual([next]);
  });
});
