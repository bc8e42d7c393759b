import { z } from 'zod';

/** Model used when a caller names none (a constant; the facade reads `CHUK_DEFAULT_MODEL`). */
export const DEFAULT_TOKEN_MODEL = 'gpt-4o-mini';
/** Pseudo-model of tool-result tokens: counted in totals, always priced 0 (README D4). */
export const TOOL_EXECUTION_MODEL = 'tool-execution';
/** Key of the optional fallback row: a table that has it prices unknown models at it. */
export const DEFAULT_PRICE_KEY = 'default';

const COST_DECIMALS = 1e6;
const TOKENS_PER_PRICE_UNIT = 1000;

export const ModelPriceSchema = z.object({
  input: z.number().nonnegative().describe('USD per 1,000 prompt tokens'),
  output: z.number().nonnegative().describe('USD per 1,000 completion tokens'),
  cachedInput: z
    .number()
    .nonnegative()
    .optional()
    .describe('USD per 1,000 cached prompt tokens (part of the prompt tokens); input price when absent'),
  reasoning: z
    .number()
    .nonnegative()
    .optional()
    .describe('USD per 1,000 reasoning tokens (part of the completion tokens); output price when absent'),
});
export type ModelPrice = z.infer<typeof ModelPriceSchema>;

/**
 * Lower-case model name → price. An optional `default` row prices every model without a row of its own;
 * without it such a model costs 0 and is flagged (`TokenUsage.unpriced`).
 */
export type PricingTable = Readonly<Record<string, ModelPrice>>;

export const PricingTableSchema = z.record(z.string(), ModelPriceSchema);

const ZERO_PRICE: ModelPrice = Object.freeze({ input: 0, output: 0 });

/**
 * The reference's fallback row (spec §3.2), not in `DEFAULT_PRICING`: add it as the `default` row to price unknown
 * models at it, `Object.freeze({ ...DEFAULT_PRICING, [DEFAULT_PRICE_KEY]: REFERENCE_FALLBACK_PRICE })`.
 */
export const REFERENCE_FALLBACK_PRICE: ModelPrice = Object.freeze({ input: 0.001, output: 0.002 });

/**
 * Reference rows (first six, exact) plus added rows; no `default` row, so an unknown model costs 0 and is flagged
 * (issue #2; the reference's fallback row is `REFERENCE_FALLBACK_PRICE`).
 * Added rows: verify against provider price pages at release time.
 */
export const DEFAULT_PRICING: PricingTable = Object.freeze({
  'gpt-4': { input: 0.03, output: 0.06 },
  'gpt-4-turbo': { input: 0.01, output: 0.03 },
  'gpt-3.5-turbo': { input: 0.0005, output: 0.0015 },
  'claude-3-opus': { input: 0.015, output: 0.075 },
  'claude-3-sonnet': { input: 0.003, output: 0.015 },
  'claude-3-haiku': { input: 0.00025, output: 0.00125 },
  // added, verify against provider price pages at release time
  'gpt-4o': { input: 0.0025, output: 0.01, cachedInput: 0.00125 },
  'gpt-4o-mini': { input: 0.00015, output: 0.0006, cachedInput: 0.000075 },
  'claude-3-5-sonnet': { input: 0.003, output: 0.015, cachedInput: 0.0003 },
  'claude-3-5-haiku': { input: 0.0008, output: 0.004, cachedInput: 0.00008 },
  [TOOL_EXECUTION_MODEL]: ZERO_PRICE,
});

const SEPARATORS = new Set(['-', '@', ':']);

/** Result of a price lookup. */
export interface PriceLookup {
  /** The row used (0/0 when none). */
  readonly price: ModelPrice;
  /** Key of the row used; null when no row priced the model. */
  readonly key: string | null;
  /** The model has a row of its own (or a prefix row), not the fallback. */
  readonly known: boolean;
  /** A row priced the model (its own, a prefix row or `default`); false = cost 0 because it has no price. */
  readonly priced: boolean;
}

/**
 * Looks up the price of `model`: lower-cased exact key, else the longest key that is a prefix followed by
 * `-`, `@`, `:` or the end, else the table's `default` row (`known: false`), else 0/0 (`priced: false`).
 * `tool-execution` is 0/0 in every table.
 */
export function lookupPrice(model: string, table: PricingTable = DEFAULT_PRICING): PriceLookup {
  // frozen tables cannot change, so their lookups are cached per model name
  if (!Object.isFrozen(table)) return scanPrice(model, table);
  let cache = lookupCache.get(table);
  if (cache === undefined) {
    cache = new Map();
    lookupCache.set(table, cache);
  }
  let found = cache.get(model);
  if (found === undefined) {
    found = Object.freeze(scanPrice(model, table));
    if (cache.size >= MAX_CACHED_MODELS) cache.clear();
    cache.set(model, found);
  }
  return found;
}

/** Most model names cached per frozen table (bounded: callers may pass arbitrary names). */
const MAX_CACHED_MODELS = 1024;
const lookupCache = new WeakMap<PricingTable, Map<string, PriceLookup>>();

function scanPrice(model: string, table: PricingTable): PriceLookup {
  const name = model.toLowerCase();
  if (name === TOOL_EXECUTION_MODEL) return { price: table[name] ?? ZERO_PRICE, key: name, known: true, priced: true };
  const exact = table[name];
  if (exact !== undefined && name !== DEFAULT_PRICE_KEY) return { price: exact, key: name, known: true, priced: true };
  let best: string | null = null;
  for (const key of Object.keys(table)) {
    if (key === DEFAULT_PRICE_KEY || key.length >= name.length || !name.startsWith(key)) continue;
    if (!SEPARATORS.has(name.charAt(key.length))) continue;
    if (best === null || key.length > best.length) best = key;
  }
  if (best !== null) return { price: table[best] ?? ZERO_PRICE, key: best, known: true, priced: true };
  const fallback = table[DEFAULT_PRICE_KEY];
  if (fallback !== undefined) return { price: fallback, key: DEFAULT_PRICE_KEY, known: false, priced: true };
  return UNPRICED;
}

const UNPRICED: PriceLookup = Object.freeze({ price: ZERO_PRICE, key: null, known: false, priced: false });

/** The price row used for `model` (see `lookupPrice`). */
export function resolvePrice(model: string, table?: PricingTable): ModelPrice {
  return lookupPrice(model, table).price;
}

/** `true` when `model` has its own row (or a prefix row) rather than the `default` row or no price at all. */
export function isKnownModel(model: string, table?: PricingTable): boolean {
  return lookupPrice(model, table).known;
}

/** Rounds a cost to 6 decimals (half-up). */
export function roundCost(x: number): number {
  return Math.round(x * COST_DECIMALS) / COST_DECIMALS;
}

/** Token detail priced separately when the row has a price for it. */
export interface TokenDetail {
  /** Prompt tokens served from the provider's cache (a part of the prompt tokens). */
  cachedPromptTokens?: number;
  /** Reasoning tokens (a part of the completion tokens). */
  reasoningTokens?: number;
}

/** USD cost of the tokens on `model`, rounded to 6 decimals; 0 for a model without a price (`lookupPrice`). */
export function estimateCostUsd(
  promptTokens: number,
  completionTokens: number,
  model: string,
  table?: PricingTable,
  detail: TokenDetail = {},
): number {
  return costAtPrice(resolvePrice(model, table), promptTokens, completionTokens, detail);
}

/** USD cost of the tokens at `price`, rounded to 6 decimals. */
export function costAtPrice(price: ModelPrice, promptTokens: number, completionTokens: number, detail: TokenDetail = {}): number {
  const cached = Math.min(detail.cachedPromptTokens ?? 0, promptTokens);
  const reasoning = Math.min(detail.reasoningTokens ?? 0, completionTokens);
  const input =
    (promptTokens - cached) * price.input + cached * (price.cachedInput ?? price.input);
  const output =
    (completionTokens - reasoning) * price.output + reasoning * (price.reasoning ?? price.output);
  return roundCost((input + output) / TOKENS_PER_PRICE_UNIT);
}
