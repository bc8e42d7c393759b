import { describe, expect, it, vi } from 'vitest';
import type { Logger, SessionStore } from '@chuk/models';
import { InMemorySessionStore, InvalidInput, Session } from '@chuk/models';
import { PromptStrategy, buildPromptFromSession } from '../src/index.js';
import { event, sessionOf, wordCounter } from './helpers.js';

const parse = (content: string | null): unknown => JSON.parse(content ?? 'null');

function weatherSession(): Session {
  return sessionOf([
    { id: 'u1', message: "What's the weather?", source: 'user' },
    { id: 'a1', message: 'Let me check…', source: 'llm' },
    { message: { tool_name: 'weather', result: { temperature: '72°F' } }, type: 'tool_call', parentEventId: 'a1' },
  ]);
}

function recordingLogger(): Logger & { warnings: unknown[] } {
  const warnings: unknown[] = [];
  return { warnings, debug: () => undefined, info: () => undefined, error: () => undefined, warn: (obj) => warnings.push(obj) };
}

describe('minimal strategy', () => {
  it('gives the spec example', async () => {
    const prompt = await buildPromptFromSession(weatherSession());
    expect(prompt.slice(0, 2)).toEqual([
      { role: 'user', content: "What's the weather?" },
      { role: 'assistant', content: null },
    ]);
    expect(prompt[2]).toMatchObject({ role: 'tool', name: 'weather' });
    expect(parse(prompt[2]?.content ?? null)).toEqual({ temperature: '72°F' });
    expect(prompt).toHaveLength(3);
  });

  it('handles empty, user-only and object user messages', async () => {
    expect(await buildPromptFromSession(new Session())).toEqual([]);
    expect(await buildPromptFromSession(sessionOf([{ message: { content: 'dict' }, source: 'user' }]))).toEqual([{ role: 'user', content: 'dict' }]);
    expect(await buildPromptFromSession(sessionOf([{ message: 'note', type: 'summary' }]))).toEqual([]);
  });

  it('includes non-object tool payloads and the legacy tool key and metadata links', async () => {
    const session = sessionOf([
      { message: 'q', source: 'user' },
      { id: 'a2', message: 'x', source: 'llm' },
      { message: 'not a dict', type: 'tool_call', metadata: { parent_event_id: 'a2' } },
      { message: { tool: 'calc' }, type: 'tool_call', parentEventId: 'a2' },
    ]);
    const prompt = await buildPromptFromSession(session);
    expect(prompt[2]).toEqual({ role: 'tool', name: 'unknown', content: '"not a dict"' });
    expect(prompt[3]).toEqual({ role: 'tool', name: 'calc', content: '{}' });
  });

  it('falls back to the last summary child (note or text) and counts a system message as the assistant', async () => {
    const withNote = sessionOf([
      { message: 'q', source: 'user' },
      { id: 'a3', message: 'r', source: 'system' },
      { message: { note: 'first' }, type: 'summary', parentEventId: 'a3' },
      { message: { note: 'retry note' }, type: 'summary', parentEventId: 'a3' },
    ]);
    expect((await buildPromptFromSession(withNote)).at(-1)).toEqual({ role: 'system', content: 'retry note' });
    const plain = sessionOf([
      { id: 'a4', message: 'r', source: 'llm' },
      { message: ['a', 'b'], type: 'summary', parentEventId: 'a4' },
    ]);
    expect(await buildPromptFromSession(plain)).toEqual([
      { role: 'assistant', content: null },
      { role: 'system', content: '["a","b"]' },
    ]);
  });
});

describe('task strategy', () => {
  it('keeps first and latest user message and drops error results and non-object payloads', async () => {
    const session = sessionOf([
      { message: 'first', source: 'user' },
      { message: 'r1', source: 'llm' },
      { message: 'latest', source: 'user' },
      { id: 'a5', message: 'r2', source: 'llm' },
      { message: { tool: 'ok', result: { value: 1 } }, type: 'tool_call', parentEventId: 'a5' },
      { message: { tool: 'bad', result: { status: 'error' } }, type: 'tool_call', parentEventId: 'a5' },
      { message: 'raw', type: 'tool_call', parentEventId: 'a5' },
    ]);
    expect(await buildPromptFromSession(session, { strategy: PromptStrategy.TaskFocused })).toEqual([
      { role: 'user', content: 'first' },
      { role: 'user', content: 'latest' },
      { role: 'assistant', content: null },
      { role: 'tool', name: 'ok', content: '{"value":1}' },
    ]);
  });

  it('emits a single user message once and nothing without users', async () => {
    expect(await buildPromptFromSession(sessionOf([{ message: 'only', source: 'user' }]), { strategy: 'task' })).toEqual([
      { role: 'user', content: 'only' },
    ]);
    expect(await buildPromptFromSession(sessionOf([{ message: 'r', source: 'llm' }]), { strategy: 'task' })).toEqual([]);
  });
});

describe('tool strategy', () => {
  it('wraps failed calls as { error, details }', async () => {
    const session = sessionOf([
      { message: 'older', source: 'user' },
      { message: 'now', source: 'user' },
      { id: 'a6', message: 'r', source: 'llm' },
      { message: { tool: 'fetch', error: 'timeout', result: { partial: true } }, type: 'tool_call', parentEventId: 'a6' },
      { message: { tool: 'calc' }, type: 'tool_call', parentEventId: 'a6' },
      { message: 7, type: 'tool_call', parentEventId: 'a6' },
    ]);
    const prompt = await buildPromptFromSession(session, { strategy: 'tool' });
    expect(prompt.slice(0, 2)).toEqual([
      { role: 'user', content: 'now' },
      { role: 'assistant', content: null },
    ]);
    expect(parse(prompt[2]?.content ?? null)).toEqual({ error: 'timeout', details: { partial: true } });
    expect(prompt[3]).toEqual({ role: 'tool', name: 'calc', content: '{}' });
    expect(prompt).toHaveLength(4);
    expect(await buildPromptFromSession(sessionOf([{ message: 'q', source: 'user' }]), { strategy: 'tool' })).toEqual([{ role: 'user', content: 'q' }]);
    expect(await buildPromptFromSession(sessionOf([{ message: 'r', source: 'llm' }]), { strategy: 'tool' })).toEqual([]);
  });
});

describe('conversation strategy', () => {
  it('gives the spec example (maxHistory 4)', async () => {
    const session = sessionOf([
      { message: 'u1', source: 'user' },
      { message: 'a1', source: 'llm' },
      { message: 'u2', source: 'user' },
      { message: 'a2', source: 'llm' },
      { message: 'u3', source: 'user' },
      { id: 'a3x', message: 'a3', source: 'llm' },
      { message: { tool: 't', result: { ok: true } }, type: 'tool_call', parentEventId: 'a3x' },
      { message: 'raw', type: 'tool_call', parentEventId: 'a3x' },
    ]);
    expect(await buildPromptFromSession(session, { strategy: 'conversation', maxHistory: 4 })).toEqual([
      { role: 'user', content: 'u2' },
      { role: 'assistant', content: 'a2' },
      { role: 'user', content: 'u3' },
      { role: 'assistant', content: null },
      { role: 'tool', name: 't', content: '{"ok":true}' },
    ]);
    expect(await buildPromptFromSession(session, { strategy: 'conversation', maxHistory: 0 })).toEqual([]);
    expect(await buildPromptFromSession(session, { strategy: 'conversation' })).toHaveLength(6);
  });

  it('ends with the user message as text when it is the newest', async () => {
    const session = sessionOf([
      { message: 'a', source: 'llm' },
      { message: 'same', source: 'user' },
    ]);
    expect(await buildPromptFromSession(session, { strategy: 'conversation' })).toEqual([
      { role: 'assistant', content: 'a' },
      { role: 'user', content: 'same' },
    ]);
  });
});

describe('hierarchical strategy', () => {
  async function chained(summary: unknown): Promise<{ store: SessionStore; child: Session }> {
    const store = new InMemorySessionStore();
    const parent = await Session.create({ id: 'parent', store });
    if (summary !== null) await store.append(parent.id, [event({ message: summary, type: 'summary' })]);
    const child = await Session.create({ id: 'child', parentId: 'parent', store });
    child.addEvent(event({ message: 'hello', source: 'user' }));
    return { store, child };
  }

  it('puts the parent summary first (note, content or text)', async () => {
    for (const [payload, text] of [
      [{ note: 'N' }, 'N'],
      [{ content: 'C' }, 'C'],
      ['S', 'S'],
    ] as const) {
      const { store, child } = await chained(payload);
      const prompt = await buildPromptFromSession(child, { strategy: 'hierarchical', includeParentContext: true, store });
      expect(prompt).toEqual([
        { role: 'system', content: `Context from previous conversation: ${text}` },
        { role: 'user', content: 'hello' },
      ]);
    }
  });

  it('is minimal without the flag, without a parent or without a parent summary', async () => {
    const { store, child } = await chained(null);
    expect(await buildPromptFromSession(child, { strategy: 'hierarchical', includeParentContext: true, store })).toEqual([
      { role: 'user', content: 'hello' },
    ]);
    const withSummary = await chained('S');
    expect(await buildPromptFromSession(withSummary.child, { strategy: 'hierarchical', store: withSummary.store })).toEqual([
      { role: 'user', content: 'hello' },
    ]);
    const orphan = sessionOf([{ message: 'hi', source: 'user' }]);
    expect(await buildPromptFromSession(orphan, { strategy: 'hierarchical', includeParentContext: true })).toEqual([
      { role: 'user', content: 'hi' },
    ]);
  });

  it('requires a store for a child session and degrades on store errors', async () => {
    const { child } = await chained('S');
    await expect(buildPromptFromSession(child, { strategy: 'hierarchical', includeParentContext: true })).rejects.toBeInstanceOf(InvalidInput);
    const failing = { get: vi.fn(async () => Promise.reject(new Error('store down'))) } as unknown as SessionStore;
    const logger = recordingLogger();
    const prompt = await buildPromptFromSession(child, { strategy: 'hierarchical', includeParentContext: true, store: failing, logger });
    expect(prompt).toEqual([{ role: 'user', content: 'hello' }]);
    expect(logger.warnings).toHaveLength(1);
    const failingText = { get: async () => Promise.reject(new Error('plain')) } as unknown as SessionStore;
    expect(await buildPromptFromSession(child, { strategy: 'hierarchical', includeParentContext: true, store: failingText })).toHaveLength(1);
  });
});

describe('buildPromptFromSession options', () => {
  it('warns on an unknown strategy and builds minimal', async () => {
    const logger = recordingLogger();
    const prompt = await buildPromptFromSession(weatherSession(), { strategy: 'bogus', logger });
    expect(prompt).toHaveLength(3);
    expect(logger.warnings).toHaveLength(1);
  });

  it('honours maxTokens', async () => {
    const session = sessionOf([
      { message: 'u1', source: 'user' },
      { message: 'a long answer '.repeat(50), source: 'llm' },
      { message: 'u2 '.repeat(40), source: 'user' },
      { id: 'last', message: 'final', source: 'llm' },
      { message: { tool: 't', result: 'x '.repeat(100) }, type: 'tool_call', parentEventId: 'last' },
    ]);
    const full = await buildPromptFromSession(session, { strategy: 'conversation', counter: wordCounter });
    expect(full).toHaveLength(5);
    const cut = await buildPromptFromSession(session, { strategy: 'conversation', maxTokens: 30, counter: wordCounter, currentQuery: 'ignored' });
    expect(cut).toEqual([
      { role: 'user', content: 'u1' },
      { role: 'assistant', content: null },
    ]);
  });
});
