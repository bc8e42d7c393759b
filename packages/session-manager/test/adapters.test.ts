import { InMemorySessionStore } from '@chuk/models';
import { describe, expect, it } from 'vitest';
import type { AiSdkGenerateResult, AiSdkStreamPart } from '../src/adapters/ai-sdk.js';
import { createSessionMiddleware, usageFromAiSdk } from '../src/adapters/ai-sdk.js';
import { toAnthropicMessagesRequest, toAnthropicTool } from '../src/adapters/anthropic.js';
import { toOpenAiChatRequest } from '../src/adapters/openai.js';
import { SessionManager } from '../src/manager/session-manager.js';
import { wordCounter } from './helpers.js';

const tool = { type: 'function' as const, function: { name: 'page_fault', description: 'Load a page', parameters: { type: 'object' } } };

describe('OpenAI request data', () => {
  it('maps messages, tools and options', () => {
    const request = toOpenAiChatRequest(
      [
        { role: 'developer', content: 'rules' },
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'yo' },
      ],
      { model: 'gpt-4o-mini', tools: [tool], maxCompletionTokens: 100, temperature: 0 },
    );
    expect(request).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'developer', content: 'rules' },
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'yo' },
      ],
      tools: [tool],
      max_completion_tokens: 100,
      temperature: 0,
    });
    const plain = toOpenAiChatRequest([{ role: 'developer', content: 'rules' }], { model: 'm', tools: [], developerAsSystem: true });
    expect(plain).toEqual({ model: 'm', messages: [{ role: 'system', content: 'rules' }] });
  });
});

describe('Anthropic request data', () => {
  it('moves system text to the top level and merges same-role turns', () => {
    const request = toAnthropicMessagesRequest(
      [
        { role: 'system', content: 'sys' },
        { role: 'developer', content: 'vm rules' },
        { role: 'user', content: 'a' },
        { role: 'user', content: 'b' },
        { role: 'assistant', content: 'c' },
      ],
      { model: 'claude-3-5-haiku', maxTokens: 256, tools: [tool], temperature: 0.2 },
    );
    expect(request).toEqual({
      model: 'claude-3-5-haiku',
      max_tokens: 256,
      system: 'sys\n\nvm rules',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] },
        { role: 'assistant', content: 'c' },
      ],
      tools: [{ name: 'page_fault', description: 'Load a page', input_schema: { type: 'object' } }],
      temperature: 0.2,
    });
    expect(toAnthropicMessagesRequest([{ role: 'user', content: 'x' }], { model: 'm', maxTokens: 1 })).toEqual({
      model: 'm',
      max_tokens: 1,
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(toAnthropicTool({ type: 'function', function: { name: 'n' } })).toEqual({
      name: 'n',
      input_schema: { type: 'object', properties: {} },
    });
  });
});

describe('AI SDK middleware', () => {
  const model = { provider: 'openai.chat', modelId: 'gpt-4o-mini' };

  it('converts V2 and V3 usage', () => {
    expect(usageFromAiSdk(undefined)).toBeUndefined();
    expect(usageFromAiSdk({ inputTokens: undefined, outputTokens: undefined })).toBeUndefined();
    expect(usageFromAiSdk({ inputTokens: 10, outputTokens: 5, totalTokens: 15, cachedInputTokens: 4, reasoningTokens: 2 })).toEqual({
      inputTokens: 10,
      outputTokens: 5,
      totalTokens: 15,
      cachedInputTokens: 4,
      reasoningTokens: 2,
    });
    expect(usageFromAiSdk({ inputTokens: { total: 10, cacheRead: 3 }, outputTokens: { total: 5, reasoning: 1 } })).toEqual({
      inputTokens: 10,
      outputTokens: 5,
      cachedInputTokens: 3,
      reasoningTokens: 1,
    });
  });

  it('records user message, tool results and the reply with usage, once per step', async () => {
    const store = new InMemorySessionStore();
    const manager = new SessionManager({ store, counter: wordCounter });
    const middleware = createSessionMiddleware({ manager });
    expect(middleware.specificationVersion).toBe('v3');
    const step1 = { prompt: [{ role: 'system' as const, content: 'sys' }, { role: 'user' as const, content: [{ type: 'text' as const, text: 'weather?' }] }] };
    const params1 = await middleware.transformParams({ type: 'generate', params: step1 });
    expect(params1).toBe(step1);
    const toolCallResult: AiSdkGenerateResult = {
      content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: '{"city":"Paris"}' }],
      usage: { inputTokens: 20, outputTokens: 8 },
    };
    await middleware.wrapGenerate({ doGenerate: async () => toolCallResult, params: params1, model });
    const step2 = {
      prompt: [
        ...step1.prompt,
        { role: 'assistant' as const, content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: { city: 'Paris' } }] },
        { role: 'tool' as const, content: [{ type: 'tool-result', toolCallId: 'c1', toolName: 'weather', output: { type: 'json', value: { t: 21 } } }] },
      ],
    };
    await middleware.transformParams({ type: 'generate', params: step2 });
    await middleware.transformParams({ type: 'generate', params: step2 });
    await middleware.wrapGenerate({
      doGenerate: async () => ({ content: [{ type: 'text', text: 'It is 21.' }], usage: { inputTokens: 40, outputTokens: 4 }, response: { modelId: 'gpt-4o-mini-2024' } }),
      params: step2,
      model,
    });
    const session = await manager.getSession();
    expect(session.events.map((e) => e.type)).toEqual(['message', 'message', 'tool_call', 'message']);
    expect(session.events[1]?.metadata).toMatchObject({ tool_call_count: 1, provider: 'openai.chat' });
    expect(session.events[2]?.message).toMatchObject({ tool: 'weather', arguments: { city: 'Paris' } });
    expect(session.events[3]?.tokenUsage).toMatchObject({ promptTokens: 40, completionTokens: 4, model: 'gpt-4o-mini-2024' });
  });

  it('supplies the manager context and records streamed replies (V2)', async () => {
    const manager = new SessionManager({ store: new InMemorySessionStore(), counter: wordCounter, systemPrompt: 'managed' });
    const middleware = createSessionMiddleware({ manager, supplyContext: true, specificationVersion: 'v2' });
    expect(middleware.middlewareVersion).toBe('v2');
    const params = await middleware.transformParams({
      type: 'stream',
      params: { prompt: [{ role: 'system', content: 'caller system' }, { role: 'user', content: [{ type: 'text', text: 'hi' }] }] },
    });
    expect(params.prompt).toEqual([
      { role: 'system', content: 'managed' },
      { role: 'user', content: [{ type: 'text', text: 'hi' }] },
    ]);
    const parts: AiSdkStreamPart[] = [
      { type: 'text-delta', delta: 'Hel' },
      { type: 'text-delta', textDelta: 'lo' },
      { type: 'tool-call' },
      { type: 'finish', usage: { inputTokens: 3, outputTokens: 2 } },
    ];
    const { stream } = await middleware.wrapStream({
      doStream: async () => ({ stream: new ReadableStream({ start: (c) => { for (const p of parts) c.enqueue(p); c.close(); } }) }),
      params,
      model,
    });
    const seen: AiSdkStreamPart[] = [];
    for await (const part of stream) seen.push(part);
    expect(seen).toHaveLength(4);
    const messages = await manager.getMessagesForLlm();
    expect(messages.at(-1)).toEqual({ role: 'assistant', content: 'Hello' });
    const withHistory = await middleware.transformParams({
      type: 'generate',
      params: { prompt: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }, { role: 'assistant', content: [{ type: 'text', text: 'Hello' }] }, { role: 'user', content: [{ type: 'text', text: 'more' }] }] },
    });
    expect(withHistory.prompt.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
  });

  it('keeps non-object tool inputs', async () => {
    const manager = new SessionManager({ store: new InMemorySessionStore(), counter: wordCounter });
    const middleware = createSessionMiddleware({ manager });
    await middleware.transformParams({
      type: 'generate',
      params: {
        prompt: [
          { role: 'user', content: [{ type: 'text', text: 'x' }] },
          { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'a', toolName: 't', input: 'not json' }, { type: 'tool-call', toolCallId: 'b', toolName: 't', input: '[1]' }] },
          { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'a', toolName: 't', output: 1 }, { type: 'tool-result', toolCallId: 'b', toolName: 't', output: 2 }, { type: 'tool-result', toolCallId: 'z', toolName: 'u', output: 3 }] },
        ],
      },
    });
    const tools = (await manager.getSession()).events.slice(1).map((e) => (e.message as { arguments: unknown }).arguments);
    expect(tools).toEqual([{ input: 'not json' }, { input: [1] }, {}]);
  });
});
