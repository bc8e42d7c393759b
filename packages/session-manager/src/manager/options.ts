/**
 * `SessionManager` options (conversation-and-facade.md §5.2) and the option shapes of its methods.
 */
import type { LlmCallback, Logger, PricingTable, SessionStore, TokenCounter } from '@chuk/models';
import { MessageRole, SessionIdSchema, parseInput } from '@chuk/models';
import type { VmFacadeOptions } from '@chuk/vm';
import { z } from 'zod';

export const DEFAULT_TOKEN_THRESHOLD = 4000;
export const DEFAULT_MAX_TURNS_PER_SEGMENT = 20;
export const DEFAULT_MAX_SEGMENT_SUMMARIES = 10;
export const UNKNOWN_MODEL = 'unknown';
export const UNKNOWN_PROVIDER = 'unknown';

export const OnLoadError = { Throw: 'throw', Recreate: 'recreate' } as const;
export type OnLoadError = (typeof OnLoadError)[keyof typeof OnLoadError];
export const OnLoadErrorSchema = z.enum([OnLoadError.Throw, OnLoadError.Recreate]);

export const SessionManagerOptionsSchema = z.object({
  sessionId: SessionIdSchema.optional().describe('open (or create) this session; a new UUID when absent'),
  systemPrompt: z.string().optional().describe('system prompt sent first to the LLM and stored in properties'),
  parentId: SessionIdSchema.optional().describe('parent session of a newly created session'),
  metadata: z.record(z.string(), z.unknown()).default({}).describe('properties of a newly created session'),
  infiniteContext: z.boolean().default(false).describe('segment the conversation and summarise old segments'),
  tokenThreshold: z.number().int().positive().default(DEFAULT_TOKEN_THRESHOLD).describe('segment token limit'),
  maxTurnsPerSegment: z
    .number()
    .int()
    .positive()
    .default(DEFAULT_MAX_TURNS_PER_SEGMENT)
    .describe('message events per segment'),
  defaultModel: z.string().min(1).optional().describe('model used to count user messages (CHUK_DEFAULT_MODEL, else gpt-4o-mini)'),
  onLoadError: OnLoadErrorSchema.default(OnLoadError.Throw).describe('what a failing store.get does at initialisation'),
  includeSegmentSummaries: z.boolean().default(true).describe('send earlier segments\u2019 summaries to the LLM (no VM)'),
  maxSegmentSummaries: z
    .number()
    .int()
    .positive()
    .default(DEFAULT_MAX_SEGMENT_SUMMARIES)
    .describe('newest summaries included in the context message'),
  summaryTokenBudget: z
    .number()
    .int()
    .nonnegative()
    .optional()
    .describe('tokens the summaries message may take; the oldest summaries are dropped first (no VM)'),
  enableVm: z.boolean().default(false).describe('create the virtual-memory subsystem (@chuk/vm)'),
});
export type SessionManagerSettings = z.infer<typeof SessionManagerOptionsSchema>;

/** Injected collaborators (not validated by the schema). */
export interface SessionManagerDeps {
  /** Default: the process-wide default store (`getDefaultStore()`), resolved lazily. */
  store?: SessionStore;
  /** Summariser used at segment rollover; default: the extractive summary. */
  summaryCallback?: LlmCallback;
  /** VM settings (`@chuk/vm`), used only with `enableVm: true`. */
  vm?: VmFacadeOptions;
  counter?: TokenCounter;
  pricing?: PricingTable;
  logger?: Logger;
  clock?: () => Date;
  idGenerator?: () => string;
}

export type SessionManagerOptions = z.input<typeof SessionManagerOptionsSchema> & SessionManagerDeps;

const count = z.number().int().nonnegative();

/**
 * Provider-reported usage of one LLM call. Either naming works: `promptTokens`/`completionTokens`
 * (OpenAI) or `inputTokens`/`outputTokens` (Anthropic, AI SDK). Cached input and reasoning tokens
 * are recorded on the event and summed in stats; they are already part of input / output.
 */
export const ProviderUsageSchema = z
  .object({
    promptTokens: count.optional().describe('input tokens (alias of inputTokens)'),
    completionTokens: count.optional().describe('output tokens (alias of outputTokens)'),
    inputTokens: count.optional().describe('input tokens, cached ones included'),
    outputTokens: count.optional().describe('output tokens, reasoning ones included'),
    totalTokens: count.optional().describe('total as reported by the provider'),
    cachedInputTokens: count.optional().describe('input tokens served from the provider cache'),
    reasoningTokens: count.optional().describe('output tokens spent on reasoning'),
  })
  .strict();
export type ProviderUsage = z.infer<typeof ProviderUsageSchema>;

export const AiRespondsOptionsSchema = z.object({
  model: z.string().min(1).default(UNKNOWN_MODEL).describe('model that produced the response'),
  provider: z.string().min(1).default(UNKNOWN_PROVIDER).describe('provider of the model'),
  metadata: z.record(z.string(), z.unknown()).optional().describe('merged into the event metadata'),
  usage: ProviderUsageSchema.optional().describe('provider-reported token usage (instead of counting the text)'),
});
export type AiRespondsOptions = z.input<typeof AiRespondsOptionsSchema>;
export type ResolvedAiRespondsOptions = z.output<typeof AiRespondsOptionsSchema>;

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/**
 * Validates `aiResponds` options. The common shape (model / provider strings only) is checked by hand,
 * so the per-message path does not pay for a schema parse; anything else goes through the schema.
 */
export function resolveAiRespondsOptions(options: AiRespondsOptions): ResolvedAiRespondsOptions {
  const { model, provider, metadata, usage } = options;
  const simple =
    metadata === undefined &&
    usage === undefined &&
    (model === undefined || isNonEmptyString(model)) &&
    (provider === undefined || isNonEmptyString(provider)) &&
    Object.keys(options).length <= 2;
  if (simple) return { model: model ?? UNKNOWN_MODEL, provider: provider ?? UNKNOWN_PROVIDER };
  return parseInput(AiRespondsOptionsSchema, options, 'options');
}

export interface ToolUsedOptions {
  error?: string | null;
  metadata?: Record<string, unknown>;
  /** `undefined`: link to the latest assistant message of the segment; `null`: no link. */
  parentEventId?: string | null;
}

export const ConversationTurnSchema = z.object({
  role: z.enum([MessageRole.User, MessageRole.Assistant]),
  content: z.string(),
  timestamp: z.string(),
  sessionId: z.string().optional(),
  model: z.string().optional(),
  provider: z.string().optional(),
});
export type ConversationTurn = z.infer<typeof ConversationTurnSchema>;
