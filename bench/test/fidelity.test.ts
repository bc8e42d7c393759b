import { describe, expect, it } from 'vitest';
import { charRatioEstimator } from '@chuk/vm';
import { FactKind, REGRESSION_SIZE, STANDARD_SIZE } from '../fidelity/conversation.js';
import {
  MIN_PAGES_SHARE,
  loadModelEstimator,
  segmentSettings,
  summariesOnly,
  summariesTokenBudget,
  vmBudget,
  vmDefault,
  vmOptions,
  vmWithSummaries,
} from '../fidelity/configs/facade.js';
import { slidingWindow } from '../fidelity/configs/sliding-window.js';
import type { ConfigEnv, FidelityConfig } from '../fidelity/configs/types.js';
import { generateConversation } from '../fidelity/generator.js';
import { budgetFor, runConfig } from '../fidelity/runner.js';
import { DEFAULT_SUMMARY_TOKENS, createDeterministicSummariser } from '../fidelity/summariser.js';

/**
 * The small regression version of `pnpm bench:fidelity` (80 turns, 8 facts, same method and
 * library paths). Thresholds sit a little under the figures measured when it was written
 * (bench/fidelity/README.md), so a change that loses facts fails here. The runs are seeded
 * (`ConfigEnv.seed`: seeded event ids, a clock that ticks per reading), so a result does not depend
 * on the random page ids or the machine's speed.
 */
const SEED = 1;
const conversation = generateConversation(REGRESSION_SIZE);
const env: ConfigEnv = {
  conversation,
  budgetTokens: budgetFor(conversation),
  summariser: createDeterministicSummariser(DEFAULT_SUMMARY_TOKENS),
  summaryTokens: DEFAULT_SUMMARY_TOKENS,
  seed: SEED,
};

interface Bar {
  config: FidelityConfig;
  minDirect: number;
  minWithinOneFault: number;
  maxStale: number;
}

const BARS: Bar[] = [
  { config: slidingWindow, minDirect: 25, minWithinOneFault: 25, maxStale: 0 },
  { config: summariesOnly, minDirect: 12.5, minWithinOneFault: 12.5, maxStale: 0 },
  { config: vmDefault, minDirect: 87.5, minWithinOneFault: 87.5, maxStale: 0 },
  { config: summariesTokenBudget, minDirect: 75, minWithinOneFault: 75, maxStale: 0 },
  { config: vmWithSummaries, minDirect: 87.5, minWithinOneFault: 87.5, maxStale: 0 },
];

describe('context fidelity (regression, 80 turns / 8 facts)', () => {
  for (const bar of BARS) {
    it(`${bar.config.name}: direct ≥ ${bar.minDirect}%, within one fault ≥ ${bar.minWithinOneFault}%, stale ≤ ${bar.maxStale}`, async () => {
      const result = await runConfig(bar.config, env);
      expect(result.probes).toBe(conversation.facts.length);
      expect(result.outcomes.map((o) => o.factId).sort()).toEqual(conversation.facts.map((f) => f.id));
      expect(result.directRecall).toBeGreaterThanOrEqual(bar.minDirect);
      expect(result.withinOneFault).toBeGreaterThanOrEqual(bar.minWithinOneFault);
      expect(result.withinOneFault).toBeGreaterThanOrEqual(result.directRecall);
      expect(result.staleExposed).toBeLessThanOrEqual(bar.maxStale);
    });
  }

  it('the sliding window never exceeds the budget and offers no VM tools', async () => {
    const result = await runConfig(slidingWindow, env);
    expect(result.maxTokens).toBeLessThanOrEqual(env.budgetTokens);
    expect(result.outcomes.every((o) => o.fault === null)).toBe(true);
  });

  it('sizes segments and summaries to the budget', () => {
    const { tokenThreshold, maxSegmentSummaries } = segmentSettings(env);
    expect(tokenThreshold).toBe(Math.floor(env.budgetTokens / 2));
    expect(tokenThreshold + maxSegmentSummaries * DEFAULT_SUMMARY_TOKENS).toBeLessThanOrEqual(env.budgetTokens);
    expect(segmentSettings({ ...env, budgetTokens: 100_000 }).tokenThreshold).toBe(4000);
  });

  it('summaries only stays within the budget', async () => {
    const result = await runConfig(summariesOnly, env);
    expect(result.maxTokens).toBeLessThanOrEqual(env.budgetTokens);
  });

  it('summaries bounded by tokens stay within the budget', async () => {
    const result = await runConfig(summariesTokenBudget, env);
    expect(result.maxTokens).toBeLessThanOrEqual(env.budgetTokens);
  });

  it('tool results survive a rollover: VM + summaries recalls every tool fact directly', async () => {
    const result = await runConfig(vmWithSummaries, env);
    const tools = result.outcomes.filter((o) => o.kind === FactKind.ToolResult);
    expect(tools.length).toBeGreaterThan(0);
    expect(tools.every((o) => o.direct)).toBe(true);
  });
});

describe('the VM prompt within the budget (400 turns / 40 facts, the size of the bar)', () => {
  const standard = generateConversation(STANDARD_SIZE);
  const standardEnv: ConfigEnv = { ...env, conversation: standard, budgetTokens: budgetFor(standard) };

  it('splits the budget: rules, manifest, packing margin and L0 pages add up to B; a budget under the rules is not split', async () => {
    const estimator = await loadModelEstimator();
    const split = vmBudget(standardEnv.budgetTokens, estimator);
    expect(split.rules + split.manifest + split.packing + split.pages).toBe(standardEnv.budgetTokens);
    expect(split.manifest).toBeGreaterThan(0);
    expect(split.pages).toBeGreaterThanOrEqual(standardEnv.budgetTokens * MIN_PAGES_SHARE);
    const options = vmOptions(standardEnv, estimator);
    expect(options.manifest?.maxTokens).toBe(split.manifest);
    expect(options.config?.reservedTokens).toBe(standardEnv.budgetTokens - split.pages);
    expect(options.maxPinnedSummaries).toBeGreaterThan(0);
    expect(split.split).toBe(true);
    const small = vmBudget(env.budgetTokens, estimator);
    expect(small).toEqual({ split: false, rules: small.rules, manifest: 0, packing: 0, pages: env.budgetTokens });
    expect(vmOptions(env, estimator).maxPinnedSummaries).toBeUndefined();
    expect(vmBudget(standardEnv.budgetTokens, charRatioEstimator).rules).not.toBe(split.rules);
  });

  it('VM + summaries: every prompt within B, direct ≥ 97.5%, within one fault ≥ 97.5%, no stale answer', async () => {
    const result = await runConfig(vmWithSummaries, standardEnv);
    expect(result.maxTokens).toBeLessThanOrEqual(standardEnv.budgetTokens);
    expect(result.directRecall).toBeGreaterThanOrEqual(97.5);
    expect(result.withinOneFault).toBeGreaterThanOrEqual(97.5);
    expect(result.staleExposed).toBe(0);
  });

  // Seeded, VM alone measures 100% direct and 100% within one fault (the pre-pass faults in the pages a question
  // names, `referencedPages`); seeds 1–30 (other page ids) all gave the same. The bars are one probe under.
  it('VM: every prompt within B, direct ≥ 97.5%, within one fault ≥ 97.5%', async () => {
    const result = await runConfig(vmDefault, standardEnv);
    expect(result.maxTokens).toBeLessThanOrEqual(standardEnv.budgetTokens);
    expect(result.directRecall).toBeGreaterThanOrEqual(97.5);
    expect(result.withinOneFault).toBeGreaterThanOrEqual(97.5);
    expect(result.staleExposed).toBe(0);
  });
});
