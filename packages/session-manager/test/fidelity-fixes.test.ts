import type { ChatMessage, Session } from '@chuk/models';
import { EventSource, EventType, InvalidInput, SessionEvent } from '@chuk/models';
import { describe, expect, it, vi } from 'vitest';
import { boundedContextMessage, renderContextMessage, summariesWithinBudget } from '../src/manager/summary-budget.js';
import { summaryInputMessages, toolSummaryLine } from '../src/manager/summary-input.js';
import { makeManager, memoryLogger, wordCounter } from './helpers.js';

function toolEvent(message: unknown): SessionEvent {
  return SessionEvent.create({ message, source: EventSource.System, type: EventType.ToolCall, id: 'e1', timestamp: '2026-01-01T00:00:00.000Z' });
}

describe('fix 1: tool results reach the segment summariser', () => {
  it('passes tool_call events as tool messages, in event order, through summarizeMessages', async () => {
    const seen: ChatMessage[][] = [];
    const { manager, store } = makeManager({
      infiniteContext: true,
      maxTurnsPerSegment: 2,
      summaryCallback: async (messages) => {
        seen.push(messages);
        return 'summary';
      },
    });
    const first = await manager.userSays('Check the balance please.');
    await manager.toolUsed('get_balance', { account: 'A-1' }, { balance: '7,425.22' });
    await manager.toolUsed('page_fault', { page_id: 'msg_1' }, 'old page text');
    await manager.aiResponds('It is 7,425.22.');
    await manager.userSays('Thanks.');
    expect(seen).toHaveLength(1);
    const messages = seen[0] ?? [];
    // summarizeMessages puts the strategy prompt first
    expect(messages[0]?.role).toBe('system');
    expect(messages.slice(1)).toEqual([
      { role: 'user', content: 'Check the balance please.' },
      { role: 'tool', content: 'tool get_balance returned {"balance":"7,425.22"}' },
      { role: 'assistant', content: 'It is 7,425.22.' },
    ]);
    expect((await store.get(first))?.events.at(-1)?.message).toBe('summary');
  });

  it('retries an empty answer, then falls back to the extractive summary and flags the event', async () => {
    const logger = memoryLogger();
    const callback = vi.fn(async () => '  ');
    const { manager, store } = makeManager({ infiniteContext: true, maxTurnsPerSegment: 2, logger, summaryCallback: callback });
    const first = await manager.userSays('What is the plan for today?');
    await manager.toolUsed('lookup', {}, 'x');
    await manager.aiResponds('ok');
    await manager.userSays('next');
    expect(callback.mock.calls.length).toBeGreaterThan(1);
    const summary = (await store.get(first))?.events.at(-1);
    expect(summary?.message).toBe('User discussed: What is the plan for today');
    expect(summary?.metadata.summary_fallback).toBe(true);
    expect(logger.records.some((r) => r.msg === 'summary callback failed; using the extractive summary')).toBe(true);
  });

  it('keeps every summariser request within its input budget', async () => {
    const sizes: number[] = [];
    const { manager } = makeManager({
      infiniteContext: true,
      tokenThreshold: 100_000,
      maxTurnsPerSegment: 1000,
      summaryCallback: async (messages) => {
        sizes.push(messages.reduce((n, m) => n + m.content.length, 0));
        return 'part';
      },
    });
    const long = 'word '.repeat(3000);
    for (let i = 0; i < 6; i++) await manager.userSays(`${i} ${long}`);
    expect(await manager.summarizeSegment()).toBe('part');
    // 6 × ~3000 words exceed the default 8,000-token request budget: summarised in parts, then combined
    expect(sizes.length).toBeGreaterThan(1);
  });

  it('the extractive default ignores tool messages', async () => {
    const { manager } = makeManager({ infiniteContext: true });
    await manager.userSays('hi');
    await manager.toolUsed('t', {}, 1);
    await manager.aiResponds('hello');
    expect(await manager.summarizeSegment()).toBe('Conversation with 1 user messages and 1 responses');
  });

  it('renders tool lines from result_text, result, errors and unknown payloads', () => {
    expect(toolSummaryLine(toolEvent({ tool: 'a', result_text: 'R', error: null }))).toBe('tool a returned R');
    expect(toolSummaryLine(toolEvent({ tool_name: 'b', result: 'plain' }))).toBe('tool b returned plain');
    expect(toolSummaryLine(toolEvent({ tool: 'c', result: { n: 1 }, error: 'boom' }))).toBe('tool c returned {"n":1} [error: boom]');
    expect(toolSummaryLine(toolEvent('not an object'))).toBe('tool unknown returned null');
    expect(toolSummaryLine(toolEvent({ tool: 'c', result: 5, error: 7 }))).toBe('tool c returned null');
    expect(toolSummaryLine(toolEvent({ tool: 'search_pages', result_text: 'x' }))).toBeNull();
  });

  it('skips system messages of the segment', () => {
    const note = SessionEvent.create({ message: 'note', source: EventSource.System, type: EventType.Message, id: 'e0' });
    expect(summaryInputMessages({ events: [note] } as unknown as Session)).toEqual([]);
  });
});

describe('fix 2: summaries bounded by a token budget', () => {
  const summaries = ['one two', 'three four five', 'six'];

  it('drops the oldest summaries first when the message is over budget', async () => {
    // prefix "Previous conversation context:" is 3 words
    expect(await summariesWithinBudget(summaries, { maxSummaries: 10, counter: wordCounter })).toEqual(summaries);
    expect(await summariesWithinBudget(summaries, { maxSummaries: 10, tokenBudget: 7, counter: wordCounter })).toEqual(['three four five', 'six']);
    expect(await summariesWithinBudget(summaries, { maxSummaries: 10, tokenBudget: 6, counter: wordCounter })).toEqual(['six']);
    expect(await summariesWithinBudget(summaries, { maxSummaries: 10, tokenBudget: 3, counter: wordCounter })).toEqual([]);
    expect(await summariesWithinBudget(summaries, { maxSummaries: 1, tokenBudget: 100, counter: wordCounter, model: 'm' })).toEqual(['six']);
  });

  it('never keeps an older summary past a newer one that did not fit', async () => {
    expect(await summariesWithinBudget(['a', 'b c d e f', 'g'], { maxSummaries: 10, tokenBudget: 6, counter: wordCounter })).toEqual(['g']);
  });

  it('renders the context message, or null when nothing is kept', async () => {
    expect(renderContextMessage([])).toBeNull();
    expect(await boundedContextMessage(summaries, { maxSummaries: 10, tokenBudget: 7, counter: wordCounter })).toBe(
      'Previous conversation context: three four five six',
    );
    expect(await boundedContextMessage(summaries, { maxSummaries: 10, tokenBudget: 0, counter: wordCounter })).toBeNull();
  });

  it('rejects invalid limits naming the field', async () => {
    await expect(summariesWithinBudget(summaries, { maxSummaries: 0, counter: wordCounter })).rejects.toThrow(InvalidInput);
    await expect(summariesWithinBudget(summaries, { maxSummaries: 2, tokenBudget: -1, counter: wordCounter })).rejects.toThrow(/summaryTokenBudget/);
  });
});

describe('fix 2: the rendered message is what is bounded', () => {
  it('drops the oldest kept summary when the parts fit but the rendered message does not', async () => {
    // a counter under which joining adds 5 tokens: the parts fit, the rendered message does not
    const prefix = 'Previous conversation context: '.length;
    const counter = { name: 'joined', approximate: false, count: async (t: string) => (t.includes(' ') && t.length > prefix ? t.length + 5 : t.length) };
    const kept = await summariesWithinBudget(['aaaa', 'bbbb'], { maxSummaries: 5, tokenBudget: prefix + 9, counter });
    expect(kept).toEqual(['bbbb']);
  });
});
