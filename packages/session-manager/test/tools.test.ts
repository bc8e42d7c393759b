import { EventType, InMemorySessionStore } from '@chuk/models';
import { SessionAwareToolProcessor, ToolRegistry, ToolStateManager } from '@chuk/tools';
import type { InternalToolHandler, ToolEventSink } from '@chuk/tools';
import type { MemoryManager } from '@chuk/vm';
import { PageType } from '@chuk/vm';
import { describe, expect, it } from 'vitest';
import { SessionManager } from '../src/manager/session-manager.js';
import { wordCounter } from './helpers.js';

function registry(): ToolRegistry {
  const r = new ToolRegistry();
  r.register({
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    execute: (args: Record<string, unknown>) => ({ city: args.city, high_c: 21 }),
  });
  return r;
}

function openAiMessage(calls: { id: string; name: string; args: unknown }[]): unknown {
  return {
    role: 'assistant',
    content: null,
    tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.args) } })),
  };
}

describe('SessionManager as the tool processor sink', () => {
  it('is a ToolEventSink and its handleVmToolCall an InternalToolHandler', () => {
    const manager = new SessionManager({ store: new InMemorySessionStore() });
    const sink: ToolEventSink = manager;
    const handler: InternalToolHandler = manager.handleVmToolCall;
    expect(sink.id).toBe(manager.sessionId);
    expect(typeof handler).toBe('function');
  });

  it('logs every processed call in the session, pages external tools and routes VM tools', async () => {
    const manager = new SessionManager({ store: new InMemorySessionStore(), counter: wordCounter, enableVm: true });
    await manager.userSays('What is the weather in Lisbon? Remember my code word is mango.');
    const processor = new SessionAwareToolProcessor({
      sink: manager,
      registry: registry(),
      internalTools: manager.handleVmToolCall,
      retryDelayMs: 1,
    });
    const outcome = await processor.processLlmMessageDetailed(
      openAiMessage([
        { id: 'c1', name: 'get_weather', args: { city: 'Lisbon' } },
        { id: 'c2', name: 'search_pages', args: { query: 'mango' } },
      ]),
    );
    expect(outcome.results).toHaveLength(2);
    const session = await manager.getSession();
    const tools = session.events.filter((e) => e.type === EventType.ToolCall);
    expect(tools.map((e) => (e.message as { tool: string }).tool)).toEqual(['get_weather', 'search_pages']);
    const stats = await manager.getStats();
    expect(stats.toolCalls).toBe(2);
    expect(stats.aiMessages).toBe(1);
    const artifacts = (await (manager.vm as MemoryManager).getL0Pages()).filter((p) => p.pageType === PageType.Artifact);
    expect(artifacts).toHaveLength(1);
    expect(String(artifacts[0]?.content)).toContain('get_weather');
  });

  it('keeps guard state in the session state through the sink', async () => {
    const store = new InMemorySessionStore();
    const manager = new SessionManager({ store, counter: wordCounter });
    await manager.userSays('weather in Porto and Faro');
    const processor = new SessionAwareToolProcessor({
      sink: manager,
      registry: registry(),
      toolState: new ToolStateManager({ limits: { tool_budget_total: 1, execution_budget: 1 } }),
      saveMode: 'batch',
      retryDelayMs: 1,
    });
    const outcome = await processor.processLlmMessageDetailed(
      openAiMessage([
        { id: 'a', name: 'get_weather', args: { city: 'Porto' } },
        { id: 'b', name: 'get_weather', args: { city: 'Faro' } },
      ]),
    );
    const stored = await store.get(manager.sessionId);
    const toolEvents = stored?.events.filter((e) => e.type === EventType.ToolCall) ?? [];
    expect(toolEvents).toHaveLength(2);
    expect(toolEvents.map((e) => (e.message as { success: boolean }).success)).toEqual([true, false]);
    expect(outcome.results[1]?.error).toBeTruthy();
  });
});
