// enums
export {
  ErrorCode, ErrorCodeSchema, EventSource, EventSourceSchema, EventType, EventTypeSchema, MessageRole, MessageRoleSchema,
  RunStatus, RunStatusSchema, ToolErrorCategory, ToolErrorCategorySchema, ToolOutcome, ToolOutcomeSchema,
} from './enums/index.js';

// errors
export {
  InvalidInput, InvalidSessionOperation, MissingDependency, SessionAlreadyExists, SessionManagerError, SessionNotFound,
  SessionVersionConflict, StorageError, TokenLimitExceeded, ToolProcessingError, isSessionManagerError,
} from './errors/errors.js';
export type {
  ErrorOptions, InputIssue, InvalidInputOptions, InvalidSessionOperationOptions, MissingDependencyOptions,
  SessionManagerErrorOptions, SessionNotFoundOptions, SessionVersionConflictOptions, StorageErrorOptions,
  TokenLimitExceededOptions, ToolProcessingErrorOptions, VersionConflictKind,
} from './errors/errors.js';
export { invalidInputFromZod, joinFieldPath, parseInput } from './errors/parse.js';

// utilities
export type { Logger } from './util/logger.js';
export { noopLogger } from './util/logger.js';
export type { Clock, IdGenerator } from './util/clock.js';
export { randomId, systemClock } from './util/clock.js';
export { sha256Hex, sha256HexBytes } from './util/sha256.js';
export { nowIso, normalizeTimestamp, parseTimestamp, toIsoTimestamp } from './util/time.js';
export type { JsonValue } from './util/json.js';
export { cloneJson } from './util/json.js';
export { KeyedMutex, Mutex, createKeyedMutex } from './util/mutex.js';

// messages
export {
  ChatMessageSchema, MODEL_METADATA, PARENT_EVENT_ID_METADATA, PROVIDER_METADATA, PromptMessageSchema,
  SYSTEM_PROMPT_PROPERTY, SummaryNoteSchema, TIMESTAMP_METADATA, ToolCallEventMessageSchema, ToolCallMessageReadSchema,
  UNKNOWN_TOOL_NAME, USER_ID_PROPERTY, toolNameOf,
} from './messages/index.js';
export type {
  ChatMessage, LlmCallback, PromptMessage, SummaryNote, ToolCallEventMessage, ToolCallEventMessageInput,
  ToolCallMessageRead,
} from './messages/index.js';

// tokens
export {
  DEFAULT_PRICE_KEY, DEFAULT_PRICING, DEFAULT_TOKEN_MODEL, ModelPriceSchema, PricingTableSchema, REFERENCE_FALLBACK_PRICE,
  TOOL_EXECUTION_MODEL,
  estimateCostUsd, isKnownModel, lookupPrice, resolvePrice, roundCost,
} from './tokens/pricing.js';
export type { ModelPrice, PriceLookup, PricingTable, TokenDetail } from './tokens/pricing.js';
export {
  GptTokenizerCounter, HeuristicTokenCounter, TiktokenCounter, TiktokenEncoding, TokenCounterChoice, TokenCounterName,
  countTokens, createTokenCounter, encodingForModel, getDefaultTokenCounter, loadSyncTokenCounter,
} from './tokens/counter.js';
export type { BpeCounterOptions, EncoderLoader, SyncTokenCount, TiktokenEncodingName, TokenCounter } from './tokens/counter.js';
export { ESTIMATE_CHARS_PER_TOKEN, codePointLength, estimateTokens, toCountableText } from './tokens/text.js';
export { TokenUsage, TokenUsageInputSchema, TokenUsageWireSchema } from './tokens/usage.js';
export type { TokenUsageInput, TokenUsageOptions, TokenUsageWire } from './tokens/usage.js';
export { TokenSummary, TokenSummaryWireSchema } from './tokens/summary.js';
export type { TokenSummaryWire } from './tokens/summary.js';

// session model
export {
  MAX_SESSION_ID_LENGTH, SCHEMA_VERSION, SchemaVersionSchema, SessionEventWireSchema, SessionHeaderWireSchema,
  SessionIdSchema, SessionMetadataWireSchema, SessionRunWireSchema, SessionWireSchema, TimestampSchema,
} from './session/schemas.js';
export type {
  SessionEventWire, SessionHeaderWire, SessionMetadataWire, SessionRunWire, SessionWire,
} from './session/schemas.js';
export { SessionMetadata } from './session/metadata.js';
export type { SessionMetadataInit } from './session/metadata.js';
export { CANCEL_REASON_METADATA, FAILURE_REASON_METADATA, SessionRun } from './session/run.js';
export type { SessionRunInit } from './session/run.js';
export { SessionEvent, parentEventIdOf } from './session/event.js';
export type {
  CreateWithTokensInit, EventFromWireOptions, SessionEventInit, SessionEventWireOut, UpdateTokenUsageInput,
} from './session/event.js';
export {
  assertHeader, assertSessionId, cloneHeader, freezeHeader, freezeHeaderParts, headerFromWire, headerToWire,
  isSessionId, thawHeader, thawMetadata,
} from './session/header.js';
export type { FrozenHeader, HeaderParts, SessionHeader, SessionHeaderWireOut } from './session/header.js';
export { DEFAULT_RETRY_ATTEMPTS, defaultBackoffMs, updateHeaderWithRetry } from './session/header-retry.js';
export type { HeaderHolder, HeaderStore, RetryOptions } from './session/header-retry.js';
export { DEFAULT_MAX_ANCESTOR_DEPTH, NO_RUN_KEY, Session } from './session/session.js';
export type {
  SessionFromWireOptions, SessionInit, SessionOptions, SessionStorePort, SessionWireOut,
} from './session/session.js';
export { SessionStatsSchema } from './session/stats.js';
export type { SessionStats, SessionStatsInput } from './session/stats.js';

// stores
export { DEFAULT_LIST_LIMIT, StoreCapabilitiesSchema, StoreStatsSchema, isSessionStore } from './store/contracts.js';
export type {
  AppendOptions, AppendResult, ListOptions, ListPage, ReadEventsOptions, SessionStore, StoreCapabilities, StoreStats,
  UpdateHeaderOptions,
} from './store/contracts.js';
export { appendEventOnce, appendWithRetry } from './store/retry.js';
export { BlobInfoSchema, MAX_BLOB_KEY_BYTES, isBlobStore, validateBlobKey, validateBlobMetadata } from './store/blob.js';
export type { BlobInfo, BlobPutOptions, BlobStore } from './store/blob.js';
export { InMemorySessionStore, MemoryEncoding, MemorySessionData } from './store/memory-session-store.js';
export { sessionFromStoredLog } from './store/stored-session.js';
export { STORE_SCHEMA_VERSION, STORE_SESSION_TYPE, headerToWireJson, headerUserId } from './store/header-wire.js';
export type { InMemorySessionStoreOptions, MemorySessionEntry } from './store/memory-session-store.js';
export { InMemoryBlobStore, MemoryBlobData } from './store/memory-blob-store.js';
export type { InMemoryBlobStoreOptions } from './store/memory-blob-store.js';
