import { z } from 'zod';

/** Compression level of a page's content; higher = fewer tokens. Serialised as an integer. */
export const CompressionLevel = { Full: 0, Reduced: 1, Abstract: 2, Reference: 3 } as const;
export type CompressionLevel = (typeof CompressionLevel)[keyof typeof CompressionLevel];
export const CompressionLevelSchema = z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]);
export const ALL_COMPRESSION_LEVELS: readonly CompressionLevel[] = [0, 1, 2, 3];

const LEVEL_NAMES = ['full', 'reduced', 'abstract', 'reference'] as const;
export type CompressionLevelName = (typeof LEVEL_NAMES)[number];

/** `"full" | "reduced" | "abstract" | "reference"` (used in mutation causes). */
export function compressionLevelName(level: CompressionLevel): CompressionLevelName {
  return LEVEL_NAMES[level];
}

/** True when `value` is one of the four compression levels. */
export function isCompressionLevel(value: unknown): value is CompressionLevel {
  return value === 0 || value === 1 || value === 2 || value === 3;
}

export const Modality = {
  Text: 'text',
  Image: 'image',
  Audio: 'audio',
  Video: 'video',
  Structured: 'structured',
} as const;
export type Modality = (typeof Modality)[keyof typeof Modality];
export const ModalitySchema = z.enum(Modality);
export const ALL_MODALITIES: readonly Modality[] = Object.values(Modality);
const MODALITY_SET: ReadonlySet<string> = new Set(ALL_MODALITIES);
export function isModality(value: unknown): value is Modality {
  return typeof value === 'string' && MODALITY_SET.has(value);
}

/** Memory tiers: L0 context window, L1 hot cache, L2 session store, L3 artifacts, L4 cold archive. */
export const StorageTier = { L0: 'L0', L1: 'L1', L2: 'L2', L3: 'L3', L4: 'L4' } as const;
export type StorageTier = (typeof StorageTier)[keyof typeof StorageTier];
export const StorageTierSchema = z.enum(StorageTier);
export const ALL_STORAGE_TIERS: readonly StorageTier[] = Object.values(StorageTier);
const TIER_RANK: Readonly<Record<StorageTier, number>> = { L0: 0, L1: 1, L2: 2, L3: 3, L4: 4 };
/** 0 for L0 … 4 for L4. */
export function tierRank(tier: StorageTier): number {
  return TIER_RANK[tier];
}
/** Tiers whose content lives in tier storage, not in process. */
export function isPersistentTier(tier: StorageTier): boolean {
  return tier === StorageTier.L3 || tier === StorageTier.L4;
}

export const Affinity = { Local: 'local', Remote: 'remote', Shared: 'shared' } as const;
export type Affinity = (typeof Affinity)[keyof typeof Affinity];
export const AffinitySchema = z.enum(Affinity);

export const VmMode = { Strict: 'strict', Relaxed: 'relaxed', Passive: 'passive' } as const;
export type VmMode = (typeof VmMode)[keyof typeof VmMode];
export const VmModeSchema = z.enum(VmMode);

export const PageType = {
  Transcript: 'transcript',
  Summary: 'summary',
  Artifact: 'artifact',
  Claim: 'claim',
  Procedure: 'procedure',
  Index: 'index',
} as const;
export type PageType = (typeof PageType)[keyof typeof PageType];
export const PageTypeSchema = z.enum(PageType);

export const FaultReason = {
  UserRequestedRecall: 'user_requested_recall',
  ResolveReference: 'resolve_reference',
  ToolPrerequisite: 'tool_prereq',
  Speculative: 'speculative',
} as const;
export type FaultReason = (typeof FaultReason)[keyof typeof FaultReason];
export const FaultReasonSchema = z.enum(FaultReason);

/** Page lifecycle events; `fork`…`flush` are additions to the reference's eight values. */
export const MutationType = {
  Create: 'create',
  FaultIn: 'fault_in',
  Evict: 'evict',
  Compress: 'compress',
  Pin: 'pin',
  Unpin: 'unpin',
  Update: 'update',
  Delete: 'delete',
  Fork: 'fork',
  Checkpoint: 'checkpoint',
  Restore: 'restore',
  Flush: 'flush',
} as const;
export type MutationType = (typeof MutationType)[keyof typeof MutationType];
export const MutationTypeSchema = z.enum(MutationType);

export const Actor = { User: 'user', Model: 'model', Tool: 'tool', System: 'system' } as const;
export type Actor = (typeof Actor)[keyof typeof Actor];
export const ActorSchema = z.enum(Actor);

/** Line prefixes of `VM:CONTEXT`; `Claim` ("C") is an addition. */
export const ContextPrefix = {
  User: 'U',
  Assistant: 'A',
  Tool: 'T',
  Summary: 'S',
  Claim: 'C',
  Image: 'I',
  Audio: 'D',
  Video: 'V',
  Structured: 'J',
  Unknown: '?',
} as const;
export type ContextPrefix = (typeof ContextPrefix)[keyof typeof ContextPrefix];

export const ToolType = { Function: 'function' } as const;
export type ToolType = (typeof ToolType)[keyof typeof ToolType];

export const FaultConfidenceThreshold = {
  Explicit: 'explicit',
  Referenced: 'referenced',
  Speculative: 'speculative',
} as const;
export type FaultConfidenceThreshold = (typeof FaultConfidenceThreshold)[keyof typeof FaultConfidenceThreshold];
export const FaultConfidenceThresholdSchema = z.enum(FaultConfidenceThreshold);

export const HintType = {
  Recent: 'recent',
  Stored: 'stored',
  Archived: 'archived',
  Summary: 'summary',
  Excerpt: 'excerpt',
  Content: 'content',
} as const;
export type HintType = (typeof HintType)[keyof typeof HintType];

/** Causes recorded on mutations. */
export const MutationCause = {
  CreatePage: 'create_page',
  MapToL0: 'map_to_l0',
  EvictionPressure: 'eviction_pressure',
  PageFault: 'page_fault',
  ExplicitPin: 'explicit_pin',
  ExplicitUnpin: 'explicit_unpin',
  ExplicitEvict: 'explicit_evict',
  SegmentRollover: 'segment_rollover',
  DemandPrefetch: 'demand_prefetch',
  ReplacePage: 'replace_page',
  UpdatePage: 'update_page',
  DeletePage: 'delete_page',
  Flush: 'flush',
  Checkpoint: 'checkpoint',
  Restore: 'restore',
} as const;
export type MutationCause = (typeof MutationCause)[keyof typeof MutationCause];

/** `compress_reduced` | `compress_abstract` | `compress_reference`. */
export function compressCause(level: CompressionLevel): string {
  return `compress_${compressionLevelName(level)}`;
}
/** `fork_from:<parent session>`. */
export function forkCause(parentSessionId: string): string {
  return `fork_from:${parentSessionId}`;
}

export const MEMORY_PAGE_MIME_TYPE = 'application/x-memory-page';
export const VM_CHECKPOINT_MIME_TYPE = 'application/x-vm-checkpoint';
export const VM_STATE_MIME_TYPE = 'application/x-vm-state';

export const TIER_HINTS: Readonly<Partial<Record<StorageTier, HintType>>> = {
  L2: HintType.Recent,
  L3: HintType.Stored,
  L4: HintType.Archived,
};

/** Lower = less likely to be evicted. */
export const PAGE_TYPE_EVICTION_WEIGHTS: Readonly<Record<PageType, number>> = {
  claim: 0.1,
  index: 0.2,
  procedure: 0.3,
  summary: 0.4,
  artifact: 0.6,
  transcript: 0.7,
};
export const DEFAULT_PAGE_TYPE_EVICTION_WEIGHT = 0.5;

/** Importance of the pages the session facade creates. */
export const VmImportance = { User: 0.6, Ai: 0.5, Tool: 0.4, Summary: 0.9 } as const;
export type VmImportance = (typeof VmImportance)[keyof typeof VmImportance];
export const DEFAULT_IMPORTANCE = 0.5;

export const PAGE_ID_PREFIX_MSG = 'msg';

export const VM_TOOL_NAMES = { PageFault: 'page_fault', SearchPages: 'search_pages' } as const;
export type VmToolName = (typeof VM_TOOL_NAMES)[keyof typeof VM_TOOL_NAMES];

export const VM_TAGS = {
  RulesOpen: '<VM:RULES>',
  RulesClose: '</VM:RULES>',
  ManifestOpen: '<VM:MANIFEST_JSON>',
  ManifestClose: '</VM:MANIFEST_JSON>',
  ContextOpen: '<VM:CONTEXT>',
  ContextClose: '</VM:CONTEXT>',
} as const;
