import { EventType } from '@chuk/models';
import type { SessionEvent, ToolCallEventMessage } from '@chuk/models';
import { describe, expect, it } from 'vitest';
import { ToolRegistry } from '../src/execution/registry.js';
import { ToolStateManager } from '../src/guards/manager.js';
import { SessionAwareToolProcessor } from '../src/processor/processor.js';
import type { ToolEventSink } from '../src/processor/sink.js';

function setup(guarded: boolean) {
  const events: SessionEvent[] = [];
  const sink: ToolEventSink = { id: 's', appendEvents: async (e) => void events.push(...e), getState: async () => undefined, setState: async () => undefined };
  const registry = new ToolRegistry();
  registry.register({
    name: 'forecast',
    idempotent: true,
    parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer', default: 1 } }, required: ['city'] },
    execute: (a: { city: string; days: number }) => `${a.city}: ${a.days} day(s)`,
  });
  const processor = new SessionAwareToolProcessor({ sink, registry, ...(guarded ? { toolState: new ToolStateManager({ limits: { require_bindings: 'off' } }) } : {}) });
  const toolEvents = () => events.filter((e) => e.type === EventType.ToolCall);
  return { processor, toolEvents };
}

const message = (args: Record<string, unknown>) => ({
  role: 'assistant',
  content: null,
  tool_calls: [{ id: 'c1', type: 'function', function: { name: 'forecast', arguments: JSON.stringify(args) } }],
});

describe('tool_call events log the arguments actually executed (§17.1)', () => {
  for (const guarded of [false, true]) {
    it(`default-filled arguments are logged, the model's arguments kept in coerced_from (${guarded ? 'guarded' : 'direct'})`, async () => {
      const { processor, toolEvents } = setup(guarded);
      await processor.processLlmMessage(message({ city: 'Lisbon' }));
      const [event] = toolEvents();
      expect((event?.message as ToolCallEventMessage).arguments).toEqual({ city: 'Lisbon', days: 1 });
      expect(event?.metadata.coerced_from).toEqual({ city: 'Lisbon' });
    });
  }

  it('no coerced_from when nothing changed; the idempotency key is recorded there when it was taken out', async () => {
    const { processor, toolEvents } = setup(true);
    await processor.processLlmMessage(message({ city: 'Porto', days: 2 }));
    await processor.processLlmMessage(message({ city: 'Faro', days: 3, _idempotency_key: 'k1' }));
    const [plain, keyed] = toolEvents();
    expect(plain?.metadata).not.toHaveProperty('coerced_from');
    expect((keyed?.message as ToolCallEventMessage).arguments).toEqual({ city: 'Faro', days: 3 });
    expect(keyed?.metadata.coerced_from).toEqual({ city: 'Faro', days: 3, _idempotency_key: 'k1' });
  });
});

describe('SessionAwareToolProcessor unresolvedGuard option', () => {
  it('hands the guard to its runner: a leftover placeholder is blocked', async () => {
    const { UnresolvedReferenceGuard } = await import('../src/guards/unresolved.js');
    const events: SessionEvent[] = [];
    const registry = new ToolRegistry();
    registry.register({ name: 'forecast', idempotent: true, execute: () => 'sunny' });
    const processor = new SessionAwareToolProcessor({
      sink: { id: 's', appendEvents: async (e) => void events.push(...e), getState: async () => undefined, setState: async () => undefined },
      registry,
      toolState: new ToolStateManager(),
      unresolvedGuard: new UnresolvedReferenceGuard({ mode: 'block', graceCalls: 0 }),
    });
    const [r] = await processor.processLlmMessage(message({ city: '{{city}}' }));
    expect(r?.error).toContain('Unresolved placeholders in `forecast` arguments: {{city}}');
  });
});
