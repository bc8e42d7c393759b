// enums and constants
export {
  ALL_COMPRESSION_LEVELS, ALL_MODALITIES, ALL_STORAGE_TIERS, Actor, ActorSchema, Affinity, AffinitySchema, CompressionLevel,
  CompressionLevelSchema, ContextPrefix, DEFAULT_IMPORTANCE, DEFAULT_PAGE_TYPE_EVICTION_WEIGHT, FaultConfidenceThreshold,
  FaultConfidenceThresholdSchema, FaultReason, FaultReasonSchema, HintType, MEMORY_PAGE_MIME_TYPE, Modality, ModalitySchema,
  MutationCause, MutationType, MutationTypeSchema, PAGE_ID_PREFIX_MSG, PAGE_TYPE_EVICTION_WEIGHTS, PageType, PageTypeSchema,
  StorageTier, StorageTierSchema, TIER_HINTS, ToolType, VM_CHECKPOINT_MIME_TYPE, VM_STATE_MIME_TYPE, VM_TAGS, VM_TOOL_NAMES,
  VmImportance, VmMode, VmModeSchema, compressCause, compressionLevelName, forkCause, isCompressionLevel, isModality,
  isPersistentTier, tierRank,
} from './enums.js';
export type { CompressionLevelName, VmToolName } from './enums.js';

// errors
export { DuplicatePageError, PageNotFoundError, VirtualMemoryError, VmErrorCode } from './errors.js';
export type { VirtualMemoryErrorOptions } from './errors.js';

// data models
export {
  MemoryPageJsonSchema, PAGE_SCHEMA_VERSION, assertImportance, copyPage, makePage, markAccessed, markClean, markDirty,
  pageFromJSON, pageRole, pageToJSON,
} from './models/page.js';
export type { MemoryPage, MemoryPageInit, MemoryPageJson } from './models/page.js';
export { PageTableEntryJsonSchema, entryFromJSON, entryToJSON, evictionPriority, makeEntry, markEntryAccessed } from './models/entry.js';
export type { PageTableEntry, PageTableEntryJson } from './models/entry.js';
export { parsePageContent, searchResultToJSON } from './models/content.js';
export type {
  AudioContent, FaultEffects, FormattedPage, ImageContent, PageContent, PageData, PageMeta, SearchFn, SearchResult,
  SearchResultEntry, StructuredContent, TextContent, VideoContent, VmToolDefinition, VmToolDefinitionJson, VmToolError,
  VmToolFunction, VmToolParameter, VmToolParameters, VmToolResult,
} from './models/content.js';
export {
  DEFAULT_MAX_FAULTS_PER_TURN, DEFAULT_MAX_FAULT_TOKENS_PER_TURN, FaultPolicy, FaultPolicyConfigSchema,
} from './models/fault.js';
export type { FaultPolicyConfig, FaultRecord, PageMutation } from './models/fault.js';
export {
  DEFAULT_ABI_MODALITY_WEIGHTS, DEFAULT_UPGRADE_BUDGET_TOKENS, TOKENS_PER_REFERENCED_PAGE, UserExperienceMetrics, availableTokens,
} from './models/abi.js';
export type { MemoryABI, PageManifestEntry, RecallAttempt } from './models/abi.js';
export {
  DEFAULT_RESERVED_TOKENS, DEFAULT_TOTAL_LIMIT, TokenBudget, TokenBudgetStateSchema, VmMetrics, toSnakeCaseJSON,
} from './models/stats.js';
export type {
  CombinedPageTableStats, FaultMetrics, MemoryManagerStats, MutationLogSummary, PackCacheStats, PageTableStats,
  PrefetcherStats, StorageStats, TLBStats, TokenBudgetState, VmMetricsState, WorkingSetStats,
} from './models/stats.js';
export type { VmContext } from './models/context.js';

// tokens
export {
  UNKNOWN_CONTENT_TOKENS, charRatioEstimator, createModalityAwareEstimator, createTiktokenEstimator, estimatePageTokens, pageTokens,
} from './tokens.js';
export type { ModalityAwareEstimatorOptions, TokenEstimator } from './tokens.js';

// page table, TLB, working set, eviction
export { PageTable } from './page-table.js';
export type { UpdateLocationOptions } from './page-table.js';
export { DEFAULT_TLB_SIZE, PageTLB, TLBWithPageTable } from './tlb.js';
export { PinnedSet, PinnedSetConfigSchema } from './working-set/pinned-set.js';
export type { PinnedSetConfig, PinnedSetConfigInput, PinnedSetSnapshot } from './working-set/pinned-set.js';
export { AntiThrashConfigSchema, AntiThrashPolicy } from './working-set/anti-thrash.js';
export type { AntiThrashConfig, AntiThrashConfigInput, AntiThrashSnapshot } from './working-set/anti-thrash.js';
export { WorkingSetConfigSchema, WorkingSetManager } from './working-set/working-set.js';
export type {
  EvictionCandidateQuery, WorkingSetConfig, WorkingSetConfigInput, WorkingSetManagerOptions, WorkingSetSnapshot,
} from './working-set/working-set.js';
export {
  DEFAULT_MODALITY_WEIGHTS, ImportanceWeightedLRU, ImportanceWeightedLRUConfigSchema, L0ImportanceSource, LRUEvictionPolicy,
  ModalityAwareLRU, PageTypeAwarePolicy, coverNeed,
} from './eviction.js';
export type {
  AntiThrashView, EvictionCandidate, EvictionContext, EvictionPolicy, ImportanceWeightedLRUConfig, ImportanceWeightedLRUConfigInput,
} from './eviction.js';

// compression
export {
  CompressorRegistry, DEFAULT_MIN_COMPRESS_TOKENS, ImageCompressor, PassthroughCompressor, SyncCompressor, TextCompressor, TextCompressorConfigSchema,
  tokensSaved,
} from './compression.js';
export type {
  CompressionResult, Compressor, DefaultRegistryOptions, SummarizeFn, TextCompressorConfig, TextCompressorConfigInput,
} from './compression.js';

// faults, search, demand paging
export {
  FAULT_CANCELLED, FAULT_DOES_NOT_FIT, FAULT_HANDLER_DEFAULT_MAX_FAULTS, FAULT_POLICY_LIMIT, PageFaultHandler, buildToolError, buildToolResult, envelopeContent,
} from './fault.js';
export type { FaultCompressor, FaultResult, PageFaultHandlerOptions, PageLoader } from './fault.js';
export { DEFAULT_SEARCH_LIMIT, PageSearchHandler, SearchMatchMode } from './search.js';
export type { PageSearchOptions } from './search.js';
export {
  DEFAULT_MAX_PREFETCH_PAGES, DEFAULT_MAX_TOPIC_PAGES, DEFAULT_RECALL_SIGNALS, DEFAULT_REFERENCE_MIN_SHARE, DEFAULT_REFERENCE_MIN_TOPICS,
  DemandPagingPrePass, HintIndex, LEGACY_RECALL_SIGNALS, REFERENCE_MAX_TOPICS, STOP_WORDS,
} from './demand-paging.js';
export type { DemandPagingOptions, PrefetchCandidates, PrefetchQuery } from './demand-paging.js';

// packing, manifest, prompts
export { ContextPacker, ContextPackerConfigSchema, DropOrder, WRAPPER_TOKENS } from './context-packer.js';
export type { ContextPackerConfig, ContextPackerConfigInput, PackedContext } from './context-packer.js';
export {
  AvailableOrder, DEFAULT_MANIFEST_POLICIES, ManifestBuilder, generateSimpleHint, manifestToJSON, manifestToWrappedJSON,
} from './manifest.js';
export type {
  AvailablePageEntry, ManifestBuildArgs, ManifestBuilderOptions, ManifestOptions, ManifestPolicies, VmManifest, WorkingSetEntry,
} from './manifest.js';
export {
  PAGE_FAULT_TOOL, SEARCH_PAGES_TOOL, VM_PASSIVE_PROMPT, VM_PROMPTS, VM_RELAXED_PROMPT, VM_STRICT_PROMPT, VM_TOOLS,
  VM_TOOL_DEFINITIONS, buildVmDeveloperMessage, getPromptForMode, getVmTools, getVmToolsAsJson,
} from './prompts.js';
export type { DeveloperMessageArgs } from './prompts.js';

// mutation log, prefetcher, pack cache
export {
  AudioCompressor, MediaCompressorConfigSchema, StructuredCompressor, VIDEO_SCENES_KEY, VIDEO_SCENE_COUNT_KEY, VideoCompressor, formatDuration, outline,
} from './media-compressors.js';
export type { MediaCompressorConfig, MediaCompressorConfigInput } from './media-compressors.js';
export { MutationLogLite, mutationToJSON } from './mutation-log.js';
export type { ContextSnapshot, MutationLogJson, PageVersion, RecordMutationArgs, ReplayedPage } from './mutation-log.js';
export { SimplePrefetcher } from './prefetcher.js';
export type { ToolUsagePattern } from './prefetcher.js';
export { ContextPackCache, DEFAULT_PACK_CACHE_SIZE } from './pack-cache.js';
export type { CachedPackedContext } from './pack-cache.js';

// tier storage
export { BlobTierStore, CheckpointManifestSchema, createInMemoryTierStore } from './storage/tier-store.js';
export type { BlobTierStoreOptions, CheckpointManifest, TierStore } from './storage/tier-store.js';

// manager
export { MemoryManager } from './manager/manager.js';
export { SUPERSEDED_HINT_PREFIX, SUPERSEDES_METADATA_KEY } from './manager/core.js';
export type { CheckpointInfo } from './manager/manager.js';
export { VmDeveloperRole, VmFacadeSettingsSchema, VmPromptStrategy, resolveVmFacadeSettings } from './manager/options.js';
export type {
  BuildContextOptions, CreatePageOptions, HandleFaultOptions, MemoryManagerOptions, PagePatch, VmFacadeOptions, VmFacadeSettings,
} from './manager/options.js';
export { PageFaultArgsSchema, SearchPagesArgsSchema } from './manager/tool-calls.js';
export type { VmToolCallOutcome } from './manager/tool-calls.js';
export { VM_STATE_SCHEMA_VERSION, VmStateSnapshotSchema } from './manager/snapshot.js';
export type { VmStateSnapshot } from './manager/snapshot.js';
export { StreamingFaultHandler } from './manager/streaming.js';
export type { DeferredPage, DeferredStatus, FaultUrgency } from './manager/streaming.js';
export { eventToPage } from './manager/event-to-page.js';
export type { EventToPageArgs } from './manager/event-to-page.js';
