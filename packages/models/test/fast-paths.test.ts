import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PRICING, InMemorySessionStore, InvalidInput, Session, SessionEvent, SessionIdSchema, StorageError, TokenUsage, isSessionId,
  lookupPrice, nowIso,
} from '../src/index.js';
import type { PricingTable } from '../src/index.js';

describe('TokenUsage.create fast path', () => {
  it('gives the same usage as the schema path for valid input (unknown keys ignored)', () => {
    const a = TokenUsage.create({ promptTokens: 3, completionTokens: 4, model: 'gpt-4o-mini' });
    expect(a.toWire()).toEqual({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7, model: 'gpt-4o-mini', estimated_cost_usd: a.estimatedCostUsd });
    expect(a.estimatedCostUsd).toBe(0.000003);
    const extra = TokenUsage.create({ promptTokens: 1, extra: true } as never);
    expect(extra.totalTokens).toBe(1);
    expect(TokenUsage.create().toWire()).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, model: '', estimated_cost_usd: null });
    expect(TokenUsage.create({ estimatedCostUsd: 0.5, model: 'x', cachedPromptTokens: 1, reasoningTokens: 2 }).estimatedCostUsd).toBe(0.5);
  });

  it('still rejects bad input through the schema, naming the field', () => {
    for (const [input, field] of [
      [{ promptTokens: -1 }, 'tokenUsage.promptTokens'],
      [{ completionTokens: 1.5 }, 'tokenUsage.completionTokens'],
      [{ totalTokens: '3' }, 'tokenUsage.totalTokens'],
      [{ cachedPromptTokens: Number.NaN }, 'tokenUsage.cachedPromptTokens'],
      [{ reasoningTokens: -2 }, 'tokenUsage.reasoningTokens'],
      [{ model: 5 }, 'tokenUsage.model'],
      [{ estimatedCostUsd: -1 }, 'tokenUsage.estimatedCostUsd'],
    ] as const) {
      expect(() => TokenUsage.create(input as never), field).toThrow(InvalidInput);
      try {
        TokenUsage.create(input as never);
      } catch (e) {
        expect((e as InvalidInput).message).toContain(field);
      }
    }
    expect(() => TokenUsage.create(null as never)).toThrow(InvalidInput);
  });
});

describe('lookupPrice cache', () => {
  it('returns the same answer repeatedly for frozen tables', () => {
    const first = lookupPrice('gpt-4o-mini-2024-07-18');
    expect(first).toEqual({ price: DEFAULT_PRICING['gpt-4o-mini'], key: 'gpt-4o-mini', known: true, priced: true });
    expect(lookupPrice('gpt-4o-mini-2024-07-18')).toBe(first);
    expect(lookupPrice('GPT-4O-MINI').key).toBe('gpt-4o-mini');
    expect(lookupPrice('unknown-model')).toMatchObject({ key: null, known: false, priced: false });
  });

  it('stays bounded for many model names', () => {
    for (let i = 0; i < 1100; i++) expect(lookupPrice(`m-${i}`).known).toBe(false);
    expect(lookupPrice('gpt-4').key).toBe('gpt-4');
  });

  it('sees later changes of a table that is not frozen', () => {
    const table: Record<string, { input: number; output: number }> = { default: { input: 1, output: 1 } };
    expect(lookupPrice('mine', table as PricingTable).known).toBe(false);
    table.mine = { input: 2, output: 2 };
    expect(lookupPrice('mine', table as PricingTable)).toMatchObject({ key: 'mine', known: true });
  });
});

describe('nowIso', () => {
  it('formats each millisecond of the clock exactly, reusing the last text', () => {
    const at = (ms: number) => () => new Date(ms);
    expect(nowIso(at(0))).toBe('1970-01-01T00:00:00.000Z');
    expect(nowIso(at(0))).toBe('1970-01-01T00:00:00.000Z');
    expect(nowIso(at(1))).toBe('1970-01-01T00:00:00.001Z');
    expect(nowIso(at(0))).toBe('1970-01-01T00:00:00.000Z');
    expect(() => nowIso(() => new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe('InMemorySessionStore single-event append', () => {
  it('skips an already stored id and rejects a non-event', async () => {
    const store = new InMemorySessionStore();
    await store.create(new Session({ id: 's1' }));
    const e = new SessionEvent({ message: 'hi', id: 'e1' });
    expect(await store.append('s1', [e])).toEqual({ appended: 1, eventCount: 1 });
    expect(await store.append('s1', [e])).toEqual({ appended: 0, eventCount: 1 });
    await expect(store.append('s1', [{ id: 'x' } as never])).rejects.toThrow(InvalidInput);
  });
});

describe('BPE count memo', () => {
  it('counts repeated and long texts exactly, and survives a full memo', async () => {
    const { GptTokenizerCounter } = await import('../src/index.js');
    const counter = new GptTokenizerCounter();
    const text = 'The quick brown fox jumps over the lazy dog.';
    const first = await counter.count(text, 'gpt-4o-mini');
    expect(first).toBeGreaterThan(5);
    expect(await counter.count(text, 'gpt-4o-mini')).toBe(first);
    const long = 'word '.repeat(3000);
    expect(await counter.count(long, 'gpt-4o-mini')).toBe(await counter.count(long, 'gpt-4o-mini'));
    for (let i = 0; i < 300; i++) await counter.count(`text number ${i}`, 'gpt-4o-mini');
    expect(await counter.count(text, 'gpt-4o-mini')).toBe(first);
  });
});

describe('headerFromWire fast path', () => {
  it('decodes the stored form like the schema path, with copies of the lists and records', async () => {
    const { headerFromWire, headerToWire } = await import('../src/session/header.js');
    const s = new Session({ id: 'h1', properties: { user_id: 'u' }, parentId: 'p', childIds: ['c'], taskIds: ['t'], state: { k: 1 } });
    const wire = JSON.parse(JSON.stringify(headerToWire(s))) as Record<string, unknown>;
    const h = headerFromWire(wire, { revision: 3, eventCount: 2 });
    expect(h).toMatchObject({ id: 'h1', parentId: 'p', childIds: ['c'], taskIds: ['t'], state: { k: 1 }, runs: [], revision: 3, eventCount: 2 });
    expect(h.metadata.createdAt).toBe(s.metadata.createdAt);
    expect(h.metadata.properties).toEqual({ user_id: 'u' });
    expect(h.childIds).not.toBe(wire.child_ids);
    expect(h.state).not.toBe(wire.state);
    const minimal = headerFromWire({ id: 'h2', metadata: { created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-02T00:00:00.000Z' } });
    expect(minimal).toMatchObject({ parentId: null, childIds: [], taskIds: [], runs: [], state: {}, revision: 0, eventCount: 0 });
    expect(minimal.metadata.properties).toEqual({});
  });

  it('leaves unusual input to the schema: tolerant timestamps are normalised, runs decoded, errors name the field', async () => {
    const { headerFromWire } = await import('../src/session/header.js');
    const base = { id: 'h3', metadata: { created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01 00:00:00.5' } };
    const h = headerFromWire(base);
    expect(h.metadata.createdAt).toBe('2026-01-01T00:00:00.000Z');
    expect(h.metadata.updatedAt).toBe('2026-01-01T00:00:00.500Z');
    const withRun = headerFromWire({ ...base, runs: [{ id: 'r1', status: 'running' }] });
    expect(withRun.runs[0]?.id).toBe('r1');
    expect(headerFromWire({ id: 'h4' }).metadata.createdAt).toMatch(/Z$/);
    const bad: [unknown, string][] = [
      [{ ...base, id: 'a b' }, 'header.id'],
      [{ ...base, schema_version: 99 }, 'header.schema_version'],
      [{ ...base, parent_id: 5 }, 'header.parent_id'],
      [{ ...base, child_ids: [1] }, 'header.child_ids'],
      [{ ...base, task_ids: 'x' }, 'header.task_ids'],
      [{ ...base, state: [] }, 'header.state'],
      [{ ...base, metadata: { created_at: 'nope' } }, 'header.metadata.created_at'],
      [{ ...base, metadata: { ...base.metadata, properties: 3 } }, 'header.metadata.properties'],
      ['text', 'header'],
    ];
    for (const [raw, field] of bad) {
      expect(() => headerFromWire(raw)).toThrow(InvalidInput);
      try {
        headerFromWire(raw);
      } catch (e) {
        expect((e as InvalidInput).message, field).toContain(field);
      }
    }
  });
});

describe('isSessionId', () => {
  it('agrees with SessionIdSchema on ASCII and non-ASCII ids', () => {
    const ids = [
      'abc', 'w1-r1-00001', 'a:b@c.d/e_f', 'é-ü', '日本', 'x'.repeat(256), 'x'.repeat(257), '', 'a b', 'a\tb', 'a\nb',
      'a\u0000', 'a\u001f', 'a\u007f', '{a', 'a}', 'é\u00a0', 'ü\u3000x', '\u2028', 'é{', 'ok\ufeff',
    ];
    for (const id of ids) expect(isSessionId(id), JSON.stringify(id)).toBe(SessionIdSchema.safeParse(id).success);
    expect(isSessionId(5)).toBe(false);
  });
});

describe('InMemorySessionStore hot path', () => {
  it('reports failures of create and get as rejected promises, never synchronous throws', async () => {
    const store = new InMemorySessionStore();
    const bad = store.create({ id: 'bad id' } as never);
    await expect(bad).rejects.toThrow(InvalidInput);
    const s = new Session({ id: 'hot' });
    await expect(store.create(s)).resolves.toBe(1);
    const again = store.create(s);
    await expect(again).rejects.toMatchObject({ sessionId: 'hot' });
    await expect(store.get('missing')).resolves.toBeNull();
    const json = new InMemorySessionStore({ encoding: 'json' });
    await json.create(new Session({ id: 'j' }));
    (json.data.sessions.get('j') as { header: string }).header = '{broken';
    const corrupt = json.get('j');
    await expect(corrupt).rejects.toThrow(StorageError);
  });

  it('keeps a never-appended session on the shared empty list until its first append', async () => {
    const store = new InMemorySessionStore();
    await store.create(new Session({ id: 'a' }));
    await store.create(new Session({ id: 'b' }));
    const e = SessionEvent.create({ message: 'hi', source: 'user' });
    await store.append('a', [e]);
    expect((await store.get('a'))?.events.map((x) => x.id)).toEqual([e.id]);
    expect((await store.get('b'))?.events).toEqual([]);
    expect(await store.readEvents('b')).toEqual([]);
  });
});
