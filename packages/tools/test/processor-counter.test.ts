import { EventType } from '@chuk/models';
import type { SessionEvent, TokenCounter } from '@chuk/models';
import { describe, expect, it } from 'vitest';
import { ToolRegistry } from '../src/execution/registry.js';
import { SessionAwareToolProcessor } from '../src/processor/processor.js';
import type { ToolEventSink } from '../src/processor/sink.js';

/** Counts every text as `tokens` tokens and remembers what it was asked to count. */
function fixedCounter(name: string, tokens: number): TokenCounter & { texts: string[] } {
  const texts: string[] = [];
  return { name, approximate: false, texts, count: async (text: string) => (texts.push(text), tokens) };
}

function sink(tokenCounter?: TokenCounter): ToolEventSink & { events: SessionEvent[] } {
  const events: SessionEvent[] = [];
  const state = new Map<string, unknown>();
  return {
    id: 's1',
    events,
    ...(tokenCounter !== undefined ? { tokenCounter } : {}),
    appendEvents: async (e) => void events.push(...e),
    getState: async (k) => state.get(k),
    setState: async (k, v) => void state.set(k, v),
  };
}

function registry(): ToolRegistry {
  const r = new ToolRegistry();
  r.register({ name: 'echo', idempotent: true, execute: (args: { text: string }) => args.text });
  return r;
}

const message = { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'echo', arguments: '{"text":"hi there"}' } }] };

const toolEvent = (events: SessionEvent[]): SessionEvent => {
  const e = events.find((x) => x.type === EventType.ToolCall);
  if (e === undefined) throw new Error('no tool_call event');
  return e;
};

describe('SessionAwareToolProcessor counter', () => {
  it('counts the parent message and the tool-call events with the given counter', async () => {
    const counter = fixedCounter('seven', 7);
    const s = sink();
    const p = new SessionAwareToolProcessor({ sink: s, registry: registry(), counter });
    await p.processLlmMessage(message);
    expect(p.counter).toBe(counter);
    const usage = toolEvent(s.events).tokenUsage;
    expect(usage?.promptTokens).toBe(7);
    expect(usage?.completionTokens).toBe(7);
    const parent = s.events.find((e) => e.type === EventType.Message);
    expect(parent?.tokenUsage?.completionTokens).toBe(7);
    expect(counter.texts).toContain('echo({"text":"hi there"})');
  });

  it("falls back to the sink's tokenCounter, and an explicit counter wins over it", async () => {
    const fromSink = fixedCounter('sink', 3);
    const s = sink(fromSink);
    await new SessionAwareToolProcessor({ sink: s, registry: registry() }).processLlmMessage(message);
    expect(toolEvent(s.events).tokenUsage?.completionTokens).toBe(3);

    const explicit = fixedCounter('explicit', 11);
    const s2 = sink(fromSink);
    const p2 = new SessionAwareToolProcessor({ sink: s2, registry: registry(), counter: explicit });
    await p2.processLlmMessage(message);
    expect(toolEvent(s2.events).tokenUsage?.completionTokens).toBe(11);
  });

  it('uses the default counter when neither is given', async () => {
    const s = sink();
    const p = new SessionAwareToolProcessor({ sink: s, registry: registry() });
    await p.processLlmMessage(message);
    expect(p.counter).toBeUndefined();
    expect(toolEvent(s.events).tokenUsage?.totalTokens).toBeGreaterThan(0);
  });
});
