/**
 * Earlier segments' summaries in the prompt bounded by tokens, not only by a count
 * (bench/fidelity finding 10): the newest summaries are kept while the `Previous conversation
 * context: …` message fits `tokenBudget`; the oldest are dropped first.
 */
import type { TokenCounter } from '@chuk/models';
import { DEFAULT_TOKEN_MODEL, InvalidInput } from '@chuk/models';
import { PREVIOUS_CONTEXT_PREFIX } from '@chuk/conversation';

export interface SummaryBudgetOptions {
  /** newest summaries considered (`maxSegmentSummaries`) */
  maxSummaries: number;
  /** tokens the whole context message may take; undefined: no token bound */
  tokenBudget?: number | undefined;
  counter: TokenCounter;
  /** model whose tokenizer measures the budget */
  model?: string | undefined;
}

/** Separator between two summaries in the context message. */
const SEPARATOR = ' ';

/**
 * The newest summaries (oldest first, as in the message) within the count and the token budget.
 * The budget is checked on the rendered message, so the prefix and separators count too.
 */
export async function summariesWithinBudget(summaries: readonly string[], options: SummaryBudgetOptions): Promise<string[]> {
  const { maxSummaries, tokenBudget, counter } = options;
  if (!Number.isInteger(maxSummaries) || maxSummaries < 1) {
    throw new InvalidInput({ field: 'maxSummaries', reason: 'must be a positive integer' });
  }
  if (tokenBudget !== undefined && (!Number.isInteger(tokenBudget) || tokenBudget < 0)) {
    throw new InvalidInput({ field: 'summaryTokenBudget', reason: 'must be a non-negative integer' });
  }
  const newest = summaries.slice(-maxSummaries);
  if (tokenBudget === undefined) return newest;
  const model = options.model ?? DEFAULT_TOKEN_MODEL;
  // Newest first while the sum of the parts fits (one count per summary), then the rendered message
  // is checked, dropping the oldest kept summary while it is over (token counts are nearly additive).
  let used = await counter.count(PREVIOUS_CONTEXT_PREFIX, model);
  let first = newest.length;
  while (first > 0) {
    const tokens = await counter.count(newest[first - 1] as string, model);
    if (used + tokens > tokenBudget) break;
    used += tokens;
    first--;
  }
  const kept = newest.slice(first);
  while (kept.length > 0 && (await counter.count(`${PREVIOUS_CONTEXT_PREFIX}${kept.join(SEPARATOR)}`, model)) > tokenBudget) kept.shift();
  return kept;
}

/** `Previous conversation context: …` for `summaries` (oldest first), or null when there are none. */
export function renderContextMessage(summaries: readonly string[]): string | null {
  return summaries.length === 0 ? null : `${PREVIOUS_CONTEXT_PREFIX}${summaries.join(SEPARATOR)}`;
}

/** The bounded context message: `renderContextMessage(await summariesWithinBudget(…))`. */
export async function boundedContextMessage(summaries: readonly string[], options: SummaryBudgetOptions): Promise<string | null> {
  return renderContextMessage(await summariesWithinBudget(summaries, options));
}
