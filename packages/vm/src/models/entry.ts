import { z } from 'zod';
import { InvalidInput } from '@chuk/models';
import {
  Affinity,
  AffinitySchema,
  CompressionLevelSchema,
  DEFAULT_PAGE_TYPE_EVICTION_WEIGHT,
  ModalitySchema,
  PAGE_TYPE_EVICTION_WEIGHTS,
  PageTypeSchema,
  StorageTierSchema,
  type CompressionLevel,
  type Modality,
  type PageType,
  type StorageTier,
} from '../enums.js';
import { parseTimestamp } from '../util/text.js';

/** Page-table metadata of one page (never content). Authoritative for tier, access stats, pin and dirty state. */
export interface PageTableEntry {
  pageId: string;
  tier: StorageTier;
  artifactId: string | null;
  compressionLevel: CompressionLevel;
  pageType: PageType;
  provenance: string[];
  dirty: boolean;
  pinned: boolean;
  lastFlushed: Date | null;
  lastAccessed: Date;
  accessCount: number;
  sizeTokens: number | null;
  modality: Modality;
  affinity: Affinity;
  version: number;
  groupId: string | null;
}

const TimestampSchema = z.string().transform((s) => parseTimestamp(s));

export const PageTableEntryJsonSchema = z.object({
  page_id: z.string().min(1),
  tier: StorageTierSchema,
  artifact_id: z.string().nullable().optional(),
  compression_level: CompressionLevelSchema.optional(),
  page_type: PageTypeSchema.optional(),
  provenance: z.array(z.string()).optional(),
  dirty: z.boolean().optional(),
  pinned: z.boolean().optional(),
  last_flushed: TimestampSchema.nullable().optional(),
  last_accessed: TimestampSchema.optional(),
  access_count: z.number().int().nonnegative().optional(),
  size_tokens: z.number().int().nonnegative().nullable().optional(),
  modality: ModalitySchema.optional(),
  affinity: AffinitySchema.optional(),
  version: z.number().int().positive().optional(),
  group_id: z.string().nullable().optional(),
});
export type PageTableEntryJson = z.input<typeof PageTableEntryJsonSchema>;

export function makeEntry(init: Partial<PageTableEntry> & Pick<PageTableEntry, 'pageId' | 'tier'>, now?: Date): PageTableEntry {
  return {
    pageId: init.pageId,
    tier: init.tier,
    artifactId: init.artifactId ?? null,
    compressionLevel: init.compressionLevel ?? 0,
    pageType: init.pageType ?? 'transcript',
    provenance: init.provenance ?? [],
    dirty: init.dirty ?? false,
    pinned: init.pinned ?? false,
    lastFlushed: init.lastFlushed ?? null,
    lastAccessed: init.lastAccessed ?? now ?? new Date(),
    accessCount: init.accessCount ?? 0,
    sizeTokens: init.sizeTokens ?? null,
    modality: init.modality ?? 'text',
    affinity: init.affinity ?? Affinity.Local,
    version: init.version ?? 1,
    groupId: init.groupId ?? null,
  };
}

export function entryToJSON(e: PageTableEntry): PageTableEntryJson {
  return {
    page_id: e.pageId,
    tier: e.tier,
    artifact_id: e.artifactId,
    compression_level: e.compressionLevel,
    page_type: e.pageType,
    provenance: [...e.provenance],
    dirty: e.dirty,
    pinned: e.pinned,
    last_flushed: e.lastFlushed?.toISOString() ?? null,
    last_accessed: e.lastAccessed.toISOString(),
    access_count: e.accessCount,
    size_tokens: e.sizeTokens,
    modality: e.modality,
    affinity: e.affinity,
    version: e.version,
    group_id: e.groupId,
  };
}

export function entryFromJSON(raw: unknown): PageTableEntry {
  const parsed = PageTableEntryJsonSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidInput({ field: 'entry', reason: parsed.error.message, issues: parsed.error.issues });
  const w = parsed.data;
  return makeEntry({
    pageId: w.page_id,
    tier: w.tier,
    artifactId: w.artifact_id ?? null,
    compressionLevel: w.compression_level ?? 0,
    pageType: w.page_type ?? 'transcript',
    provenance: w.provenance ?? [],
    dirty: w.dirty ?? false,
    pinned: w.pinned ?? false,
    lastFlushed: w.last_flushed ?? null,
    ...(w.last_accessed ? { lastAccessed: w.last_accessed } : {}),
    accessCount: w.access_count ?? 0,
    sizeTokens: w.size_tokens ?? null,
    modality: w.modality ?? 'text',
    affinity: w.affinity ?? Affinity.Local,
    version: w.version ?? 1,
    groupId: w.group_id ?? null,
  });
}

export function markEntryAccessed(entry: PageTableEntry, now: Date = new Date()): PageTableEntry {
  entry.lastAccessed = now;
  entry.accessCount += 1;
  return entry;
}

/** 0 when pinned, else the page-type weight (lower = less likely to evict). */
export function evictionPriority(entry: Pick<PageTableEntry, 'pinned' | 'pageType'>): number {
  if (entry.pinned) return 0;
  const weights: Readonly<Record<string, number | undefined>> = PAGE_TYPE_EVICTION_WEIGHTS;
  return weights[entry.pageType] ?? DEFAULT_PAGE_TYPE_EVICTION_WEIGHT;
}
