import { z } from 'zod';
import { parseInput } from '../errors/parse.js';
import type { TokenCounter } from './counter.js';
import { countTokens } from './counter.js';
import type { PricingTable } from './pricing.js';
import { DEFAULT_TOKEN_MODEL, costAtPrice, estimateCostUsd, lookupPrice } from './pricing.js';
import { isPlainObject } from '../util/wire.js';

const count = () => z.number().int().nonnegative();

/** Stored form of a `TokenUsage` (snake_case). */
export const TokenUsageWireSchema = z.object({
  prompt_tokens: count().default(0).describe('prompt (input) tokens'),
  completion_tokens: count().default(0).describe('completion (output) tokens'),
  total_tokens: count().default(0).describe('total tokens; derived from the parts when 0'),
  model: z.string().default('').describe('model name; empty = unknown, no pricing'),
  estimated_cost_usd: z.number().nonnegative().nullable().default(null).describe('USD cost; computed when null and a model is set'),
  cached_prompt_tokens: count().optional().describe('part of the prompt tokens served from the provider cache'),
  reasoning_tokens: count().optional().describe('part of the completion tokens spent on reasoning'),
  unpriced: z
    .boolean()
    .optional()
    .describe('true when the model had no price: the cost is 0, not an estimate (written only when true)'),
});
export type TokenUsageWire = z.input<typeof TokenUsageWireSchema>;

/** Input of `TokenUsage.create` (camelCase). */
export const TokenUsageInputSchema = z.object({
  promptTokens: count().default(0).describe('prompt (input) tokens'),
  completionTokens: count().default(0).describe('completion (output) tokens'),
  totalTokens: count().default(0).describe('total tokens; derived from the parts when 0'),
  model: z.string().default('').describe('model name; empty = unknown, no pricing'),
  estimatedCostUsd: z.number().nonnegative().nullable().default(null).describe('USD cost; computed when null and a model is set'),
  cachedPromptTokens: count().default(0).describe('part of the prompt tokens served from the provider cache'),
  reasoningTokens: count().default(0).describe('part of the completion tokens spent on reasoning'),
});
export type TokenUsageInput = z.input<typeof TokenUsageInputSchema>;

export interface TokenUsageOptions {
  pricing?: PricingTable;
}

/** A count the schema accepts (`count()`): a non-negative integer. */
function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** An optional count: absent means 0; null when present but not a count (the schema then reports it). */
function optionalCount(value: unknown): number | null {
  if (value === undefined) return 0;
  return isCount(value) ? value : null;
}

/** A cost the schema accepts: a finite, non-negative number or null (absent = null); undefined when it is not. */
function optionalCost(value: unknown): number | null | undefined {
  if (value === undefined || value === null) return null;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * The usage fields when every value is what the schemas accept (counts absent = 0; `model` and `unpriced` with
 * their defaults already applied by the caller); null otherwise, so the schema decides and names the field.
 */
function checkedUsageFields(
  prompt: unknown,
  completion: unknown,
  total: unknown,
  cached: unknown,
  reasoning: unknown,
  model: unknown,
  estimatedCost: unknown,
  unpriced: unknown,
): UsageFields | null {
  const promptTokens = optionalCount(prompt);
  const completionTokens = optionalCount(completion);
  const totalTokens = optionalCount(total);
  const cachedPromptTokens = optionalCount(cached);
  const reasoningTokens = optionalCount(reasoning);
  const estimatedCostUsd = optionalCost(estimatedCost);
  if (
    promptTokens === null ||
    completionTokens === null ||
    totalTokens === null ||
    cachedPromptTokens === null ||
    reasoningTokens === null ||
    typeof model !== 'string' ||
    estimatedCostUsd === undefined ||
    typeof unpriced !== 'boolean'
  ) {
    return null;
  }
  return { promptTokens, completionTokens, totalTokens, model, estimatedCostUsd, cachedPromptTokens, reasoningTokens, unpriced };
}

/**
 * `TokenUsageInputSchema` for a valid input, without a schema parse (unknown keys ignored, as the schema strips
 * them); null when anything is unusual, so the schema decides and reports.
 */
function fastUsageFields(raw: unknown): UsageFields | null {
  if (raw === null || typeof raw !== 'object') return null;
  const i = raw as TokenUsageInput;
  return checkedUsageFields(
    i.promptTokens, i.completionTokens, i.totalTokens, i.cachedPromptTokens, i.reasoningTokens, i.model ?? '', i.estimatedCostUsd, false,
  );
}

/**
 * `TokenUsageWireSchema` for a valid stored usage, without a schema parse (unknown keys ignored, as the schema
 * strips them); null when anything is unusual, so the schema decides and names the field.
 */
function fastUsageFieldsFromWire(raw: unknown): UsageFields | null {
  if (!isPlainObject(raw)) return null;
  // absent only: the schema's defaults do not cover null
  const model = raw.model === undefined ? '' : raw.model;
  const unpriced = raw.unpriced === undefined ? false : raw.unpriced;
  return checkedUsageFields(
    raw.prompt_tokens, raw.completion_tokens, raw.total_tokens, raw.cached_prompt_tokens, raw.reasoning_tokens, model, raw.estimated_cost_usd, unpriced,
  );
}

/** The fields of a stored usage through `TokenUsageWireSchema` (throws `InvalidInput` naming the field). */
function usageFieldsFromWireSchema(raw: unknown, field: string): UsageFields {
  const w = parseInput(TokenUsageWireSchema, raw, field);
  return {
    promptTokens: w.prompt_tokens,
    completionTokens: w.completion_tokens,
    totalTokens: w.total_tokens,
    model: w.model,
    estimatedCostUsd: w.estimated_cost_usd,
    cachedPromptTokens: w.cached_prompt_tokens ?? 0,
    reasoningTokens: w.reasoning_tokens ?? 0,
    unpriced: w.unpriced ?? false,
  };
}

let usageFromFields: (fields: UsageFields, pricing: PricingTable | undefined) => TokenUsage;

/** The fast path of `TokenUsage.fromWire` alone: null when the schema has to decide. Internal. */
export function fastTokenUsageFromWire(raw: unknown, pricing: PricingTable | undefined): TokenUsage | null {
  const fields = fastUsageFieldsFromWire(raw);
  return fields === null ? null : usageFromFields(fields, pricing);
}

/**
 * `TokenUsage.fromWire` through the schema only (no fast path): the reference the fast path is tested against.
 * Internal (not exported from the package).
 */
export function tokenUsageFromWireSchema(raw: unknown, options: TokenUsageOptions & { field?: string } = {}): TokenUsage {
  return usageFromFields(usageFieldsFromWireSchema(raw, options.field ?? 'token_usage'), options.pricing);
}

interface UsageFields {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  model: string;
  estimatedCostUsd: number | null;
  cachedPromptTokens: number;
  reasoningTokens: number;
  /** Kept with an explicit cost (decoded from the stored flag); recomputed when the cost is computed. */
  unpriced: boolean;
}

/**
 * Token counts and cost of one LLM call: an immutable (frozen) value object.
 * An explicit non-zero `totalTokens` that disagrees with prompt + completion is kept (providers may count
 * cached or reasoning tokens in it); both numbers stay visible.
 * A model without a price (no row of its own, no prefix row, no `default` row in the table) costs 0 and sets
 * `unpriced`, so a 0 cost can be told from a free one.
 */
export class TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number;
  readonly model: string;
  readonly estimatedCostUsd: number | null;
  readonly cachedPromptTokens: number;
  readonly reasoningTokens: number;
  /** The model had no price in the pricing table: `estimatedCostUsd` is 0, not an estimate. */
  readonly unpriced: boolean;

  private constructor(f: UsageFields, pricing: PricingTable | undefined) {
    this.promptTokens = f.promptTokens;
    this.completionTokens = f.completionTokens;
    this.totalTokens =
      f.totalTokens === 0 && (f.promptTokens > 0 || f.completionTokens > 0)
        ? f.promptTokens + f.completionTokens
        : f.totalTokens;
    this.model = f.model;
    this.cachedPromptTokens = f.cachedPromptTokens;
    this.reasoningTokens = f.reasoningTokens;
    if (f.estimatedCostUsd === null && f.model !== '') {
      const lookup = lookupPrice(f.model, pricing);
      this.estimatedCostUsd = costAtPrice(lookup.price, f.promptTokens, f.completionTokens, f);
      this.unpriced = !lookup.priced;
    } else {
      this.estimatedCostUsd = f.estimatedCostUsd;
      this.unpriced = f.estimatedCostUsd !== null && f.unpriced;
    }
    Object.freeze(this);
  }

  /** Validates (`InvalidInput` naming the field) and normalises; an explicit cost is never flagged `unpriced`. */
  static create(input: TokenUsageInput = {}, options: TokenUsageOptions = {}): TokenUsage {
    // hand-written check of the common, valid input; anything else goes through the schema (which names the field)
    const fields = fastUsageFields(input) ?? { ...parseInput(TokenUsageInputSchema, input, 'tokenUsage'), unpriced: false };
    return new TokenUsage(fields, options.pricing);
  }

  /** Decodes the stored form (parse + normalise); `InvalidInput` names the field (`token_usage.prompt_tokens`). */
  static fromWire(raw: unknown, options: TokenUsageOptions & { field?: string } = {}): TokenUsage {
    // hand-written check of the common, valid form; anything else goes through the schema (which names the field)
    const fields = fastUsageFieldsFromWire(raw) ?? usageFieldsFromWireSchema(raw, options.field ?? 'token_usage');
    return new TokenUsage(fields, options.pricing);
  }

  static {
    usageFromFields = (fields, pricing) => new TokenUsage(fields, pricing);
  }

  /** Counts `prompt` (and a non-empty `completion`) for `model` (default `DEFAULT_TOKEN_MODEL`) and prices it. */
  static async fromText(
    prompt: string,
    completion?: string | null,
    model: string = DEFAULT_TOKEN_MODEL,
    options: TokenUsageOptions & { counter?: TokenCounter } = {},
  ): Promise<TokenUsage> {
    const promptTokens = prompt === '' ? 0 : await countTokens(prompt, model, options.counter);
    const completionTokens = typeof completion === 'string' && completion !== '' ? await countTokens(completion, model, options.counter) : 0;
    return TokenUsage.create({ promptTokens, completionTokens, model }, options);
  }

  /** Same as the package function `countTokens`. */
  static countTokens(text: unknown, model?: string, counter?: TokenCounter): Promise<number> {
    return countTokens(text, model, counter);
  }

  /** Cost from the prompt/completion tokens (the `default` row when no model; 0 for a model without a price). */
  calculateCost(pricing?: PricingTable): number {
    return estimateCostUsd(this.promptTokens, this.completionTokens, this.model, pricing, this);
  }

  /** Adds tokens; total becomes prompt + completion; cost recomputed only when a model is set. */
  withAdded(promptTokens = 0, completionTokens = 0, pricing?: PricingTable): TokenUsage {
    return new TokenUsage(
      {
        ...this.#fields(),
        promptTokens: this.promptTokens + promptTokens,
        completionTokens: this.completionTokens + completionTokens,
        totalTokens: this.promptTokens + promptTokens + this.completionTokens + completionTokens,
        estimatedCostUsd: null,
      },
      pricing,
    );
  }

  /** Sum of two usages; model = first non-empty; total re-derived; cost recomputed (null without a model). */
  plus(other: TokenUsage, pricing?: PricingTable): TokenUsage {
    const promptTokens = this.promptTokens + other.promptTokens;
    const completionTokens = this.completionTokens + other.completionTokens;
    return new TokenUsage(
      {
        promptTokens,
        completionTokens,
        totalTokens: promptTokens + completionTokens,
        model: this.model !== '' ? this.model : other.model,
        estimatedCostUsd: null,
        cachedPromptTokens: this.cachedPromptTokens + other.cachedPromptTokens,
        reasoningTokens: this.reasoningTokens + other.reasoningTokens,
        unpriced: false,
      },
      pricing,
    );
  }

  /** Stored form; the detail counts are written only when non-zero, `unpriced` only when true. */
  toWire(): z.output<typeof TokenUsageWireSchema> {
    const wire: z.output<typeof TokenUsageWireSchema> = {
      prompt_tokens: this.promptTokens,
      completion_tokens: this.completionTokens,
      total_tokens: this.totalTokens,
      model: this.model,
      estimated_cost_usd: this.estimatedCostUsd,
    };
    if (this.cachedPromptTokens > 0) wire.cached_prompt_tokens = this.cachedPromptTokens;
    if (this.reasoningTokens > 0) wire.reasoning_tokens = this.reasoningTokens;
    if (this.unpriced) wire.unpriced = true;
    return wire;
  }

  toJSON(): z.output<typeof TokenUsageWireSchema> {
    return this.toWire();
  }

  #fields(): UsageFields {
    return {
      promptTokens: this.promptTokens,
      completionTokens: this.completionTokens,
      totalTokens: this.totalTokens,
      model: this.model,
      estimatedCostUsd: this.estimatedCostUsd,
      cachedPromptTokens: this.cachedPromptTokens,
      reasoningTokens: this.reasoningTokens,
      unpriced: this.unpriced,
    };
  }
}
