// @chuk/session-manager — the facade: SessionManager, the simple API, configuration and adapters.

export { SessionManager } from './manager/session-manager.js';
export {
  AiRespondsOptionsSchema,
  ConversationTurnSchema,
  DEFAULT_MAX_SEGMENT_SUMMARIES,
  DEFAULT_MAX_TURNS_PER_SEGMENT,
  DEFAULT_TOKEN_THRESHOLD,
  OnLoadError,
  OnLoadErrorSchema,
  ProviderUsageSchema,
  SessionManagerOptionsSchema,
  UNKNOWN_MODEL,
  UNKNOWN_PROVIDER,
} from './manager/options.js';
export type {
  AiRespondsOptions,
  ConversationTurn,
  ProviderUsage,
  SessionManagerDeps,
  SessionManagerOptions,
  SessionManagerSettings,
  ToolUsedOptions,
} from './manager/options.js';
export type { ModelUsageStats, SessionManagerStats } from './manager/stats.js';
export { SUMMARY_FALLBACK_METADATA, USAGE_SOURCE_METADATA, UsageSource } from './manager/events.js';
export { boundedContextMessage, summariesWithinBudget } from './manager/summary-budget.js';
export type { SummaryBudgetOptions } from './manager/summary-budget.js';

export {
  getConversationHistory,
  getSessionStats,
  quickConversation,
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- reference alias, kept for migration
  quickStats,
  trackConversation,
  trackInfiniteConversation,
  trackLlmCall,
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- reference alias, kept for migration
  trackLlmInteraction,
  trackToolUse,
} from './simple/api.js';
export type { ReadOptions, TrackLlmCallOptions, TrackOptions, TrackToolUseOptions, TrackedLlmCall } from './simple/api.js';
export { normalizeLlmResponse } from './simple/normalize.js';

export {
  S3ConfigSchema,
  SessionManagerConfigSchema,
  StorageConfigSchema,
  StorageProvider,
  StorageProviderSchema,
  STORAGE_PROVIDER_ALIASES,
  loadConfigFromEnv,
  redactRedisUrl,
} from './config/env.js';
export type { Env, S3Config, SessionManagerConfig, StorageConfig } from './config/env.js';
export {
  configureStorage,
  createStoreFromConfig,
  getDefaultStore,
  getStorageInfo,
  resetDefaultStore,
  setDefaultStore,
} from './config/default-store.js';
export type { StorageInfo } from './config/default-store.js';
export { VERSION, getCapabilities, getVersion } from './config/capabilities.js';
export type { Capabilities } from './config/capabilities.js';

export { toOpenAiChatRequest } from './adapters/openai.js';
export type { OpenAiChatRequest, OpenAiFunctionTool, OpenAiRequestOptions } from './adapters/openai.js';
export { toAnthropicMessagesRequest, toAnthropicTool } from './adapters/anthropic.js';
export type { AnthropicMessagesRequest, AnthropicRequestOptions, AnthropicTool } from './adapters/anthropic.js';
export { createSessionMiddleware, usageFromAiSdk } from './adapters/ai-sdk.js';
export type { SessionMiddleware, SessionMiddlewareOptions, SessionRecorder } from './adapters/ai-sdk.js';

// Re-exports of the user-facing names of the packages the facade wires together (§7.3).
export {
  DEFAULT_TOKEN_MODEL,
  EventSource,
  EventType,
  InMemorySessionStore,
  InvalidInput,
  InvalidSessionOperation,
  MessageRole,
  MissingDependency,
  RunStatus,
  Session,
  SessionAlreadyExists,
  SessionEvent,
  SessionManagerError,
  SessionMetadata,
  SessionNotFound,
  SessionRun,
  SessionVersionConflict,
  StorageError,
  TokenLimitExceeded,
  TokenSummary,
  TokenUsage,
  ToolProcessingError,
} from '@chuk/models';
export type { ChatMessage, LlmCallback, SessionStats, SessionStore, TokenCounter } from '@chuk/models';
export {
  InfiniteConversationManager,
  PromptStrategy,
  SummarizationStrategy,
  buildPromptFromSession,
  truncatePromptToTokenLimit,
} from '@chuk/conversation';
export {
  CompressorRegistry,
  ImportanceWeightedLRU,
  LRUEvictionPolicy,
  MemoryManager,
  PAGE_ID_PREFIX_MSG,
  VmImportance,
  VmMode,
} from '@chuk/vm';
export type { VmContext, VmFacadeOptions, VmToolCallOutcome, VmToolDefinition, WorkingSetConfig } from '@chuk/vm';
export {
  BindingManager,
  ProceduralContextFormatter,
  ResultCache,
  SessionAwareToolProcessor,
  ToolMemoryManager,
  ToolOutcome,
  ToolRegistry,
  ToolStateManager,
  UngroundedGuard,
  storeToolEventSink,
} from '@chuk/tools';
export type { InternalToolHandler, SessionStateAccess, ToolEventSink } from '@chuk/tools';
