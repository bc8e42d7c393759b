import { describe, expect, it } from 'vitest';
import type { PromptMessage } from '@chuk/models';
import type { ConversationMessage } from '../src/index.js';
import {
  argumentsText,
  normalizeMessages,
  sessionToConversationMessages,
  toAiSdkMessages,
  toAnthropicMessages,
  toOpenAIMessages,
  toolInputObject,
} from '../src/index.js';
import { sessionOf } from './helpers.js';

const promptWithTools: PromptMessage[] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: "What's the weather?" },
  { role: 'assistant', content: null },
  { role: 'tool', name: 'weather', content: '{"temperature":"72°F"}' },
  { role: 'tool', name: 'clock', content: '"12:00"' },
];

const linked: ConversationMessage[] = [
  { role: 'developer', content: 'Rules.' },
  { role: 'user', content: 'Add 2 and 3', name: 'ann' },
  { role: 'assistant', content: 'Calculating.', toolCalls: [{ id: 'call_1', name: 'add', input: { a: 2, b: 3 } }] },
  { role: 'tool', content: '5', name: 'add', toolCallId: 'call_1' },
  { role: 'tool', content: 'boom', name: 'mul', toolCallId: 'call_2', isError: true },
  { role: 'assistant', content: 'It is 5.' },
];

describe('normalizeMessages', () => {
  it('links unlinked tool results to the assistant before them', () => {
    const out = normalizeMessages(promptWithTools);
    expect(out[2]).toEqual({
      kind: 'assistant',
      content: null,
      toolCalls: [
        { id: 'chuk_call_1', name: 'weather', input: {} },
        { id: 'chuk_call_2', name: 'clock', input: {} },
      ],
    });
    expect(out[3]).toMatchObject({ kind: 'tool', toolCallId: 'chuk_call_1' });
  });

  it('creates an assistant for an orphan result, reuses a declared call by name and drops unanswered calls', () => {
    const out = normalizeMessages([
      { role: 'tool', content: 'orphan' },
      { role: 'user', content: 'q' },
      { role: 'assistant', content: null, toolCalls: [{ id: 'x', name: 'n', input: '{"a":1}' }, { id: 'y', name: 'never', input: {} }] },
      { role: 'tool', content: 'r', name: 'n' },
      { role: 'assistant', content: null },
      { role: 'assistant', content: '' },
    ]);
    expect(out).toEqual([
      { kind: 'assistant', content: null, toolCalls: [{ id: 'chuk_call_1', name: 'unknown', input: {} }] },
      { kind: 'tool', toolCallId: 'chuk_call_1', name: 'unknown', content: 'orphan', isError: false },
      { kind: 'user', content: 'q' },
      { kind: 'assistant', content: null, toolCalls: [{ id: 'x', name: 'n', input: '{"a":1}' }] },
      { kind: 'tool', toolCallId: 'x', name: 'n', content: 'r', isError: false },
    ]);
  });

  it('turns odd inputs into tool input objects', () => {
    expect(toolInputObject({ a: 1 })).toEqual({ a: 1 });
    expect(toolInputObject(null)).toEqual({});
    expect(toolInputObject('{"a":1}')).toEqual({ a: 1 });
    expect(toolInputObject('[1]')).toEqual({ input: '[1]' });
    expect(toolInputObject('not json')).toEqual({ input: 'not json' });
    expect(toolInputObject(3)).toEqual({ input: 3 });
    expect(argumentsText('{"raw":true}')).toBe('{"raw":true}');
    expect(argumentsText(undefined)).toBe('{}');
  });
});

describe('toOpenAIMessages', () => {
  it('exports linked messages', () => {
    expect(toOpenAIMessages(linked)).toEqual([
      { role: 'developer', content: 'Rules.' },
      { role: 'user', content: 'Add 2 and 3', name: 'ann' },
      {
        role: 'assistant',
        content: 'Calculating.',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'add', arguments: '{"a":2,"b":3}' } },
          { id: 'call_2', type: 'function', function: { name: 'mul', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '5' },
      { role: 'tool', tool_call_id: 'call_2', content: 'boom' },
      { role: 'assistant', content: 'It is 5.' },
    ]);
  });

  it('exports prompt-builder output with matching ids', () => {
    const out = toOpenAIMessages(promptWithTools);
    expect(out[0]).toEqual({ role: 'system', content: 'Be brief.' });
    expect(out[1]).toEqual({ role: 'user', content: "What's the weather?" });
    const call = out[2];
    expect(call?.role === 'assistant' ? call.tool_calls?.map((c) => c.id) : null).toEqual(['chuk_call_1', 'chuk_call_2']);
    expect(out.slice(3)).toEqual([
      { role: 'tool', tool_call_id: 'chuk_call_1', content: '{"temperature":"72°F"}' },
      { role: 'tool', tool_call_id: 'chuk_call_2', content: '"12:00"' },
    ]);
  });
});

describe('toAnthropicMessages', () => {
  it('moves system text out, makes tool_use / tool_result blocks and merges roles', () => {
    expect(toAnthropicMessages(linked)).toEqual({
      system: 'Rules.',
      messages: [
        { role: 'user', content: 'Add 2 and 3' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Calculating.' },
            { type: 'tool_use', id: 'call_1', name: 'add', input: { a: 2, b: 3 } },
            { type: 'tool_use', id: 'call_2', name: 'mul', input: {} },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_1', content: '5' },
            { type: 'tool_result', tool_use_id: 'call_2', content: 'boom', is_error: true },
          ],
        },
        { role: 'assistant', content: 'It is 5.' },
      ],
    });
  });

  it('leaves out empty text and omits system when there is none', () => {
    const out = toAnthropicMessages([
      { role: 'system', content: '' },
      { role: 'user', content: '' },
      { role: 'user', content: 'a' },
      { role: 'user', content: 'b' },
    ]);
    expect(out).toEqual({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'a' },
            { type: 'text', text: 'b' },
          ],
        },
      ],
    });
  });
});

describe('toAiSdkMessages', () => {
  it('exports ModelMessages', () => {
    expect(toAiSdkMessages(linked)).toEqual([
      { role: 'system', content: 'Rules.' },
      { role: 'user', content: 'Add 2 and 3' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Calculating.' },
          { type: 'tool-call', toolCallId: 'call_1', toolName: 'add', input: { a: 2, b: 3 } },
          { type: 'tool-call', toolCallId: 'call_2', toolName: 'mul', input: {} },
        ],
      },
      {
        role: 'tool',
        content: [
          { type: 'tool-result', toolCallId: 'call_1', toolName: 'add', output: { type: 'text', value: '5' } },
          { type: 'tool-result', toolCallId: 'call_2', toolName: 'mul', output: { type: 'error-text', value: 'boom' } },
        ],
      },
      { role: 'assistant', content: 'It is 5.' },
    ]);
  });

  it('exports a placeholder assistant with tool calls only', () => {
    const out = toAiSdkMessages(promptWithTools);
    expect(out[2]).toEqual({
      role: 'assistant',
      content: [
        { type: 'tool-call', toolCallId: 'chuk_call_1', toolName: 'weather', input: {} },
        { type: 'tool-call', toolCallId: 'chuk_call_2', toolName: 'clock', input: {} },
      ],
    });
  });
});

describe('sessionToConversationMessages', () => {
  it('rebuilds assistant tool calls from tool_call events', () => {
    const session = sessionOf([
      { message: 'Weather in Paris?', source: 'user' },
      { id: 'reply', message: 'Checking.', source: 'llm' },
      {
        id: 'ev-tool',
        type: 'tool_call',
        parentEventId: 'reply',
        message: { tool: 'weather', arguments: { city: 'Paris' }, result: { t: 20 }, result_text: '{"t":20}', error: null, success: true, call_id: 'call_w' },
      },
      { message: 'older summary', type: 'summary' },
      { message: { tool_name: 'legacy', result: { ok: 1 }, error: 'failed' }, type: 'tool_call' },
      { message: 'Thanks', source: 'user' },
      { message: 'raw payload', type: 'tool_call' },
      { message: { tool: 'nothing' }, type: 'tool_call', parentEventId: 'missing' },
    ]);
    const messages = sessionToConversationMessages(session);
    expect(messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: 'Checking.',
        toolCalls: [
          { id: 'call_w', name: 'weather', input: { city: 'Paris' } },
          { id: expect.any(String), name: 'legacy', input: {} },
        ],
      },
      { role: 'tool', name: 'weather', toolCallId: 'call_w', content: '{"t":20}' },
      { role: 'tool', name: 'legacy', toolCallId: expect.any(String), content: '{"ok":1}', isError: true },
      { role: 'user', content: 'Thanks' },
      {
        role: 'assistant',
        content: null,
        toolCalls: [
          { id: expect.any(String), name: 'unknown', input: {} },
          { id: expect.any(String), name: 'nothing', input: {} },
        ],
      },
      { role: 'tool', name: 'unknown', toolCallId: expect.any(String), content: 'raw payload' },
      { role: 'tool', name: 'nothing', toolCallId: expect.any(String), content: 'null' },
    ]);
    expect(sessionToConversationMessages(session, { includeSummaries: true })).toContainEqual({ role: 'system', content: 'older summary' });
    const openai = toOpenAIMessages(messages);
    expect(openai.filter((m) => m.role === 'tool')).toHaveLength(4);
  });
});
