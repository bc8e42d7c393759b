import { z } from 'zod';
import type { Logger, PricingTable, SessionStore, TokenCounter } from '@chuk/models';
import { DEFAULT_TOKEN_MODEL } from '@chuk/models';
import { SummarizationStrategy, SummarizationStrategySchema } from '../summary/strategy.js';
import {
  DEFAULT_FALLBACK_TURNS,
  DEFAULT_SUMMARY_ATTEMPTS,
  DEFAULT_SUMMARY_INPUT_BUDGET,
  MAX_SUMMARY_ATTEMPTS,
  MIN_SUMMARY_INPUT_BUDGET,
} from '../summary/summarize.js';

/** Reference default: a segment closes at 3000 tokens … */
export const DEFAULT_TOKEN_THRESHOLD = 3000;
/** … or at 20 message events. */
export const DEFAULT_MAX_TURNS_PER_SEGMENT = 20;
/** Sessions whose running totals the manager keeps in memory (least recently used dropped first). */
export const DEFAULT_MAX_CACHED_SESSIONS = 256;

export const InfiniteConversationOptionsSchema = z.object({
  tokenThreshold: z
    .number()
    .int()
    .positive()
    .default(DEFAULT_TOKEN_THRESHOLD)
    .describe('a segment is closed once its total tokens reach this'),
  maxTurnsPerSegment: z
    .number()
    .int()
    .positive()
    .default(DEFAULT_MAX_TURNS_PER_SEGMENT)
    .describe('a segment is closed once it holds this many message events (a user message and a reply are two)'),
  summarizationStrategy: SummarizationStrategySchema.default(SummarizationStrategy.Basic).describe('how segments are summarised'),
  defaultModel: z.string().min(1).default(DEFAULT_TOKEN_MODEL).describe('model used to count and price messages without one'),
  summaryInputBudget: z
    .number()
    .int()
    .min(MIN_SUMMARY_INPUT_BUDGET)
    .default(DEFAULT_SUMMARY_INPUT_BUDGET)
    .describe("the summariser's input budget in tokens: longer segments are summarised in parts"),
  summaryMaxAttempts: z
    .number()
    .int()
    .min(1)
    .max(MAX_SUMMARY_ATTEMPTS)
    .default(DEFAULT_SUMMARY_ATTEMPTS)
    .describe('attempts per summariser request before the deterministic fallback'),
  fallbackTurns: z
    .number()
    .int()
    .min(0)
    .default(DEFAULT_FALLBACK_TURNS)
    .describe('last turns the fallback summary keeps'),
  maxCachedSessions: z
    .number()
    .int()
    .positive()
    .default(DEFAULT_MAX_CACHED_SESSIONS)
    .describe('sessions whose running totals are kept in memory'),
});
export type InfiniteConversationConfig = z.output<typeof InfiniteConversationOptionsSchema>;

/** Constructor options: the schema's fields plus the injected collaborators. */
export interface InfiniteConversationManagerOptions extends z.input<typeof InfiniteConversationOptionsSchema> {
  /** where sessions live (required) */
  store: SessionStore;
  counter?: TokenCounter;
  pricing?: PricingTable;
  logger?: Logger;
  clock?: () => Date;
  idGenerator?: () => string;
}
