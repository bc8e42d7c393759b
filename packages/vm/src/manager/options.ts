import { z } from 'zod';
import { InvalidInput, type BlobStore, type Logger, type MessageRole } from '@chuk/models';
import { StorageTier, VmMode, VmModeSchema, type CompressionLevel, type FaultReason, type Modality, type PageType } from '../enums.js';
import type { CompressorRegistry } from '../compression.js';
import type { ContextPackerConfigInput } from '../context-packer.js';
import type { DemandPagingOptions } from '../demand-paging.js';
import type { EvictionPolicy } from '../eviction.js';
import type { ManifestOptions, ManifestPolicies } from '../manifest.js';
import type { FaultPolicyConfig } from '../models/fault.js';
import type { MemoryPage } from '../models/page.js';
import type { SearchFn } from '../models/content.js';
import type { TierStore } from '../storage/tier-store.js';
import type { TokenEstimator } from '../tokens.js';
import type { PinnedSetConfigInput } from '../working-set/pinned-set.js';
import type { AntiThrashConfigInput } from '../working-set/anti-thrash.js';
import type { WorkingSetConfigInput } from '../working-set/working-set.js';

export interface MemoryManagerOptions {
  /** Default: a random UUID. */
  sessionId?: string;
  config?: WorkingSetConfigInput;
  faultPolicy?: FaultPolicyConfig;
  mode?: VmMode;
  /** Default: importance-weighted LRU (position, page importance, page type, anti-thrash). */
  evictionPolicy?: EvictionPolicy;
  /** Default `CompressorRegistry.default()` (compress before evict); `null` disables compression. */
  compressorRegistry?: CompressorRegistry | null;
  /** L3/L4 storage. Without one, evicting to L3/L4 throws `StorageError`. */
  tierStore?: TierStore;
  /** Optional store for dirty L0–L2 pages written back by `flush()`. */
  derivedStore?: BlobStore;
  estimator?: TokenEstimator;
  demandPaging?: DemandPagingOptions & { maxPrefetchTokens?: number };
  searchFn?: SearchFn;
  packer?: ContextPackerConfigInput;
  manifest?: ManifestOptions & { policies?: Partial<ManifestPolicies> };
  tlbSize?: number;
  packCacheSize?: number;
  /** Auto-pin settings applied on `newTurn()`; `false` disables auto-pinning. */
  autoPin?: PinnedSetConfigInput | false;
  antiThrash?: AntiThrashConfigInput;
  /** After a successful add, evict back to `targetUtilization` when `needsEviction()`. */
  proactiveEviction?: boolean;
  /** Fault the prefetcher's pages (through the pre-pass budget) on `newTurn()`. */
  prefetchOnNewTurn?: boolean;
  /** Flush dirty pages every N turns (0 = never). */
  flushEveryNTurns?: number;
  /** Unpin the oldest pinned summaries beyond this count on `evictSegmentPages` (0 = unlimited). */
  maxPinnedSummaries?: number;
  /** Reproduce the reference's fault-time relabel (compatibility tests only). */
  legacyRelabelOnFault?: boolean;
  /**
   * Keep a copy of every page version (on create, compression and `updatePage`) in the mutation log, so
   * `mutationLog.replayTo(pageId, at)` returns the content a page had at that time (spec/vm.md §21.5).
   * Off by default: each change then costs a deep copy, and the copies are kept in memory (not persisted).
   */
  recordVersions?: boolean;
  /** Send the reference's "error page" envelope to the model instead of `{"error", "page_id"}`. */
  legacyErrorEnvelope?: boolean;
  /**
   * Charge each L0 page the larger of its size and the tokens of its `VM:CONTEXT` line (prefix, page id, quotes,
   * escaping, timestamp), so the budget bounds what the packed context really costs. Off by default: a page is
   * charged its size (`pageTokens`), as the reference does, and the lines add a few tokens each beyond the budget.
   */
  chargeContextLines?: boolean;
  clock?: () => Date;
  idGenerator?: () => string;
  logger?: Logger;
}

export const VmDeveloperRole = { System: 'system', Developer: 'developer' } as const;
export type VmDeveloperRole = (typeof VmDeveloperRole)[keyof typeof VmDeveloperRole];

export const VmPromptStrategy = { Duplicate: 'duplicate', MappedMessages: 'mapped_messages' } as const;
export type VmPromptStrategy = (typeof VmPromptStrategy)[keyof typeof VmPromptStrategy];

/** What the session facade passes through (`new SessionManager({ enableVm: true, vm })`). */
export interface VmFacadeOptions {
  config?: WorkingSetConfigInput;
  mode?: VmMode;
  evictionPolicy?: EvictionPolicy;
  compressorRegistry?: CompressorRegistry | null;
  faultPolicy?: FaultPolicyConfig;
  tierStore?: TierStore;
  /** Token estimate of pages, context lines and the manifest (default chars / 4; pass the model's tokenizer to fit a real window). */
  estimator?: TokenEstimator;
  /**
   * `VM:MANIFEST_JSON` settings (`maxTokens`, `maxHintChars`, `maxAvailablePages`, `availableOrder`, `policies`). To keep
   * the whole prompt within a window, give the manifest a `maxTokens` and count it (plus the rules) in `config.reservedTokens`.
   */
  manifest?: MemoryManagerOptions['manifest'];
  /** Unpin the oldest pinned segment summaries beyond this count at a rollover (0 = unlimited, the default). */
  maxPinnedSummaries?: number;
  /** Keep every page version in the mutation log so `mutationLog.replayTo` returns earlier content (default off; see `MemoryManagerOptions`). */
  recordVersions?: boolean;
  /** Charge each L0 page its `VM:CONTEXT` line when larger than its size (default off; see `MemoryManagerOptions`). */
  chargeContextLines?: boolean;
  /** Role of the VM developer message (default `system`). */
  developerRole?: VmDeveloperRole;
  /** Default `mapped_messages`. */
  promptStrategy?: VmPromptStrategy;
  /** Advance the VM turn on every user message (default true). */
  turnPerUserMessage?: boolean;
}

export const VmFacadeSettingsSchema = z.object({
  mode: VmModeSchema.default(VmMode.Strict).describe('VM mode'),
  developerRole: z.enum(VmDeveloperRole).default(VmDeveloperRole.System).describe('Role of the VM developer message'),
  promptStrategy: z.enum(VmPromptStrategy).default(VmPromptStrategy.MappedMessages).describe('How chat messages and VM:CONTEXT combine'),
  turnPerUserMessage: z.boolean().default(true).describe('Advance the VM turn on every user message'),
});
export type VmFacadeSettings = z.output<typeof VmFacadeSettingsSchema>;

/** Defaults of the facade-only settings (validated; invalid values throw `InvalidInput`). */
export function resolveVmFacadeSettings(opts: VmFacadeOptions = {}): VmFacadeSettings {
  const parsed = VmFacadeSettingsSchema.safeParse({
    mode: opts.mode,
    developerRole: opts.developerRole,
    promptStrategy: opts.promptStrategy,
    turnPerUserMessage: opts.turnPerUserMessage,
  });
  if (!parsed.success) throw new InvalidInput({ field: 'vm', reason: parsed.error.message, issues: parsed.error.issues });
  return parsed.data;
}

export interface CreatePageOptions {
  pageType?: PageType;
  modality?: Modality;
  importance?: number;
  provenance?: string[];
  pageId?: string;
  sizeTokens?: number;
  hint?: string;
  metadata?: Record<string, unknown>;
  /** Stored as `metadata.role`. */
  role?: MessageRole;
  caption?: string;
  transcript?: string;
  durationSeconds?: number;
  dimensions?: [number, number];
  mimeType?: string;
  sizeBytes?: number;
  /** Pages of one group (e.g. a tool call and its result) move together. */
  groupId?: string;
  compressionLevel?: CompressionLevel;
  /** Replace an existing page with the same id instead of throwing `DuplicatePageError`. */
  replace?: boolean;
}

export interface BuildContextOptions {
  mode?: VmMode;
  systemPrompt?: string;
  modelId?: string;
  tokenBudget?: number;
  includeSearchTool?: boolean;
  /**
   * L0 pages the caller sends as chat messages (facade `mapped_messages`, spec/vm.md §25.7): left out of
   * `VM:CONTEXT` but still listed in the manifest's working set. A group (a tool call and its result) with
   * a member not excluded is packed whole, so a group is never split.
   */
  excludePageIds?: ReadonlySet<string> | readonly string[];
}

export interface HandleFaultOptions {
  reason?: FaultReason;
  signal?: AbortSignal;
}

export type PagePatch = Partial<
  Pick<
    MemoryPage,
    'content' | 'importance' | 'metadata' | 'caption' | 'transcript' | 'provenance' | 'sizeTokens' | 'mimeType' | 'durationSeconds' | 'dimensions'
  >
>;

export const DEFAULT_EVICTION_TARGET_TIER = StorageTier.L2;
