import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EventSource, EventType, InvalidInput, SessionEvent, TokenUsage, ToolCallEventMessageSchema } from '../src/index.js';
import type { PricingTable } from '../src/index.js';
import { eventFromWireSchema } from '../src/session/event.js';
import { tokenUsageFromWireSchema } from '../src/tokens/usage.js';

const clock = () => new Date('2024-05-06T07:08:09.010Z');
const toolCall = {
  tool: 'search',
  arguments: { q: 'x', n: 2 },
  raw_arguments: null,
  result: { hits: [1, 2] },
  result_text: '{"hits":[1,2]}',
  error: null,
  success: true,
  cached: false,
  call_id: 'c1',
  outcome: 'success',
  attempts: 1,
  duration_ms: 12,
};

/** Valid stored events: every source and type, usage shapes old and new, links, metadata, defaults. */
function validEvents(): unknown[] {
  const out: unknown[] = [];
  let n = 0;
  for (const source of Object.values(EventSource)) {
    for (const type of Object.values(EventType)) {
      out.push({ id: `e${n++}`, message: `hi ${source} ${type}`, timestamp: '2024-01-02T03:04:05.678Z', source, type, metadata: {}, parent_event_id: null, task_id: null, token_usage: null });
    }
  }
  const usages: unknown[] = [
    { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7, model: 'gpt-4o-mini', estimated_cost_usd: 0.000003 },
    { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7, model: 'gpt-4o-mini', estimated_cost_usd: null },
    { prompt_tokens: 3, completion_tokens: 0, total_tokens: 0, model: '', estimated_cost_usd: null },
    { prompt_tokens: 5, completion_tokens: 5, total_tokens: 12, model: 'no-such-model', estimated_cost_usd: 0, unpriced: true },
    { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10, model: 'no-such-model', estimated_cost_usd: null },
    { prompt_tokens: 9, completion_tokens: 1, total_tokens: 10, model: 'gpt-4o', estimated_cost_usd: 0.1, cached_prompt_tokens: 4, reasoning_tokens: 1 },
    { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2, model: 'x', estimated_cost_usd: 0.5, unpriced: false, extra: 'ignored' },
    {},
    { model: 'gpt-4o' },
  ];
  for (const token_usage of usages) {
    out.push({ id: `u${n++}`, message: 'reply', timestamp: '2024-01-02T03:04:05.678Z', source: 'llm', type: 'message', metadata: { model: 'm' }, parent_event_id: 'p1', task_id: 't1', token_usage });
  }
  out.push(
    { id: 'tc', message: toolCall, timestamp: '2024-01-02T03:04:05.000Z', source: 'system', type: 'tool_call', metadata: { parent_event_id: 'legacy' } },
    { id: 'min', message: '' },
    { id: 'no-ts', message: { nested: [{ a: 1 }] }, source: 'user' },
    { id: 'loose-ts', message: null, timestamp: '2024-01-02T03:04:05Z' },
    { id: 'offset-ts', message: 1, timestamp: '2024-01-02T05:04:05.678+02:00' },
    { id: 'extra-key', message: 'x', unknown_key: 1, metadata: { a: { b: [1] } } },
    { id: 'null-usage', message: 'x', token_usage: null },
  );
  return out;
}

describe('SessionEvent.fromWire fast path', () => {
  it('decodes every valid stored shape exactly as the schema path does', () => {
    const pricing: PricingTable = { default: { input: 1, output: 2 } };
    for (const raw of validEvents()) {
      const copy = JSON.parse(JSON.stringify(raw)) as unknown;
      for (const opts of [{ clock }, { clock, pricing, field: 'events.3' }]) {
        const fast = SessionEvent.fromWire(raw, opts);
        expect(fast, JSON.stringify(raw)).toStrictEqual(eventFromWireSchema(copy, opts));
        expect(fast.toWire()).toStrictEqual(eventFromWireSchema(copy, opts).toWire());
      }
    }
  });

  it('copies the metadata and keeps the stored message', () => {
    const raw = { id: 'e', message: { a: 1 }, metadata: { k: 1 } };
    const event = SessionEvent.fromWire(raw);
    expect(event.metadata).not.toBe(raw.metadata);
    expect(event.metadata).toEqual({ k: 1 });
    expect(event.message).toBe(raw.message);
  });

  it('parses the message with a message schema (typed tool-call payload), naming the field', () => {
    const raw = { id: 'e', message: { ...toolCall, cached: undefined }, type: 'tool_call' };
    const typed = SessionEvent.fromWire(raw, { messageSchema: ToolCallEventMessageSchema });
    expect(typed.message).toStrictEqual(eventFromWireSchema(raw, { messageSchema: ToolCallEventMessageSchema }).message);
    expect(typed.message.cached).toBe(false);
    expect(() => SessionEvent.fromWire({ id: 'e', message: { tool: 1 } }, { messageSchema: ToolCallEventMessageSchema, field: 'events.2' })).toThrow(
      /events\.2\.message\.tool/,
    );
  });

  it('gives the same typed error as the schema path for malformed input, naming the field', () => {
    const base = { id: 'e', message: 'x', timestamp: '2024-01-02T03:04:05.678Z', source: 'user', type: 'message' };
    const cases: [unknown, string][] = [
      [null, 'events.1'],
      [[base], 'events.1'],
      [{ ...base, id: '' }, 'events.1.id'],
      [{ id: 'no-message' }, 'events.1.message'],
      [{ ...base, id: 5 }, 'events.1.id'],
      [{ ...base, timestamp: 'yesterday' }, 'events.1.timestamp'],
      [{ ...base, timestamp: 5 }, 'events.1.timestamp'],
      [{ ...base, source: 'robot' }, 'events.1.source'],
      [{ ...base, source: null }, 'events.1.source'],
      [{ ...base, type: 'chat' }, 'events.1.type'],
      [{ ...base, metadata: [] }, 'events.1.metadata'],
      [{ ...base, metadata: null }, 'events.1.metadata'],
      [{ ...base, parent_event_id: 3 }, 'events.1.parent_event_id'],
      [{ ...base, task_id: {} }, 'events.1.task_id'],
      [{ ...base, token_usage: 'lots' }, 'events.1.token_usage'],
      [{ ...base, token_usage: { prompt_tokens: -1 } }, 'events.1.token_usage.prompt_tokens'],
      [{ ...base, token_usage: { completion_tokens: 1.5 } }, 'events.1.token_usage.completion_tokens'],
      [{ ...base, token_usage: { total_tokens: '3' } }, 'events.1.token_usage.total_tokens'],
      [{ ...base, token_usage: { model: null } }, 'events.1.token_usage.model'],
      [{ ...base, token_usage: { estimated_cost_usd: -0.1 } }, 'events.1.token_usage.estimated_cost_usd'],
      [{ ...base, token_usage: { cached_prompt_tokens: null } }, 'events.1.token_usage.cached_prompt_tokens'],
      [{ ...base, token_usage: { reasoning_tokens: Number.NaN } }, 'events.1.token_usage.reasoning_tokens'],
      [{ ...base, token_usage: { unpriced: 'yes' } }, 'events.1.token_usage.unpriced'],
      [{ ...base, token_usage: { unpriced: null } }, 'events.1.token_usage.unpriced'],
    ];
    for (const [raw, field] of cases) {
      const fast = catchError(() => SessionEvent.fromWire(raw, { field: 'events.1' }));
      const slow = catchError(() => eventFromWireSchema(raw, { field: 'events.1' }));
      expect(fast, field).toBeInstanceOf(InvalidInput);
      expect(fast.field, JSON.stringify(raw)).toBe(field);
      expect(fast.field).toBe(slow.field);
      expect(fast.message).toBe(slow.message);
    }
  });

  it('reports the envelope before the message and the message before the usage, as the schema does', () => {
    const raw = { id: 'e', message: { tool: 1 }, token_usage: { prompt_tokens: -1 } };
    const error = catchError(() => SessionEvent.fromWire(raw, { messageSchema: z.object({ tool: z.string() }) }));
    expect(error.field).toBe('event.message.tool');
  });
});

describe('TokenUsage.fromWire fast path', () => {
  it('matches the schema path for valid stored usages, old shapes included', () => {
    for (const raw of [
      { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7, model: 'gpt-4o-mini', estimated_cost_usd: null },
      { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10, model: 'no-such-model', estimated_cost_usd: 0, unpriced: true },
      { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10, model: 'gpt-4o', estimated_cost_usd: 0 },
      {},
    ]) {
      expect(TokenUsage.fromWire(raw)).toStrictEqual(tokenUsageFromWireSchema(raw));
    }
    expect(TokenUsage.fromWire({ model: 'no-such-model', estimated_cost_usd: 0, unpriced: true }).unpriced).toBe(true);
  });

  it('falls back to the schema for malformed usage', () => {
    expect(catchError(() => TokenUsage.fromWire({ prompt_tokens: -1 }, { field: 'u' })).field).toBe('u.prompt_tokens');
    expect(catchError(() => TokenUsage.fromWire(null)).field).toBe('token_usage');
  });
});

function catchError(run: () => unknown): InvalidInput {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidInput) return error;
    throw error;
  }
  throw new Error('expected an InvalidInput');
}
