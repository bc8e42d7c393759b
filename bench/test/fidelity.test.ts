import { describe, expect, it } from 'vitest';
import { REGRESSION_SIZE } from '../fidelity/conversation.js';
import { slidingWindow } from '../fidelity/configs/sliding-window.js';
import type { ConfigEnv, FidelityConfig } from '../fidelity/configs/types.js';
import { generateConversation } from '../fidelity/generator.js';
import { budgetFor, runConfig } from '../fidelity/runner.js';
import { DEFAULT_SUMMARY_TOKENS, createDeterministicSummariser } from '../fidelity/summariser.js';

/** The small regression version of `pnpm bench:fidelity`: 80 turns, 8 facts, same method. */
const conversation = generateConversation(REGRESSION_SIZE);
const env: ConfigEnv = {
  conversation,
  budgetTokens: budgetFor(conversation),
  summariser: createDeterministicSummariser(DEFAULT_SUMMARY_TOKENS),
  summaryTokens: DEFAULT_SUMMARY_TOKENS,
};

interface Bar {
  config: FidelityConfig;
  minDirect: number;
  minWithinOneFault: number;
  maxStale: number;
}

const BARS: Bar[] = [{ config: slidingWindow, minDirect: 20, minWithinOneFault: 20, maxStale: 0 }];

describe('context fidelity (regression, 80 turns / 8 facts)', () => {
  for (const bar of BARS) {
    it(`${bar.config.name} keeps its recall within the budget`, async () => {
      const result = await runConfig(bar.config, env);
      expect(result.probes).toBe(conversation.facts.length);
      expect(result.directRecall).toBeGreaterThanOrEqual(bar.minDirect);
      expect(result.withinOneFault).toBeGreaterThanOrEqual(bar.minWithinOneFault);
      expect(result.staleExposed).toBeLessThanOrEqual(bar.maxStale);
      expect(result.outcomes.map((o) => o.factId).sort()).toEqual(conversation.facts.map((f) => f.id));
    });
  }

  it('the sliding window never exceeds the budget', async () => {
    const result = await runConfig(slidingWindow, env);
    expect(result.maxTokens).toBeLessThanOrEqual(env.budgetTokens);
  });
});
