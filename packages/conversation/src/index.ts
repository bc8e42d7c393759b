export { messageText, roleOfSource, safeJson, summaryTextOf } from './common/text.js';
export type { ConversationRole } from './common/text.js';

export {
  SegmentLimitsSchema,
  countMessageEvents,
  exceedsSegmentLimits,
  segmentMessages,
  shouldCreateNewSegment,
  storedMessageCount,
} from './segment/limits.js';
export type { SegmentLimits, SegmentTotals } from './segment/limits.js';

export { GENERIC_SUMMARY_PROMPT, SummarizationStrategy, SummarizationStrategySchema, getSummarizationPrompt } from './summary/strategy.js';
export { createExtractiveSummary } from './summary/extractive.js';
export { PINNED_FACTS_HEADING, renderPinnedSection, stripPinnedFacts, withPinnedFacts } from './summary/pinned.js';
export {
  DEFAULT_FALLBACK_TURNS,
  DEFAULT_SUMMARY_ATTEMPTS,
  DEFAULT_SUMMARY_INPUT_BUDGET,
  FALLBACK_TURN_MAX_CHARS,
  MAX_REDUCE_ROUNDS,
  MAX_SUMMARY_ATTEMPTS,
  MIN_SUMMARY_INPUT_BUDGET,
  SummarizeConfigSchema,
  SummaryOutcome,
  SummaryOutcomeSchema,
  lastTurnsFallback,
  summarizeMessages,
} from './summary/summarize.js';
export type { SummarizeConfig, SummarizeOptions, SummaryResult } from './summary/summarize.js';
export { MESSAGE_OVERHEAD_TOKENS, REQUEST_OVERHEAD_TOKENS } from './summary/chunking.js';
export type { StoredTokenCount, TokenBasis } from './summary/chunking.js';

export {
  DEFAULT_MAX_CACHED_SESSIONS,
  DEFAULT_MAX_TURNS_PER_SEGMENT,
  DEFAULT_TOKEN_THRESHOLD,
  InfiniteConversationOptionsSchema,
} from './infinite/options.js';
export type { InfiniteConversationConfig, InfiniteConversationManagerOptions } from './infinite/options.js';
export {
  PINNED_FACTS_STATE,
  PINNED_METADATA,
  SummaryEventMetadataSchema,
  lastSummaryEvent,
  summaryInfoOf,
} from './infinite/summary-event.js';
export type { SummaryEventMetadata } from './infinite/summary-event.js';
export {
  DEFAULT_CONTEXT_MESSAGES,
  HistoryEntrySchema,
  InfiniteConversationManager,
  PREVIOUS_CONTEXT_PREFIX,
} from './infinite/manager.js';
export type { BuildContextOptions, HistoryEntry, ProcessMessageOptions } from './infinite/manager.js';

export { PromptStrategy, PromptStrategySchema } from './prompt/strategy.js';
export { DEFAULT_MAX_HISTORY, PARENT_CONTEXT_PREFIX, buildPromptFromSession } from './prompt/build.js';
export type { BuildPromptOptions } from './prompt/build.js';
export { buildConversationPrompt, buildMinimalPrompt, buildTaskPrompt, buildToolPrompt } from './prompt/strategies.js';
export { renderPromptForCounting, truncatePromptToTokenLimit } from './prompt/truncate.js';
export type { TruncateOptions } from './prompt/truncate.js';

export { SYNTHETIC_CALL_ID_PREFIX, normalizeMessages, toolInputObject } from './export/message.js';
export type { ConversationMessage, NormalMessage, ToolCallRequest } from './export/message.js';
export { sessionToConversationMessages } from './export/session.js';
export type { SessionMessagesOptions } from './export/session.js';
export { argumentsText, toOpenAIMessages } from './export/openai.js';
export type { OpenAIChatMessage, OpenAIToolCall } from './export/openai.js';
export { toAnthropicMessages } from './export/anthropic.js';
export type {
  AnthropicContentBlock,
  AnthropicMessage,
  AnthropicPrompt,
  AnthropicTextBlock,
  AnthropicToolResultBlock,
  AnthropicToolUseBlock,
} from './export/anthropic.js';
export { toAiSdkMessages } from './export/ai-sdk.js';
export type { AiSdkModelMessage, AiSdkTextPart, AiSdkToolCallPart, AiSdkToolResultOutput, AiSdkToolResultPart } from './export/ai-sdk.js';
