import { z } from 'zod';
import { parseInput } from '../errors/parse.js';
import type { PricingTable } from './pricing.js';
import { roundCost } from './pricing.js';
import { TokenUsage, TokenUsageWireSchema } from './usage.js';

export const TokenSummaryWireSchema = z.object({
  total_prompt_tokens: z.number().int().nonnegative().default(0).describe('sum of prompt tokens'),
  total_completion_tokens: z.number().int().nonnegative().default(0).describe('sum of completion tokens'),
  total_tokens: z.number().int().nonnegative().default(0).describe('sum of the usages\' totals'),
  usage_by_model: z.record(z.string(), TokenUsageWireSchema).default({}).describe('aggregated usage per model'),
  total_estimated_cost_usd: z.number().nonnegative().default(0).describe('sum of the usages\' costs'),
});
export type TokenSummaryWire = z.input<typeof TokenSummaryWireSchema>;

/**
 * Running token totals (sync, D1). `totalEstimatedCostUsd` sums the per-usage rounded costs while each
 * `usageByModel` cost is computed on aggregated tokens, so the two can differ by a few 1e-6. Models without a
 * price count 0 and are listed in `unpricedModels`.
 */
export class TokenSummary {
  totalPromptTokens = 0;
  totalCompletionTokens = 0;
  totalTokens = 0;
  totalEstimatedCostUsd = 0;
  readonly usageByModel: Record<string, TokenUsage> = {};
  readonly #pricing: PricingTable | undefined;

  constructor(options: { pricing?: PricingTable } = {}) {
    this.#pricing = options.pricing;
  }

  /** Adds one usage to the totals and to its model's aggregate (no entry for an empty model). */
  addUsage(usage: TokenUsage): void {
    this.totalPromptTokens += usage.promptTokens;
    this.totalCompletionTokens += usage.completionTokens;
    this.totalTokens += usage.totalTokens;
    if (usage.estimatedCostUsd !== null) {
      this.totalEstimatedCostUsd = roundCost(this.totalEstimatedCostUsd + usage.estimatedCostUsd);
    }
    if (usage.model === '') return;
    const entry = this.usageByModel[usage.model];
    this.usageByModel[usage.model] =
      entry === undefined
        ? TokenUsage.create(
            {
              promptTokens: usage.promptTokens,
              completionTokens: usage.completionTokens,
              model: usage.model,
              cachedPromptTokens: usage.cachedPromptTokens,
              reasoningTokens: usage.reasoningTokens,
            },
            { pricing: this.#pricing },
          )
        : entry.plus(usage, this.#pricing);
  }

  /** Models of `usageByModel` without a price (`TokenUsage.unpriced`): their cost is 0, not an estimate. Sorted. */
  get unpricedModels(): string[] {
    const out: string[] = [];
    for (const [model, usage] of Object.entries(this.usageByModel)) if (usage.unpriced) out.push(model);
    return out.sort();
  }

  /** Summary of `usages` (equals successive `addUsage`). */
  static fromUsages(usages: Iterable<TokenUsage>, options: { pricing?: PricingTable } = {}): TokenSummary {
    const s = new TokenSummary(options);
    for (const u of usages) s.addUsage(u);
    return s;
  }

  /** A copy (usages are immutable, so the copy is independent). */
  clone(): TokenSummary {
    const s = new TokenSummary({ pricing: this.#pricing });
    s.totalPromptTokens = this.totalPromptTokens;
    s.totalCompletionTokens = this.totalCompletionTokens;
    s.totalTokens = this.totalTokens;
    s.totalEstimatedCostUsd = this.totalEstimatedCostUsd;
    Object.assign(s.usageByModel, this.usageByModel);
    return s;
  }

  toWire(): z.output<typeof TokenSummaryWireSchema> {
    const byModel: z.output<typeof TokenSummaryWireSchema>['usage_by_model'] = {};
    for (const [model, usage] of Object.entries(this.usageByModel)) byModel[model] = usage.toWire();
    return {
      total_prompt_tokens: this.totalPromptTokens,
      total_completion_tokens: this.totalCompletionTokens,
      total_tokens: this.totalTokens,
      usage_by_model: byModel,
      total_estimated_cost_usd: this.totalEstimatedCostUsd,
    };
  }

  toJSON(): z.output<typeof TokenSummaryWireSchema> {
    return this.toWire();
  }

  static fromWire(raw: unknown, options: { pricing?: PricingTable; field?: string } = {}): TokenSummary {
    const field = options.field ?? 'token_summary';
    const w = parseInput(TokenSummaryWireSchema, raw, field);
    const s = new TokenSummary(options);
    s.totalPromptTokens = w.total_prompt_tokens;
    s.totalCompletionTokens = w.total_completion_tokens;
    s.totalTokens = w.total_tokens;
    s.totalEstimatedCostUsd = w.total_estimated_cost_usd;
    for (const [model, usage] of Object.entries(w.usage_by_model)) {
      s.usageByModel[model] = TokenUsage.fromWire(usage, { pricing: options.pricing, field: `${field}.usage_by_model.${model}` });
    }
    return s;
  }
}
