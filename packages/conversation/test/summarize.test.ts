import { describe, expect, it, vi } from 'vitest';
import type { ChatMessage } from '@chuk/models';
import { InvalidInput } from '@chuk/models';
import {
  MESSAGE_OVERHEAD_TOKENS,
  REQUEST_OVERHEAD_TOKENS,
  SummaryOutcome,
  createExtractiveSummary,
  lastTurnsFallback,
  renderPinnedSection,
  stripPinnedFacts,
  summarizeMessages,
  withPinnedFacts,
} from '../src/index.js';
import { packMessages, splitText } from '../src/summary/chunking.js';
import { assistant, countWords, user, wordCounter } from './helpers.js';

const words = (n: number, word = 'w'): string => Array.from({ length: n }, (_, i) => `${word}${i}`).join(' ');

async function requestCost(messages: ChatMessage[]): Promise<number> {
  let total = REQUEST_OVERHEAD_TOKENS;
  for (const m of messages) total += (await countWords(m.content)) + MESSAGE_OVERHEAD_TOKENS;
  return total;
}

describe('chunking', () => {
  it('splits a long text into pieces within the limit that join back to it', async () => {
    const text = words(1000);
    const pieces = await splitText(text, 100, countWords);
    expect(pieces.join('')).toBe(text);
    for (const p of pieces) expect(await countWords(p)).toBeLessThanOrEqual(100);
    expect(pieces.length).toBeGreaterThanOrEqual(10);
    expect(await splitText('short text', 100, countWords)).toEqual(['short text']);
  });

  it('splits text without spaces by shrinking the cut', async () => {
    const dense: (t: string) => Promise<number> = async (t) => t.length;
    const pieces = await splitText('x'.repeat(95), 10, dense);
    expect(pieces.join('')).toBe('x'.repeat(95));
    for (const p of pieces) expect(p.length).toBeLessThanOrEqual(10);
  });

  it('packs messages in order and splits one that is too large alone', async () => {
    const items = [
      { message: user(words(10)), tokens: 14 },
      { message: assistant(words(300)), tokens: 304 },
      { message: user(words(5)), tokens: 9 },
    ];
    const groups = await packMessages(items, 60, countWords);
    const flat = groups.flat();
    expect(flat[0]).toEqual(items[0]?.message);
    expect(flat.at(-1)).toEqual(items[2]?.message);
    expect(flat.slice(1, -1).every((m) => m.role === 'assistant')).toBe(true);
    for (const g of groups) expect(await requestCost(g)).toBeLessThanOrEqual(60 + REQUEST_OVERHEAD_TOKENS);
  });
});

describe('pinned sections', () => {
  it('renders, appends and strips', () => {
    const text = withPinnedFacts('body', ['a', 'b']);
    expect(text).toBe(`body\n\n${renderPinnedSection(['a', 'b'])}`);
    expect(text).toBe('body\n\nPinned facts:\n- a\n- b');
    expect(stripPinnedFacts(text, ['a', 'b'])).toBe('body');
    expect(stripPinnedFacts(text, ['a'])).toBe(text);
    expect(stripPinnedFacts('body', [])).toBe('body');
    expect(withPinnedFacts('body', [])).toBe('body');
  });
});

describe('summarizeMessages', () => {
  const conversation = [user('What is the capital of France?'), assistant('Paris.')];

  it('sends the strategy prompt first, then the messages, in one request when they fit', async () => {
    const callback = vi.fn(async (_m: ChatMessage[]) => '  A short summary.  ');
    const result = await summarizeMessages(conversation, { callback, strategy: 'key_points', counter: wordCounter });
    expect(callback).toHaveBeenCalledTimes(1);
    const sent = callback.mock.calls[0]?.[0] ?? [];
    expect(sent[0]?.role).toBe('system');
    expect(sent[0]?.content).toContain('key points');
    expect(sent.slice(1)).toEqual(conversation);
    expect(result).toEqual({
      text: 'A short summary.',
      summary: 'A short summary.',
      pinnedFacts: [],
      fallback: false,
      outcome: 'ok',
      attempts: 1,
      parts: 1,
    });
  });

  it('keeps every request within the budget: parts first, then the parts combined', async () => {
    const budget = 300;
    const long = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? user(words(40, `u${i}_`)) : assistant(words(40, `a${i}_`))));
    long.push(user(words(900, 'huge')));
    const costs: number[] = [];
    let calls = 0;
    const callback = async (messages: ChatMessage[]): Promise<string> => {
      costs.push(await requestCost(messages));
      calls++;
      return `summary ${calls} ${words(20)}`;
    };
    const result = await summarizeMessages(long, { callback, inputBudgetTokens: budget, counter: wordCounter });
    expect(result.fallback).toBe(false);
    expect(result.parts).toBeGreaterThan(5);
    expect(Math.max(...costs)).toBeLessThanOrEqual(budget);
    expect(result.attempts).toBe(calls);
    expect(result.summary).toBe(`summary ${calls} ${words(20)}`);
  });

  it('retries a failed or empty answer and then succeeds', async () => {
    const answers = [Promise.reject(new Error('rate limited')), Promise.resolve('   '), Promise.resolve('Good summary')];
    const callback = vi.fn(async () => answers.shift() as Promise<string>);
    const result = await summarizeMessages(conversation, { callback, counter: wordCounter });
    expect(callback).toHaveBeenCalledTimes(3);
    expect(result.summary).toBe('Good summary');
    expect(result.fallback).toBe(false);
    expect(result.attempts).toBe(3);
    expect(result.error).toBe('rate limited');
  });

  it('never stores an empty summary: falls back to the last turns, saying why', async () => {
    const callback = vi.fn(async () => '');
    const many = [user('one'), assistant('two'), user('three'), assistant('four'), user('x'.repeat(700))];
    const result = await summarizeMessages(many, { callback, counter: wordCounter, maxAttempts: 2, fallbackTurns: 3 });
    expect(callback).toHaveBeenCalledTimes(2);
    expect(result.fallback).toBe(true);
    expect(result.outcome).toBe(SummaryOutcome.EmptySummary);
    expect(result.summary).toBe(`Summary unavailable (empty_summary); the last 3 turns were:\nuser: three\nassistant: four\nuser: ${'x'.repeat(500)}…`);
  });

  it('falls back when the summariser keeps rejecting (and with a non-string answer)', async () => {
    const rejecting = async (): Promise<string> => Promise.reject(new Error('down'));
    const result = await summarizeMessages(conversation, { callback: rejecting, counter: wordCounter, maxAttempts: 1 });
    expect(result.outcome).toBe('callback_failed');
    expect(result.error).toBe('down');
    expect(result.text).toContain('user: What is the capital of France?');
    const odd = (async () => 42) as unknown as () => Promise<string>;
    const second = await summarizeMessages(conversation, { callback: odd, counter: wordCounter, maxAttempts: 1 });
    expect(second.outcome).toBe('empty_summary');
    expect(second.error).toBeUndefined();
  });

  it('uses a custom fallback, and the default when that one fails', async () => {
    const failing = async (): Promise<string> => Promise.reject(new Error('no'));
    const custom = await summarizeMessages(conversation, {
      callback: failing,
      counter: wordCounter,
      maxAttempts: 1,
      fallback: createExtractiveSummary,
    });
    expect(custom.summary).toBe('User discussed: What is the capital of France');
    expect(custom.error).toBe('no');
    const broken = await summarizeMessages(conversation, {
      callback: failing,
      counter: wordCounter,
      maxAttempts: 1,
      fallback: () => {
        throw new Error('bad fallback');
      },
    });
    expect(broken.summary).toMatch(/^Summary unavailable \(callback_failed\)/);
    const blank = await summarizeMessages(conversation, { callback: failing, counter: wordCounter, maxAttempts: 1, fallback: () => ' ' });
    expect(blank.summary).toMatch(/^Summary unavailable/);
  });

  it('keeps pinned facts verbatim whatever the summariser writes, and tells it about them', async () => {
    const callback = vi.fn(async (_m: ChatMessage[]) => 'The user talked about travel.');
    const result = await summarizeMessages(conversation, {
      callback,
      counter: wordCounter,
      pinnedFacts: ['  Allergic to peanuts ', 'Budget is 500 EUR', 'Allergic to peanuts', ''],
    });
    expect(result.pinnedFacts).toEqual(['Allergic to peanuts', 'Budget is 500 EUR']);
    expect(result.text).toBe('The user talked about travel.\n\nPinned facts:\n- Allergic to peanuts\n- Budget is 500 EUR');
    expect(callback.mock.calls[0]?.[0]?.[0]?.content).toContain('- Budget is 500 EUR');
    const fallback = await summarizeMessages(conversation, {
      callback: async () => '',
      counter: wordCounter,
      maxAttempts: 1,
      pinnedFacts: ['Allergic to peanuts'],
    });
    expect(fallback.text.endsWith('Pinned facts:\n- Allergic to peanuts')).toBe(true);
  });

  it('does not list pinned facts to the summariser when they would crowd its budget', async () => {
    const callback = vi.fn(async (_m: ChatMessage[]) => 'ok');
    const facts = [words(200, 'fact')];
    const result = await summarizeMessages(conversation, { callback, counter: wordCounter, inputBudgetTokens: 300, pinnedFacts: facts });
    expect(callback.mock.calls[0]?.[0]?.[0]?.content).not.toContain('fact0');
    expect(result.text).toContain(facts[0]);
  });

  it('gives up as over budget when part summaries never shrink', async () => {
    const echo = async (messages: ChatMessage[]): Promise<string> => messages.slice(1).map((m) => m.content).join(' ');
    const long = Array.from({ length: 20 }, (_, i) => user(words(50, `m${i}_`)));
    const result = await summarizeMessages(long, { callback: echo, counter: wordCounter, inputBudgetTokens: 300 });
    expect(result.fallback).toBe(true);
    expect(result.outcome).toBe(SummaryOutcome.OverBudget);
  });

  it('summarises an empty segment with the system prompt alone', async () => {
    const callback = vi.fn(async (_m: ChatMessage[]) => 'Nothing was said.');
    const result = await summarizeMessages([], { callback, counter: wordCounter });
    expect(callback.mock.calls[0]?.[0]).toHaveLength(1);
    expect(result.text).toBe('Nothing was said.');
    expect(lastTurnsFallback([], 'empty_summary', 4)).toBe('Summary unavailable (empty_summary); no turns kept.');
    expect(lastTurnsFallback(conversation, 'empty_summary', 0)).toBe('Summary unavailable (empty_summary); no turns kept.');
  });

  it('rejects a missing callback and invalid options', async () => {
    await expect(summarizeMessages([], {} as never)).rejects.toBeInstanceOf(InvalidInput);
    await expect(summarizeMessages([], { callback: async () => 'x', inputBudgetTokens: 10 })).rejects.toMatchObject({
      name: 'InvalidInput',
      field: 'inputBudgetTokens',
    });
  });

  it('propagates token-counter errors', async () => {
    const broken = { name: 'broken', approximate: false, count: async () => Promise.reject(new Error('counter down')) };
    await expect(summarizeMessages(conversation, { callback: async () => 'x', counter: broken })).rejects.toThrow('counter down');
  });
});
