import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PRICE_KEY, DEFAULT_PRICING, DEFAULT_TOKEN_MODEL, HeuristicTokenCounter, InvalidInput, PricingTableSchema,
  REFERENCE_FALLBACK_PRICE, SessionStatsSchema, TOOL_EXECUTION_MODEL, TokenSummary, TokenUsage, estimateCostUsd,
  isKnownModel, lookupPrice, resolvePrice,
} from '@chuk/models';
import type { PricingTable } from '@chuk/models';

/** The reference behaviour: unknown models priced at the fallback row (opt-in). */
const WITH_FALLBACK: PricingTable = Object.freeze({ ...DEFAULT_PRICING, [DEFAULT_PRICE_KEY]: REFERENCE_FALLBACK_PRICE });

const estimate = new HeuristicTokenCounter();

describe('pricing', () => {
  it('pins the reference rows', () => {
    const cost = (m: string) => estimateCostUsd(1000, 500, m);
    expect(cost('gpt-4')).toBe(0.06);
    expect(cost('gpt-4-turbo')).toBe(0.025);
    expect(cost('gpt-3.5-turbo')).toBe(0.00125);
    expect(cost('claude-3-opus')).toBe(0.0525);
    expect(cost('claude-3-sonnet')).toBe(0.0105);
    expect(cost('claude-3-haiku')).toBe(0.000875);
    expect(estimateCostUsd(0, 0, 'gpt-4')).toBe(0);
    expect(REFERENCE_FALLBACK_PRICE).toEqual({ input: 0.001, output: 0.002 });
    expect(DEFAULT_PRICE_KEY in DEFAULT_PRICING).toBe(false);
  });
  it('prices an unknown model at 0 and flags it, never throws', () => {
    expect(estimateCostUsd(1000, 500, 'some-unknown')).toBe(0);
    expect(lookupPrice('some-unknown')).toEqual({ price: { input: 0, output: 0 }, key: null, known: false, priced: false });
    expect(lookupPrice('gpt-4-0613')).toMatchObject({ key: 'gpt-4', known: true, priced: true });
    expect(resolvePrice('')).toEqual({ input: 0, output: 0 });
  });
  it('keeps the fallback for a table with a default row', () => {
    expect(estimateCostUsd(1000, 500, 'some-unknown', WITH_FALLBACK)).toBe(0.002);
    expect(lookupPrice('some-unknown', WITH_FALLBACK)).toEqual({ price: REFERENCE_FALLBACK_PRICE, key: 'default', known: false, priced: true });
    expect(resolvePrice('', WITH_FALLBACK)).toBe(REFERENCE_FALLBACK_PRICE);
    expect(isKnownModel('default', WITH_FALLBACK)).toBe(false);
    expect(estimateCostUsd(1000, 500, 'gpt-4', WITH_FALLBACK)).toBe(0.06);
  });
  it('accepts tables with and without a default row', () => {
    expect(PricingTableSchema.parse({ mine: { input: 1, output: 2 } })).toEqual({ mine: { input: 1, output: 2 } });
    expect(PricingTableSchema.safeParse({ mine: { input: -1, output: 2 } }).success).toBe(false);
    expect(PricingTableSchema.parse(WITH_FALLBACK)).toEqual(WITH_FALLBACK);
  });
  it('resolves by prefix and case', () => {
    expect(resolvePrice('GPT-4')).toBe(DEFAULT_PRICING['gpt-4']);
    expect(resolvePrice('gpt-4-0613')).toBe(DEFAULT_PRICING['gpt-4']);
    expect(resolvePrice('claude-3-opus-20240229')).toBe(DEFAULT_PRICING['claude-3-opus']);
    expect(resolvePrice('gpt-4o-mini')).toBe(DEFAULT_PRICING['gpt-4o-mini']);
    expect(resolvePrice('gpt-4o-mini-2024-07-18')).toBe(DEFAULT_PRICING['gpt-4o-mini']);
    expect(lookupPrice('mystery').known).toBe(false);
    expect(isKnownModel('gpt-4o')).toBe(true);
    expect(isKnownModel('default')).toBe(false);
  });
  it('prices tool execution at zero in every table', () => {
    expect(estimateCostUsd(1000, 1000, TOOL_EXECUTION_MODEL)).toBe(0);
    expect(estimateCostUsd(1000, 1000, TOOL_EXECUTION_MODEL, { default: { input: 1, output: 1 } })).toBe(0);
  });
  it('prices cached input and reasoning tokens where a row does', () => {
    expect(estimateCostUsd(1000, 0, 'gpt-4o', undefined, { cachedPromptTokens: 1000 })).toBe(0.00125);
    const table = { default: { input: 1, output: 2, reasoning: 4 } };
    expect(estimateCostUsd(0, 1000, 'x', table, { reasoningTokens: 500 })).toBe(3);
  });
});

describe('TokenUsage', () => {
  it('defaults and normalisation', () => {
    const u = TokenUsage.create();
    expect([u.promptTokens, u.completionTokens, u.totalTokens, u.model, u.estimatedCostUsd]).toEqual([0, 0, 0, '', null]);
    expect(TokenUsage.create({ promptTokens: 10, completionTokens: 5 }).totalTokens).toBe(15);
    expect(TokenUsage.create({ promptTokens: 10, completionTokens: 5, totalTokens: 99 }).totalTokens).toBe(99);
    expect(TokenUsage.create({ promptTokens: 1000, completionTokens: 500, model: 'gpt-4' }).estimatedCostUsd).toBe(0.06);
    expect(TokenUsage.create({ promptTokens: 1000, model: 'gpt-4', estimatedCostUsd: 0 }).estimatedCostUsd).toBe(0);
    expect(TokenUsage.create({ model: 'gpt-4' }).estimatedCostUsd).toBe(0);
    expect(Object.isFrozen(u)).toBe(true);
  });
  it('rejects negative counts naming the field', () => {
    expect(() => TokenUsage.create({ promptTokens: -1 })).toThrow(InvalidInput);
    try {
      TokenUsage.fromWire({ prompt_tokens: -3 });
    } catch (e) {
      expect((e as InvalidInput).field).toBe('token_usage.prompt_tokens');
    }
  });
  it('withAdded, plus and wire', () => {
    const a = TokenUsage.create({ promptTokens: 10, completionTokens: 5, totalTokens: 99 });
    const b = a.withAdded(1, 1);
    expect([b.totalTokens, b.estimatedCostUsd]).toEqual([17, null]);
    const c = TokenUsage.create({ promptTokens: 1, model: 'gpt-4' });
    expect(a.plus(c).model).toBe('gpt-4');
    expect(c.plus(a).model).toBe('gpt-4');
    expect(a.plus(a).model).toBe('');
    expect(a.plus(a).estimatedCostUsd).toBeNull();
    expect(a.calculateCost()).toBe(0);
    expect(a.calculateCost(WITH_FALLBACK)).toBeCloseTo(0.00002, 8);
    expect(TokenUsage.fromWire(c.toWire())).toEqual(c);
    expect(JSON.parse(JSON.stringify(c))).toEqual(c.toWire());
  });
  it('flags an unknown model: cost 0, unpriced, kept through the wire', () => {
    const u = TokenUsage.create({ promptTokens: 1000, completionTokens: 500, model: 'my-local-llm' });
    expect([u.estimatedCostUsd, u.unpriced]).toEqual([0, true]);
    expect(u.toWire()).toMatchObject({ estimated_cost_usd: 0, unpriced: true });
    const back = TokenUsage.fromWire(JSON.parse(JSON.stringify(u)));
    expect([back.estimatedCostUsd, back.unpriced]).toEqual([0, true]);
    expect(u.withAdded(1, 1).unpriced).toBe(true);
    expect(u.plus(u).unpriced).toBe(true);
    expect(TokenUsage.create({ promptTokens: 1000, model: 'my-local-llm' }, { pricing: WITH_FALLBACK })).toMatchObject({
      estimatedCostUsd: 0.001,
      unpriced: false,
    });
  });
  it('never flags a priced, an explicit or an empty-model cost', () => {
    const priced = TokenUsage.create({ promptTokens: 1000, model: 'gpt-4' });
    expect(priced.unpriced).toBe(false);
    expect('unpriced' in priced.toWire()).toBe(false);
    expect(TokenUsage.create({ promptTokens: 10, model: 'my-local-llm', estimatedCostUsd: 0.5 }).unpriced).toBe(false);
    expect(TokenUsage.create({ promptTokens: 10 }).unpriced).toBe(false);
    expect(TokenUsage.create({ promptTokens: 10, model: TOOL_EXECUTION_MODEL }).unpriced).toBe(false);
    // the flag only qualifies a stored cost: with a null cost it is recomputed
    expect(TokenUsage.fromWire({ prompt_tokens: 10, model: 'gpt-4', estimated_cost_usd: null, unpriced: true }).unpriced).toBe(false);
    expect(TokenUsage.fromWire({ prompt_tokens: 10, model: '', unpriced: true }).unpriced).toBe(false);
  });
  it('decodes an event usage stored before the flag existed (old fallback cost kept)', () => {
    const old = TokenUsage.fromWire({ prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500, model: 'mystery', estimated_cost_usd: 0.002 });
    expect([old.estimatedCostUsd, old.unpriced]).toEqual([0.002, false]);
  });
  it('fromText counts prompt and non-empty completion', async () => {
    const u = await TokenUsage.fromText('abcdefgh', 'abcd', undefined, { counter: estimate });
    expect([u.promptTokens, u.completionTokens, u.model]).toEqual([2, 1, DEFAULT_TOKEN_MODEL]);
    const v = await TokenUsage.fromText('abc', '', 'gpt-4', { counter: estimate });
    expect(v.completionTokens).toBe(0);
    expect(await TokenUsage.countTokens({ a: 1 }, 'gpt-4', estimate)).toBe(2);
  });
});

describe('TokenSummary', () => {
  it('aggregates totals and per model', () => {
    const s = new TokenSummary();
    s.addUsage(TokenUsage.create({ promptTokens: 1000, completionTokens: 500, model: 'gpt-4' }));
    s.addUsage(TokenUsage.create({ promptTokens: 1000, completionTokens: 500, model: 'gpt-4' }));
    s.addUsage(TokenUsage.create({ promptTokens: 10, model: 'claude-3-haiku' }));
    s.addUsage(TokenUsage.create({ promptTokens: 7 }));
    expect(s.totalPromptTokens).toBe(2017);
    expect(s.totalTokens).toBe(3017);
    expect(s.totalEstimatedCostUsd).toBe(0.120003);
    expect(Object.keys(s.usageByModel)).toEqual(['gpt-4', 'claude-3-haiku']);
    expect(s.usageByModel['gpt-4']?.estimatedCostUsd).toBe(0.12);
    const usages = [TokenUsage.create({ promptTokens: 3, model: 'a' }), TokenUsage.create({ promptTokens: 4, model: 'a' })];
    const t = TokenSummary.fromUsages(usages);
    expect(TokenSummary.fromWire(t.toWire()).toWire()).toEqual(t.toWire());
    expect(JSON.parse(JSON.stringify(t))).toEqual(t.toWire());
    expect(t.clone().toWire()).toEqual(t.toWire());
  });
  it('lists the models without a price', () => {
    const s = new TokenSummary();
    s.addUsage(TokenUsage.create({ promptTokens: 1000, model: 'gpt-4' }));
    s.addUsage(TokenUsage.create({ promptTokens: 1000, model: 'zeta-local' }));
    s.addUsage(TokenUsage.create({ promptTokens: 1000, model: 'alpha-local' }));
    s.addUsage(TokenUsage.create({ promptTokens: 1000, model: 'zeta-local' }));
    expect(s.unpricedModels).toEqual(['alpha-local', 'zeta-local']);
    expect(s.totalEstimatedCostUsd).toBe(0.03);
    expect(TokenSummary.fromWire(JSON.parse(JSON.stringify(s))).unpricedModels).toEqual(['alpha-local', 'zeta-local']);
    expect(s.clone().unpricedModels).toEqual(['alpha-local', 'zeta-local']);
    const fallback = new TokenSummary({ pricing: WITH_FALLBACK });
    fallback.addUsage(TokenUsage.create({ promptTokens: 1000, model: 'zeta-local' }, { pricing: WITH_FALLBACK }));
    expect([fallback.unpricedModels, fallback.totalEstimatedCostUsd]).toEqual([[], 0.001]);
    expect(SessionStatsSchema.parse({ unpricedModels: s.unpricedModels }).unpricedModels).toEqual(['alpha-local', 'zeta-local']);
    expect(SessionStatsSchema.parse({}).unpricedModels).toBeUndefined();
  });
  it('avoids float drift', () => {
    const s = new TokenSummary();
    for (let i = 0; i < 3; i++) s.addUsage(TokenUsage.create({ estimatedCostUsd: 0.1 }));
    expect(s.totalEstimatedCostUsd).toBe(0.3);
  });
});
