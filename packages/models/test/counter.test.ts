import { describe, expect, it, vi } from 'vitest';
import {
  GptTokenizerCounter, HeuristicTokenCounter, MissingDependency, TiktokenCounter, TiktokenEncoding, TokenCounterChoice,
  codePointLength, countTokens, createTokenCounter, encodingForModel, estimateTokens, getDefaultTokenCounter,
  loadSyncTokenCounter, toCountableText,
} from '@chuk/models';
import type { EncoderLoader, Logger } from '@chuk/models';

const failing: EncoderLoader = () => Promise.reject(new Error('not installed'));
const TEXT = 'Hello world, this is a test of <|endoftext|> special text 🌍 你好 and more words.';

describe('toCountableText and the estimate', () => {
  it('stringifies values', () => {
    expect(toCountableText(null)).toBe('');
    expect(toCountableText(undefined)).toBe('');
    expect(toCountableText('x')).toBe('x');
    expect(toCountableText(12)).toBe('12');
    expect(toCountableText(true)).toBe('true');
    expect(toCountableText(10n)).toBe('10');
    expect(toCountableText({ a: [1, 2n] })).toBe('{"a":[1,"2"]}');
    expect(toCountableText(Symbol('s'))).toBe('');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(toCountableText(cyclic)).toBe('');
  });
  it('counts code points, never 0 for non-empty text', () => {
    expect(codePointLength('🌍🌍')).toBe(2);
    expect(codePointLength('\ud800x')).toBe(2);
    expect(estimateTokens('Hi')).toBe(1);
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('你好世界你')).toBe(2);
  });
  it('heuristic counter', async () => {
    const h = new HeuristicTokenCounter();
    expect([h.name, h.approximate]).toEqual(['estimate', true]);
    expect(await h.count('abcdefghi', 'x')).toBe(3);
    expect(h.countSync('abcd')).toBe(1);
  });
});

describe('encoding choice', () => {
  it('prefix rules', () => {
    for (const m of ['gpt-4o', 'gpt-4o-mini', 'GPT-4.1-nano', 'gpt-5', 'o1-mini', 'o3', 'o4-mini', 'chatgpt-4o-latest']) {
      expect(encodingForModel(m)).toBe(TiktokenEncoding.O200kBase);
    }
    for (const m of ['gpt-4', 'gpt-4-0613', 'gpt-3.5-turbo', 'claude-3-opus', 'mystery', '']) {
      expect(encodingForModel(m)).toBe(TiktokenEncoding.Cl100kBase);
    }
  });
});

describe('exact counters', () => {
  it('js-tiktoken and gpt-tokenizer give the same counts', async () => {
    const t = new TiktokenCounter();
    const g = new GptTokenizerCounter();
    for (const model of ['gpt-4o-mini', 'gpt-4', 'claude-3-haiku', 'text-davinci-003']) {
      expect(await t.count(TEXT, model)).toBe(await g.count(TEXT, model));
    }
    expect(await t.count('', 'gpt-4')).toBe(0);
    expect(await t.count('hello world')).toBe(2);
    expect(await g.count('hello world')).toBe(2);
    expect([t.name, t.approximate, g.name, g.approximate]).toEqual(['js-tiktoken', false, 'gpt-tokenizer', false]);
    const sync = await loadSyncTokenCounter('gpt-4o');
    expect(sync(TEXT)).toBe(await t.count(TEXT, 'gpt-4o'));
    expect((await g.loadSync('gpt-4')) !== null).toBe(true);
  });
  it('loads the encoder once', async () => {
    const loader = vi.fn<EncoderLoader>(async () => (text: string) => text.length);
    const c = new TiktokenCounter({ loader });
    for (let i = 0; i < 1000; i++) await c.count(`text ${i}`, 'gpt-4o-mini');
    await c.count('x', 'gpt-4o');
    expect(loader).toHaveBeenCalledTimes(1);
    await c.count('x', 'gpt-4');
    expect(loader).toHaveBeenCalledTimes(2);
    const e = new GptTokenizerCounter({ loader, encodingFor: () => TiktokenEncoding.Gpt2 });
    expect(await e.count('abc', 'any')).toBe(3);
  });
  it('falls back to the estimate when the package is missing, logging once', async () => {
    const debug = vi.fn();
    const logger: Logger = { debug, info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const c = new TiktokenCounter({ loader: failing, logger });
    expect(await c.count('abcdefgh', 'gpt-4')).toBe(2);
    expect(await c.count('Hi', 'gpt-4o')).toBe(1);
    expect([c.name, c.approximate]).toEqual(['estimate', true]);
    expect(debug).toHaveBeenCalledTimes(1);
    expect(await c.loadSync('gpt-4')).toBeNull();
    const viaSync = await loadSyncTokenCounter('gpt-4', { tiktoken: { loader: failing }, gptTokenizer: { loader: failing } });
    expect(viaSync('abcdefgh')).toBe(2);
    const chained = new TiktokenCounter({ loader: failing, fallback: new GptTokenizerCounter() });
    expect(await chained.count('hello world', 'gpt-4')).toBe(2);
    expect([chained.name, chained.approximate]).toEqual(['gpt-tokenizer', false]);
  });
  it('explicitly requested and missing → MissingDependency', async () => {
    const c = new GptTokenizerCounter({ loader: failing, required: true });
    await expect(c.count('abc', 'gpt-4')).rejects.toBeInstanceOf(MissingDependency);
    await expect(c.count('abc', 'gpt-4')).rejects.toThrow(/gpt-tokenizer/);
  });
  it('createTokenCounter, default counter and countTokens', async () => {
    expect(createTokenCounter(TokenCounterChoice.Estimate).name).toBe('estimate');
    expect(createTokenCounter(TokenCounterChoice.JsTiktoken).name).toBe('js-tiktoken');
    expect(createTokenCounter(TokenCounterChoice.GptTokenizer).name).toBe('gpt-tokenizer');
    expect(createTokenCounter().name).toBe('js-tiktoken');
    expect(getDefaultTokenCounter()).toBe(getDefaultTokenCounter());
    expect(await countTokens('hello world')).toBe(2);
    expect(await countTokens(null)).toBe(0);
    expect(await countTokens({ a: 1 }, 'gpt-4', new HeuristicTokenCounter())).toBe(2);
  });
});
