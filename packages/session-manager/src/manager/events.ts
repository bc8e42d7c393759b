/**
 * Builders of the events the facade records (conversation-and-facade.md §6.1–§6.3, §6.6). Each
 * message is counted here, once, and the count is stored on the event (README D5).
 */
import type { PricingTable, SessionEvent, TokenCounter, ToolCallEventMessage } from '@chuk/models';
import {
  EventSource,
  EventType,
  MODEL_METADATA,
  PROVIDER_METADATA,
  SessionEvent as Event,
  TIMESTAMP_METADATA,
  TokenUsage,
  ToolOutcome,
  nowIso,
} from '@chuk/models';
import { safeJson } from '@chuk/conversation';
import type { ProviderUsage } from './options.js';

export interface EventContext {
  counter: TokenCounter;
  pricing: PricingTable | undefined;
  clock: () => Date;
  idGenerator: () => string;
}

/** Metadata key marking a summary produced by the extractive fallback after the callback failed. */
export const SUMMARY_FALLBACK_METADATA = 'summary_fallback';
/** Metadata key telling where an assistant event's counts come from. */
export const USAGE_SOURCE_METADATA = 'usage_source';
export const UsageSource = { Provider: 'provider', Counted: 'counted' } as const;
export type UsageSource = (typeof UsageSource)[keyof typeof UsageSource];

export async function userMessageEvent(
  ctx: EventContext,
  message: string,
  model: string,
  metadata: Record<string, unknown> | undefined,
): Promise<SessionEvent> {
  return Event.createWithTokens({
    message,
    prompt: message,
    model,
    source: EventSource.User,
    type: EventType.Message,
    counter: ctx.counter,
    pricing: ctx.pricing,
    id: ctx.idGenerator(),
    timestamp: nowIso(ctx.clock),
    metadata: metadata === undefined ? {} : { ...metadata },
  });
}

function providerTokenUsage(usage: ProviderUsage, model: string, pricing: PricingTable | undefined): TokenUsage {
  return TokenUsage.create(
    {
      promptTokens: usage.inputTokens ?? usage.promptTokens ?? 0,
      completionTokens: usage.outputTokens ?? usage.completionTokens ?? 0,
      totalTokens: usage.totalTokens ?? 0,
      cachedPromptTokens: usage.cachedInputTokens ?? 0,
      reasoningTokens: usage.reasoningTokens ?? 0,
      model,
    },
    { pricing },
  );
}

export async function assistantMessageEvent(
  ctx: EventContext,
  response: string,
  options: { model: string; provider: string; metadata?: Record<string, unknown> | undefined; usage?: ProviderUsage | undefined },
): Promise<SessionEvent> {
  const timestamp = nowIso(ctx.clock);
  const usage = options.usage;
  let metadata: Record<string, unknown> = {
    [MODEL_METADATA]: options.model,
    [PROVIDER_METADATA]: options.provider,
    [TIMESTAMP_METADATA]: timestamp,
    [USAGE_SOURCE_METADATA]: usage === undefined ? UsageSource.Counted : UsageSource.Provider,
  };
  // Caller keys override the defaults (reference behaviour).
  if (options.metadata !== undefined) metadata = Object.assign(metadata, options.metadata);
  const id = ctx.idGenerator();
  if (usage !== undefined) {
    return Event.create({
      message: response,
      source: EventSource.Llm,
      type: EventType.Message,
      id,
      timestamp,
      metadata,
      tokenUsage: providerTokenUsage(usage, options.model, ctx.pricing),
    });
  }
  return Event.createWithTokens({
    message: response,
    source: EventSource.Llm,
    type: EventType.Message,
    id,
    timestamp,
    metadata,
    prompt: '',
    completion: response,
    model: options.model,
    counter: ctx.counter,
    pricing: ctx.pricing,
  });
}

/** Text the model sees for a tool result: strings as-is, everything else as JSON (`"null"` for null). */
export function resultText(result: unknown): string {
  return typeof result === 'string' ? result : safeJson(result);
}

export function toolCallMessage(
  toolName: string,
  args: Record<string, unknown>,
  result: unknown,
  error: string | null,
): ToolCallEventMessage {
  return {
    tool: toolName,
    arguments: args,
    result,
    result_text: resultText(result),
    error,
    success: error === null,
    cached: false,
    call_id: null,
    outcome: error === null ? ToolOutcome.Success : ToolOutcome.Failure,
    attempts: 1,
    duration_ms: null,
  };
}

export function toolCallEvent(
  ctx: EventContext,
  message: ToolCallEventMessage,
  parentEventId: string | null,
  metadata: Record<string, unknown> | undefined,
): SessionEvent {
  return Event.create({
    message,
    source: EventSource.System,
    type: EventType.ToolCall,
    id: ctx.idGenerator(),
    timestamp: nowIso(ctx.clock),
    metadata: { ...metadata },
    parentEventId,
  });
}

export function summaryEvent(ctx: EventContext, summary: string, fallback: boolean): SessionEvent {
  return Event.create({
    message: summary,
    source: EventSource.System,
    type: EventType.Summary,
    id: ctx.idGenerator(),
    timestamp: nowIso(ctx.clock),
    metadata: fallback ? { [SUMMARY_FALLBACK_METADATA]: true } : {},
  });
}
