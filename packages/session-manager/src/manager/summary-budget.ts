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
  const kept: string[] = [];
  for (let i = newest.length - 1; i >= 0; i--) {
    const candidate = [newest[i] as string, ...kept];
    if ((await counter.count(`${PREVIOUS_CONTEXT_PREFIX}${candidate.join(SEPARATOR)}`, model)) > tokenBudget) break;
    kept.unshift(newest[i] as string);
  }
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
