import { z } from 'zod';

/** Statistics of a session as the facade reports them (not stored, so camelCase). */
export const SessionStatsSchema = z.object({
  sessionId: z.string().default('').describe('session id'),
  sessionSegments: z.number().int().nonnegative().default(1).describe('segments of the session chain'),
  sessionChain: z.array(z.string()).nullable().default(null).describe('ids of the chain, root first'),
  totalMessages: z.number().int().nonnegative().default(0).describe('user + assistant messages'),
  totalEvents: z.number().int().nonnegative().default(0).describe('events of the session'),
  userMessages: z.number().int().nonnegative().default(0).describe('user messages'),
  aiMessages: z.number().int().nonnegative().default(0).describe('assistant messages'),
  toolCalls: z.number().int().nonnegative().default(0).describe('tool-call events'),
  totalTokens: z.number().int().nonnegative().default(0).describe('tokens of all events'),
  estimatedCost: z.number().nonnegative().default(0).describe('USD cost'),
  unpricedModels: z
    .array(z.string())
    .optional()
    .describe('models without a price: their tokens count 0 in estimatedCost (TokenSummary.unpricedModels)'),
  createdAt: z.string().default('').describe('creation time'),
  lastUpdate: z.string().default('').describe('time of the last change'),
  infiniteContext: z.boolean().default(false).describe('infinite-context mode enabled'),
  tokenCounter: z.string().default('').describe('name of the TokenCounter in use'),
  tokenCountsApproximate: z.boolean().default(false).describe('counts come from the chars/4 estimate'),
});
export type SessionStats = z.output<typeof SessionStatsSchema>;
export type SessionStatsInput = z.input<typeof SessionStatsSchema>;
