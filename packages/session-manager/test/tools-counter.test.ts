import { EventType, InMemorySessionStore } from '@chuk/models';
import type { TokenCounter } from '@chuk/models';
import { SessionAwareToolProcessor, ToolRegistry } from '@chuk/tools';
import { describe, expect, it } from 'vitest';
import { SessionManager } from '../src/manager/session-manager.js';

/** One token per word, and a record of every text counted. */
function recordingWordCounter(): TokenCounter & { texts: string[] } {
  const texts: string[] = [];
  return {
    name: 'words',
    approximate: false,
    texts,
    count: async (text: string) => {
      texts.push(text);
      return text.trim() === '' ? 0 : text.trim().split(/\s+/).length;
    },
  };
}

describe('SessionManager passes its token counter to the tool processor', () => {
  it("counts the processor's tool-call events with the facade's counter", async () => {
    const counter = recordingWordCounter();
    const manager = new SessionManager({ store: new InMemorySessionStore(), counter });
    await manager.userSays('Echo three words please');
    const registry = new ToolRegistry();
    registry.register({ name: 'echo', idempotent: true, execute: (args: { text: string }) => args.text });
    const processor = new SessionAwareToolProcessor({ sink: manager, registry });
    expect(processor.counter).toBe(manager.tokenCounter);

    await processor.processLlmMessage({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'echo', arguments: '{"text":"one two three"}' } }],
    });
    const session = await manager.getSession();
    const tool = session.events.find((e) => e.type === EventType.ToolCall);
    expect(tool?.tokenUsage?.completionTokens).toBe(3);
    expect(tool?.tokenUsage?.promptTokens).toBe(3);
    expect(counter.texts).toContain('echo({"text":"one two three"})');
    expect(counter.texts).toContain('one two three');
  });
});
