import { describe, expect, it } from 'vitest';
import { ToolRegistry } from '../src/execution/registry.js';
import { TOOL_STATE_STATE_KEY } from '../src/guards/constants.js';
import { ToolStateManager } from '../src/guards/manager.js';
import { loadToolStateFromSession, saveToolStateToSession } from '../src/guards/session-state.js';
import { SessionAwareToolProcessor } from '../src/processor/processor.js';
import type { ToolEventSink } from '../src/processor/sink.js';

function sink(): ToolEventSink & { state: Map<string, unknown> } {
  const state = new Map<string, unknown>();
  return { id: 's1', state, appendEvents: async () => undefined, getState: async (k) => state.get(k), setState: async (k, v) => void state.set(k, v) };
}

describe('tool state in session state', () => {
  it('saves a snapshot under tool_state and restores it', async () => {
    const s = sink();
    const state = new ToolStateManager({ limits: { execution_budget: 7 } });
    await state.bindValue('add', { a: 1, b: 2 }, 3);
    await saveToolStateToSession(state, s);
    expect(s.state.get(TOOL_STATE_STATE_KEY)).toMatchObject({ schema_version: 1 });
    const restored = await loadToolStateFromSession(s);
    expect(restored.getBinding('v1')?.raw_value).toBe(3);
    expect(restored.limits.execution_budget).toBe(7);
  });

  it('starts fresh (with the fresh options) when nothing is stored, or when the snapshot is invalid (logged)', async () => {
    const s = sink();
    expect((await loadToolStateFromSession(s, { fresh: { limits: { execution_budget: 3 } } })).limits.execution_budget).toBe(3);
    s.state.set(TOOL_STATE_STATE_KEY, { schema_version: 1, limits: 'nonsense' });
    const warnings: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (_o: object, msg?: string) => void warnings.push(msg ?? '') };
    const fresh = await loadToolStateFromSession(s, { logger });
    expect(fresh.bindings.size).toBe(0);
    expect(warnings).toEqual(['stored tool state is invalid; starting fresh']);
    expect((await loadToolStateFromSession(s)).bindings.size).toBe(0);
  });

  it('persistToolState makes the processor store the guards after every message; a new process resumes $vN numbering', async () => {
    const s = sink();
    const registry = new ToolRegistry();
    registry.register({ name: 'add', idempotent: true, execute: (a: { a: number; b: number }) => a.a + a.b });
    const message = (id: string, args: object) => ({ role: 'assistant', content: null, tool_calls: [{ id, type: 'function', function: { name: 'add', arguments: JSON.stringify(args) } }] });
    const first = new SessionAwareToolProcessor({ sink: s, registry, toolState: new ToolStateManager({ limits: { require_bindings: 'off' } }), persistToolState: true });
    await first.processLlmMessage(message('c1', { a: 2, b: 3 }));
    const resumedState = await loadToolStateFromSession(s);
    expect(resumedState.getBinding('v1')?.raw_value).toBe(5);
    const second = new SessionAwareToolProcessor({ sink: s, registry, toolState: resumedState });
    const [r] = await second.processLlmMessage(message('c2', { a: '$v1', b: 1 }));
    expect(r?.result).toBe(6);
    expect(resumedState.getBinding('v2')?.raw_value).toBe(6);
  });
});
