import { describe, expect, it } from 'vitest';
import {
  GENERIC_SUMMARY_PROMPT,
  SegmentLimitsSchema,
  SummarizationStrategy,
  countMessageEvents,
  createExtractiveSummary,
  exceedsSegmentLimits,
  getSummarizationPrompt,
  segmentMessages,
  shouldCreateNewSegment,
} from '../src/index.js';
import { assistant, sessionOf, user } from './helpers.js';

describe('segmentation primitives', () => {
  const session = sessionOf([
    { message: 'hello', source: 'user', tokens: 10 },
    { message: { content: 'hi there' }, source: 'llm', tokens: 5 },
    { message: 'a summary', type: 'summary' },
    { message: { tool: 'x' }, type: 'tool_call' },
    { message: 'note', source: 'system' },
  ]);

  it('counts only message events', () => {
    expect(countMessageEvents(session)).toBe(3);
  });

  it('closes a segment on tokens or on message events', () => {
    expect(shouldCreateNewSegment(session, { tokenThreshold: 15, maxTurnsPerSegment: 100 })).toBe(true);
    expect(shouldCreateNewSegment(session, { tokenThreshold: 16, maxTurnsPerSegment: 100 })).toBe(false);
    expect(shouldCreateNewSegment(session, { tokenThreshold: 1000, maxTurnsPerSegment: 3 })).toBe(true);
    expect(shouldCreateNewSegment(session, { tokenThreshold: 1000, maxTurnsPerSegment: 4 })).toBe(false);
    expect(exceedsSegmentLimits({ totalTokens: 0, messageCount: 0 }, { tokenThreshold: 1, maxTurnsPerSegment: 1 })).toBe(false);
  });

  it('maps message events to chat messages', () => {
    expect(segmentMessages(session)).toEqual([user('hello'), assistant('hi there'), assistant('note')]);
  });

  it('validates limits', () => {
    expect(SegmentLimitsSchema.safeParse({ tokenThreshold: 0, maxTurnsPerSegment: 2 }).success).toBe(false);
    expect(SegmentLimitsSchema.parse({ tokenThreshold: 1, maxTurnsPerSegment: 2 })).toEqual({ tokenThreshold: 1, maxTurnsPerSegment: 2 });
  });
});

describe('summarisation prompts', () => {
  it('asks each strategy for its kind of summary', () => {
    expect(getSummarizationPrompt(SummarizationStrategy.Basic)).toContain('concise summary');
    expect(getSummarizationPrompt(SummarizationStrategy.KeyPoints)).toContain('key points');
    expect(getSummarizationPrompt(SummarizationStrategy.TopicBased)).toContain('topics');
    expect(getSummarizationPrompt(SummarizationStrategy.QueryFocused)).toContain('questions');
    expect(getSummarizationPrompt('nonsense')).toBe(GENERIC_SUMMARY_PROMPT);
    expect(GENERIC_SUMMARY_PROMPT).toContain('summary');
  });
});

describe('createExtractiveSummary', () => {
  it('lists questions as topics', () => {
    const text = createExtractiveSummary([user('What is the weather in Paris? thanks'), assistant('Sunny.'), user('short?')]);
    expect(text).toBe('User discussed: What is the weather in Paris');
  });
  it('names the number of further topics, singular and plural', () => {
    const qs = ['How do rockets work?', 'Why is the sky blue?', 'What is quantum physics?', 'Where do rivers start?', 'When did Rome fall down?'];
    expect(createExtractiveSummary(qs.map(user))).toMatch(/ and 2 other topics$/);
    expect(createExtractiveSummary(qs.slice(0, 4).map(user))).toMatch(/ and 1 other topic$/);
    expect(createExtractiveSummary(qs.slice(0, 3).map(user))).toBe(
      'User discussed: How do rockets work; Why is the sky blue; What is quantum physics',
    );
  });
  it('cuts topics to 50 characters', () => {
    const long = `${'a'.repeat(80)}?`;
    expect(createExtractiveSummary([user(long)])).toBe(`User discussed: ${'a'.repeat(50)}`);
  });
  it('falls back to counts', () => {
    expect(createExtractiveSummary([user('hi'), assistant('hello'), user('ok'), assistant('bye')])).toBe(
      'Conversation with 2 user messages and 2 responses',
    );
    expect(createExtractiveSummary([])).toBe('Conversation with 0 user messages and 0 responses');
  });
});
