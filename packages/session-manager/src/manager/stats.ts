/**
 * `getStats()` (conversation-and-facade.md §6.12): the reference fields plus the token counter in use
 * (README D5) and, as TS additions, token usage and cost per model and the models costed at 0 for want of a
 * price (`unpricedModels`, sorted; empty when every model was priced).
 */
import type { Session, SessionStats, TokenUsage } from '@chuk/models';
import { EventType, MessageRole, TokenSummary } from '@chuk/models';
import type { ManagerRuntime } from './runtime.js';
import { storeCall } from './store-ops.js';

/** Token usage and cost of one model. */
export interface ModelUsageStats {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cachedInputTokens: number;
  reasoningTokens: number;
  estimatedCostUsd: number;
}

/** `SessionStats` plus usage per model and the provider-reported cache / reasoning totals. */
export interface SessionManagerStats extends SessionStats {
  usageByModel: Record<string, ModelUsageStats>;
  promptTokens: number;
  completionTokens: number;
  cachedInputTokens: number;
  reasoningTokens: number;
}

function modelStats(usage: TokenUsage): ModelUsageStats {
  return {
    promptTokens: usage.promptTokens,
    completionTokens: usage.completionTokens,
    totalTokens: usage.totalTokens,
    cachedInputTokens: usage.cachedPromptTokens,
    reasoningTokens: usage.reasoningTokens,
    estimatedCostUsd: usage.estimatedCostUsd ?? 0,
  };
}

function usageFields(summary: TokenSummary): Pick<
  SessionManagerStats,
  'usageByModel' | 'promptTokens' | 'completionTokens' | 'cachedInputTokens' | 'reasoningTokens' | 'unpricedModels'
> {
  const usageByModel: Record<string, ModelUsageStats> = {};
  let cachedInputTokens = 0;
  let reasoningTokens = 0;
  for (const [model, usage] of Object.entries(summary.usageByModel)) {
    usageByModel[model] = modelStats(usage);
    cachedInputTokens += usage.cachedPromptTokens;
    reasoningTokens += usage.reasoningTokens;
  }
  return {
    usageByModel,
    promptTokens: summary.totalPromptTokens,
    completionTokens: summary.totalCompletionTokens,
    cachedInputTokens,
    reasoningTokens,
    unpricedModels: summary.unpricedModels,
  };
}

function countToolCalls(session: Session): number {
  let n = 0;
  for (const event of session.events) if (event.type === EventType.ToolCall) n++;
  return n;
}

function roundCost(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** Stats of the current segment, from the running totals (no rescan of the session). */
function segmentStats(rt: ManagerRuntime): SessionManagerStats {
  const segment = rt.segment;
  const session = segment.session;
  return {
    sessionId: session.id,
    sessionSegments: 1,
    sessionChain: null,
    totalMessages: segment.userMessages + segment.aiMessages,
    totalEvents: session.events.length,
    userMessages: segment.userMessages,
    aiMessages: segment.aiMessages,
    toolCalls: segment.toolCalls,
    totalTokens: session.totalTokens,
    estimatedCost: session.totalCost,
    createdAt: session.metadata.createdAt,
    lastUpdate: segment.lastUpdateTime,
    infiniteContext: rt.settings.infiniteContext,
    tokenCounter: rt.counter.name,
    tokenCountsApproximate: rt.counter.approximate,
    ...usageFields(session.tokenSummary),
  };
}

/** Stats summed over every segment of the chain; a segment that cannot be read is logged and skipped. */
async function chainStats(rt: ManagerRuntime): Promise<SessionManagerStats> {
  const current = rt.segment.session;
  const turns = rt.chain.turns();
  const merged = new TokenSummary(rt.events.pricing === undefined ? {} : { pricing: rt.events.pricing });
  let totalTokens = 0;
  let cost = 0;
  let totalEvents = 0;
  let toolCalls = 0;
  for (const id of rt.chain.ids()) {
    let session: Session | null = null;
    try {
      session = id === current.id ? current : await storeCall(rt.store, 'get', () => rt.store.get(id));
    } catch (error) {
      rt.logger.warn({ sessionId: id, err: error }, 'segment skipped in stats: it could not be read');
    }
    if (session === null) continue;
    totalTokens += session.totalTokens;
    cost += session.totalCost;
    totalEvents += session.events.length;
    toolCalls += id === current.id ? rt.segment.toolCalls : countToolCalls(session);
    for (const usage of Object.values(session.tokenSummary.usageByModel)) merged.addUsage(usage);
  }
  const userMessages = turns.filter((t) => t.role === MessageRole.User).length;
  const aiMessages = turns.length - userMessages;
  const usage = usageFields(merged);
  return {
    sessionId: current.id,
    sessionSegments: rt.chain.totalSegments,
    sessionChain: rt.chain.ids(),
    totalMessages: userMessages + aiMessages,
    totalEvents,
    userMessages,
    aiMessages,
    toolCalls,
    totalTokens,
    estimatedCost: roundCost(cost),
    createdAt: rt.chain.rootCreatedAt,
    lastUpdate: rt.segment.lastUpdateTime,
    infiniteContext: true,
    tokenCounter: rt.counter.name,
    tokenCountsApproximate: rt.counter.approximate,
    ...usage,
  };
}

export async function computeStats(rt: ManagerRuntime, allSegments: boolean): Promise<SessionManagerStats> {
  return allSegments ? chainStats(rt) : segmentStats(rt);
}
