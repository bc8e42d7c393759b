import { describe, expect, it, vi } from 'vitest';
import type { ChatMessage, TokenCounter } from '@chuk/models';
import { InMemorySessionStore, InvalidInput, Session, SessionEvent, TokenUsage, getDefaultTokenCounter } from '@chuk/models';
import type { StoredTokenCount } from '../src/index.js';
import { InfiniteConversationManager, MESSAGE_OVERHEAD_TOKENS, REQUEST_OVERHEAD_TOKENS, storedMessageCount, summarizeMessages } from '../src/index.js';
import { assistant, user, wordCounter } from './helpers.js';

const MODEL = 'gpt-4o-mini';

/** The word counter, remembering every text it was asked to count. */
function callCounter(): TokenCounter & { texts: string[] } {
  const texts: string[] = [];
  return {
    name: 'counting-words',
    approximate: true,
    texts,
    count: async (text: string, model: string) => {
      texts.push(text);
      return wordCounter.count(text, model);
    },
  };
}

const words = (n: number, word: string): string => Array.from({ length: n }, (_, i) => `${word}${i}`).join(' ');

async function exactCounts(messages: readonly ChatMessage[], counter: TokenCounter): Promise<StoredTokenCount[]> {
  const out: StoredTokenCount[] = [];
  for (const m of messages) out.push({ tokens: await wordCounter.count(m.content, MODEL), model: MODEL, counter });
  return out;
}

describe('summarizeMessages with stored counts', () => {
  it('uses a count stored for the same model and counter, and counts every other message', async () => {
    const counter = callCounter();
    const messages = [user('stored one'), assistant('missing two'), user('other model three'), assistant('other counter four')];
    const storedCounts: (StoredTokenCount | undefined)[] = [
      { tokens: 2, model: MODEL, counter },
      undefined,
      { tokens: 3, model: 'gpt-4', counter },
      { tokens: 3, model: MODEL, counter: wordCounter },
    ];
    const callback = vi.fn(async (_m: ChatMessage[]) => 'Summary.');
    const result = await summarizeMessages(messages, { callback, counter, storedCounts });
    expect(result.outcome).toBe('ok');
    const counted = counter.texts.filter((t) => messages.some((m) => m.content === t));
    expect(counted).toEqual(['missing two', 'other model three', 'other counter four']);
    expect(callback.mock.calls[0]?.[0].slice(1)).toEqual(messages);
  });

  it('gives the same budgets and requests as counting when the stored counts come from the same counter', async () => {
    const long = Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? user(words(40, `u${i}_`)) : assistant(words(40, `a${i}_`))));
    const run = async (counter: TokenCounter, storedCounts?: StoredTokenCount[]): Promise<{ sent: ChatMessage[][]; parts: number }> => {
      const sent: ChatMessage[][] = [];
      const callback = async (messages: ChatMessage[]): Promise<string> => {
        sent.push(messages);
        return `part summary ${sent.length}`;
      };
      const result = await summarizeMessages(long, { callback, counter, inputBudgetTokens: 300, ...(storedCounts === undefined ? {} : { storedCounts }) });
      return { sent, parts: result.parts };
    };
    const counting = callCounter();
    const counted = await run(counting);
    const reusing = callCounter();
    const reused = await run(reusing, await exactCounts(long, reusing));
    expect(reused.parts).toBeGreaterThan(1);
    expect(reused).toEqual(counted);
    expect(counting.texts.filter((t) => long.some((m) => m.content === t))).toHaveLength(long.length);
    expect(reusing.texts.filter((t) => long.some((m) => m.content === t))).toHaveLength(0);
  });

  it('budgets with the stored count as it is (it is not recounted)', async () => {
    const counter = callCounter();
    const messages = [user('two words'), assistant('two more')];
    const claimed = 200;
    const storedCounts = messages.map((): StoredTokenCount => ({ tokens: claimed, model: MODEL, counter }));
    const callback = vi.fn(async (_m: ChatMessage[]) => 'Summary.');
    const result = await summarizeMessages(messages, { callback, counter, inputBudgetTokens: 300, storedCounts });
    // counted (2 words each) both fit one request; with the claimed counts they do not
    expect(2 * (claimed + MESSAGE_OVERHEAD_TOKENS) + REQUEST_OVERHEAD_TOKENS).toBeGreaterThan(300);
    expect(result.parts).toBe(2);
    const plain = await summarizeMessages(messages, { callback, counter, inputBudgetTokens: 300 });
    expect(plain.parts).toBe(1);
  });

  it('matches the default counter when no counter is given', async () => {
    const counter = getDefaultTokenCounter();
    const count = vi.spyOn(counter, 'count');
    const messages = [user('a stored user message'), assistant('a stored answer')];
    const storedCounts = messages.map((): StoredTokenCount => ({ tokens: 4, model: MODEL, counter }));
    await summarizeMessages(messages, { callback: async () => 'Summary.', storedCounts });
    expect(count.mock.calls.map((c) => c[0])).not.toContain('a stored user message');
    expect(count.mock.calls.map((c) => c[0])).not.toContain('a stored answer');
    count.mockRestore();
  });

  it('rejects stored counts that do not line up with the messages', async () => {
    const counter = callCounter();
    await expect(
      summarizeMessages([user('one')], { callback: async () => 'x', counter, storedCounts: [undefined, undefined] }),
    ).rejects.toMatchObject({ name: 'InvalidInput', field: 'storedCounts' });
  });

  it('parses changed options again (a repeated configuration gives the same result)', async () => {
    const callback = vi.fn(async (_m: ChatMessage[]) => 'Summary.');
    const prompt = (): string => callback.mock.calls.at(-1)?.[0][0]?.content ?? '';
    await summarizeMessages([user('q')], { callback, counter: wordCounter, strategy: 'key_points' });
    const first = prompt();
    await summarizeMessages([user('q')], { callback, counter: wordCounter, strategy: 'key_points' });
    expect(prompt()).toBe(first);
    expect(first).toContain('key points');
    await summarizeMessages([user('q')], { callback, counter: wordCounter, strategy: 'topic_based' });
    expect(prompt()).toContain('topics');
    await expect(summarizeMessages([user('q')], { callback, counter: wordCounter, maxAttempts: 0 })).rejects.toBeInstanceOf(InvalidInput);
    await expect(summarizeMessages([user('q')], { callback, counter: wordCounter, maxAttempts: 0 })).rejects.toBeInstanceOf(InvalidInput);
  });
});

describe('storedMessageCount', () => {
  const usage = TokenUsage.create({ promptTokens: 5, completionTokens: 7, model: MODEL });
  const eventOf = (source: 'user' | 'llm' | 'system', message: unknown, tokenUsage: TokenUsage | null = usage): SessionEvent =>
    new SessionEvent({ message, source, type: 'message', tokenUsage });

  it('takes the prompt tokens of a user message and the completion tokens of an llm message', () => {
    expect(storedMessageCount(eventOf('user', 'hi'), wordCounter)).toEqual({ tokens: 5, model: MODEL, counter: wordCounter });
    expect(storedMessageCount(eventOf('llm', 'hi'), wordCounter)).toEqual({ tokens: 7, model: MODEL, counter: wordCounter });
  });

  it('has none for other sources, events without usage and non-string payloads', () => {
    expect(storedMessageCount(eventOf('system', 'note'), wordCounter)).toBeUndefined();
    expect(storedMessageCount(eventOf('user', 'hi', null), wordCounter)).toBeUndefined();
    expect(storedMessageCount(eventOf('user', { content: 'hi' }), wordCounter)).toBeUndefined();
  });
});

describe('InfiniteConversationManager reuses the counts it stored', () => {
  function setup(maxTurnsPerSegment = 4): { store: InMemorySessionStore; manager: InfiniteConversationManager; counter: ReturnType<typeof callCounter> } {
    const store = new InMemorySessionStore();
    const counter = callCounter();
    let n = 0;
    const manager = new InfiniteConversationManager({ store, counter, maxTurnsPerSegment, idGenerator: () => `id-${++n}` });
    return { store, manager, counter };
  }
  const texts = ['first user words', 'first answer words', 'second user words', 'second answer words'];
  const timesCounted = (counter: { texts: string[] }, text: string): number => counter.texts.filter((t) => t === text).length;

  it('counts each message once: the summary uses the counts stored on the events', async () => {
    const { store, manager, counter } = setup();
    const id = (await Session.create({ store })).id;
    const callback = vi.fn(async (_m: ChatMessage[]) => 'Summary.');
    let next = id;
    for (const [i, text] of texts.entries()) next = await manager.processMessage(id, text, i % 2 === 0 ? 'user' : 'llm', callback);
    expect(next).not.toBe(id);
    expect(callback).toHaveBeenCalledTimes(1);
    for (const text of texts) expect(timesCounted(counter, text)).toBe(1);
    expect(callback.mock.calls[0]?.[0].slice(1).map((m) => m.content)).toEqual(texts);
  });

  it('counts messages whose stored count it did not make: loaded from the store, other model, system source', async () => {
    const { store, manager, counter } = setup();
    const id = (await Session.create({ store })).id;
    const callback = vi.fn(async (_m: ChatMessage[]) => 'Summary.');
    await manager.processMessage(id, 'loaded from the store', 'user');
    manager.dropCachedState(id);
    await manager.processMessage(id, 'answer of another model', 'llm', undefined, 'gpt-4');
    await manager.processMessage(id, 'a system note', 'system');
    expect(await manager.processMessage(id, 'counted once only', 'user', callback)).not.toBe(id);
    expect(timesCounted(counter, 'loaded from the store')).toBe(2);
    expect(timesCounted(counter, 'answer of another model')).toBe(2);
    expect(timesCounted(counter, 'a system note')).toBe(1);
    expect(timesCounted(counter, 'counted once only')).toBe(1);
  });

  it('summarises a session it did not write by counting every message', async () => {
    const { store, manager, counter } = setup(100);
    const session = await Session.create({ store });
    const event = await SessionEvent.createWithTokens({ message: 'written elsewhere', prompt: 'written elsewhere', source: 'user', type: 'message', counter });
    await store.append(session.id, [event]);
    const loaded = (await store.get(session.id)) as Session;
    await manager.summarize(loaded, async () => 'Summary.');
    expect(timesCounted(counter, 'written elsewhere')).toBe(2);
  });

  it('keeps the least recently used order of its cache', async () => {
    const store = new InMemorySessionStore();
    const manager = new InfiniteConversationManager({ store, counter: wordCounter, maxCachedSessions: 2 });
    for (const id of ['a', 'b', 'c']) await Session.create({ id, store });
    const get = vi.spyOn(store, 'get');
    for (const id of ['a', 'b', 'a', 'a', 'c', 'a']) await manager.processMessage(id, 'x', 'user');
    expect(get).toHaveBeenCalledTimes(3);
    await manager.processMessage('b', 'x', 'user');
    expect(get).toHaveBeenCalledTimes(4);
  });
});
