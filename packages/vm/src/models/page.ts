import { z } from 'zod';
import { InvalidInput } from '@chuk/models';
import {
  CompressionLevelSchema,
  DEFAULT_IMPORTANCE,
  ModalitySchema,
  PageTypeSchema,
  StorageTier,
  StorageTierSchema,
  isCompressionLevel,
  type CompressionLevel,
  type Modality,
  type PageType,
} from '../enums.js';
import { isPlainObject, parseTimestamp } from '../util/text.js';

/** Current schema version of stored pages (README D7; absent = 1). */
export const PAGE_SCHEMA_VERSION = 1;

const TimestampSchema = z.string().transform((s) => parseTimestamp(s));

/** Wire (snake_case JSON) form of a page, compatible with the Python reference. */
export const MemoryPageJsonSchema = z.object({
  schema_version: z.number().int().positive().optional(),
  page_id: z.string().min(1),
  session_id: z.string().nullable().optional(),
  modality: ModalitySchema,
  page_type: PageTypeSchema.optional(),
  provenance: z.array(z.string()).optional(),
  represents: z.string().nullable().optional(),
  representation_level: CompressionLevelSchema.optional(),
  storage_tier: StorageTierSchema.optional(),
  artifact_id: z.string().nullable().optional(),
  content: z.unknown().optional(),
  compression_level: CompressionLevelSchema.optional(),
  representations: z.record(z.string(), z.string()).optional(),
  size_bytes: z.number().int().nonnegative().optional(),
  size_tokens: z.number().int().nonnegative().nullable().optional(),
  created_at: TimestampSchema.optional(),
  last_accessed: TimestampSchema.optional(),
  access_count: z.number().int().nonnegative().optional(),
  importance: z.number().min(0).max(1).optional(),
  dirty: z.boolean().optional(),
  pinned: z.boolean().optional(),
  parent_page_id: z.string().nullable().optional(),
  mime_type: z.string().nullable().optional(),
  duration_seconds: z.number().nullable().optional(),
  dimensions: z.tuple([z.number().int(), z.number().int()]).nullable().optional(),
  transcript: z.string().nullable().optional(),
  caption: z.string().nullable().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  version: z.number().int().positive().optional(),
  group_id: z.string().nullable().optional(),
});
export type MemoryPageJson = z.input<typeof MemoryPageJsonSchema>;

/** The atomic unit of VM content. TS properties are the camelCase form of the wire names. */
export interface MemoryPage {
  pageId: string;
  sessionId: string | null;
  modality: Modality;
  pageType: PageType;
  provenance: string[];
  represents: string | null;
  representationLevel: CompressionLevel;
  storageTier: StorageTier;
  artifactId: string | null;
  content: unknown;
  compressionLevel: CompressionLevel;
  /** Stored alternative representations: level → artifact id. */
  representations: Partial<Record<CompressionLevel, string>>;
  sizeBytes: number;
  sizeTokens: number | null;
  createdAt: Date;
  lastAccessed: Date;
  accessCount: number;
  importance: number;
  dirty: boolean;
  pinned: boolean;
  parentPageId: string | null;
  mimeType: string | null;
  durationSeconds: number | null;
  dimensions: [number, number] | null;
  transcript: string | null;
  caption: string | null;
  metadata: Record<string, unknown>;
  /** Content version (starts at 1; bumped by every content change). */
  version: number;
  /** Pages sharing a group (e.g. a tool call and its result) are evicted, compressed, packed and faulted together. */
  groupId: string | null;
}

export type MemoryPageInit = Partial<MemoryPage> & Pick<MemoryPage, 'pageId' | 'modality'>;

/** Throws `InvalidInput` unless `importance` is a number in [0, 1]. */
export function assertImportance(importance: number, field = 'importance'): void {
  if (!(importance >= 0 && importance <= 1)) {
    throw new InvalidInput({ field, reason: `must be a number in [0, 1], got ${String(importance)}` });
  }
}

/** Build a page with the reference defaults (tier L1, level FULL, importance 0.5). */
export function makePage(init: MemoryPageInit, now: Date = new Date()): MemoryPage {
  const importance = init.importance ?? DEFAULT_IMPORTANCE;
  assertImportance(importance);
  const level = init.compressionLevel ?? 0;
  if (!isCompressionLevel(level)) throw new InvalidInput({ field: 'compressionLevel', reason: `invalid level ${String(level)}` });
  return {
    pageId: init.pageId,
    sessionId: init.sessionId ?? null,
    modality: init.modality,
    pageType: init.pageType ?? 'transcript',
    provenance: init.provenance ?? [],
    represents: init.represents ?? null,
    representationLevel: init.representationLevel ?? 0,
    storageTier: init.storageTier ?? StorageTier.L1,
    artifactId: init.artifactId ?? null,
    content: init.content ?? null,
    compressionLevel: level,
    representations: init.representations ?? {},
    sizeBytes: init.sizeBytes ?? 0,
    sizeTokens: init.sizeTokens ?? null,
    createdAt: init.createdAt ?? now,
    lastAccessed: init.lastAccessed ?? now,
    accessCount: init.accessCount ?? 0,
    importance,
    dirty: init.dirty ?? false,
    pinned: init.pinned ?? false,
    parentPageId: init.parentPageId ?? null,
    mimeType: init.mimeType ?? null,
    durationSeconds: init.durationSeconds ?? null,
    dimensions: init.dimensions ?? null,
    transcript: init.transcript ?? null,
    caption: init.caption ?? null,
    metadata: init.metadata ?? {},
    version: init.version ?? 1,
    groupId: init.groupId ?? null,
  };
}

/** Copy with fresh arrays/records, so the copy can be changed without touching the original. */
export function copyPage(page: MemoryPage, patch?: Partial<MemoryPage>): MemoryPage {
  const copy = derivePage(page);
  copy.provenance = page.provenance.length === 0 ? [] : [...page.provenance];
  copy.representations = { ...page.representations };
  copy.metadata = { ...page.metadata };
  return patch === undefined ? copy : Object.assign(copy, patch);
}

/**
 * A new representation of `page` (a compressed or relabelled copy): its own top-level fields, sharing the
 * `provenance`, `representations` and `metadata` containers with `page`. The library never changes those in
 * place (it replaces them), so sharing is safe and saves three objects per compression, most of which are
 * kept for as long as the page (the original stays as the FULL representation).
 */
export function derivePage(page: MemoryPage): MemoryPage {
  // Written out, in the field order of every page literal, rather than `{ ...page }`: a spread copy gets a map
  // (hidden class) of its own, and code reading pages would then see two shapes instead of one.
  return {
    pageId: page.pageId,
    sessionId: page.sessionId,
    modality: page.modality,
    pageType: page.pageType,
    provenance: page.provenance,
    represents: page.represents,
    representationLevel: page.representationLevel,
    storageTier: page.storageTier,
    artifactId: page.artifactId,
    content: page.content,
    compressionLevel: page.compressionLevel,
    representations: page.representations,
    sizeBytes: page.sizeBytes,
    sizeTokens: page.sizeTokens,
    createdAt: page.createdAt,
    lastAccessed: page.lastAccessed,
    accessCount: page.accessCount,
    importance: page.importance,
    dirty: page.dirty,
    pinned: page.pinned,
    parentPageId: page.parentPageId,
    mimeType: page.mimeType,
    durationSeconds: page.durationSeconds,
    dimensions: page.dimensions,
    transcript: page.transcript,
    caption: page.caption,
    metadata: page.metadata,
    version: page.version,
    groupId: page.groupId,
  };
}

/** `last_accessed = now`, `access_count += 1` (mutates and returns the page). */
export function markAccessed(page: MemoryPage, now: Date = new Date()): MemoryPage {
  page.lastAccessed = now;
  page.accessCount += 1;
  return page;
}
export function markDirty(page: MemoryPage): MemoryPage {
  page.dirty = true;
  return page;
}
export function markClean(page: MemoryPage): MemoryPage {
  page.dirty = false;
  return page;
}

/** Role recorded at page creation (`metadata.role`), if any. */
export function pageRole(page: MemoryPage): string | undefined {
  const role = page.metadata['role'];
  return typeof role === 'string' ? role : undefined;
}

const BYTES_KEY = '$bytes';

function encodeContent(content: unknown): unknown {
  if (content instanceof Uint8Array) {
    let binary = '';
    for (const byte of content) binary += String.fromCharCode(byte);
    return { [BYTES_KEY]: globalThis.btoa(binary) };
  }
  return content;
}

function decodeContent(content: unknown): unknown {
  if (isPlainObject(content) && Object.keys(content).length === 1 && typeof content[BYTES_KEY] === 'string') {
    const binary = globalThis.atob(content[BYTES_KEY]);
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  }
  return content;
}

/** Wire (snake_case) JSON of a page, with `schema_version`. */
export function pageToJSON(page: MemoryPage): MemoryPageJson & { schema_version: number } {
  const representations: Record<string, string> = {};
  for (const [level, id] of Object.entries(page.representations)) representations[level] = id;
  return {
    schema_version: PAGE_SCHEMA_VERSION,
    page_id: page.pageId,
    session_id: page.sessionId,
    modality: page.modality,
    page_type: page.pageType,
    provenance: [...page.provenance],
    represents: page.represents,
    representation_level: page.representationLevel,
    storage_tier: page.storageTier,
    artifact_id: page.artifactId,
    content: encodeContent(page.content),
    compression_level: page.compressionLevel,
    representations,
    size_bytes: page.sizeBytes,
    size_tokens: page.sizeTokens,
    created_at: page.createdAt.toISOString(),
    last_accessed: page.lastAccessed.toISOString(),
    access_count: page.accessCount,
    importance: page.importance,
    dirty: page.dirty,
    pinned: page.pinned,
    parent_page_id: page.parentPageId,
    mime_type: page.mimeType,
    duration_seconds: page.durationSeconds,
    dimensions: page.dimensions,
    transcript: page.transcript,
    caption: page.caption,
    metadata: { ...page.metadata },
    version: page.version,
    group_id: page.groupId,
  };
}

/** Validate wire JSON (ours or the reference's) and build the page. Throws `InvalidInput`. */
export function pageFromJSON(raw: unknown): MemoryPage {
  const parsed = MemoryPageJsonSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidInput({ field: 'page', reason: parsed.error.message, issues: parsed.error.issues });
  const w = parsed.data;
  if ((w.schema_version ?? PAGE_SCHEMA_VERSION) > PAGE_SCHEMA_VERSION) {
    throw new InvalidInput({ field: 'schema_version', reason: `unsupported page schema_version ${String(w.schema_version)}` });
  }
  const representations: Partial<Record<CompressionLevel, string>> = {};
  for (const [key, id] of Object.entries(w.representations ?? {})) {
    const level = Number(key);
    if (isCompressionLevel(level)) representations[level] = id;
  }
  const now = new Date();
  return makePage(
    {
      pageId: w.page_id,
      sessionId: w.session_id ?? null,
      modality: w.modality,
      pageType: w.page_type ?? 'transcript',
      provenance: w.provenance ?? [],
      represents: w.represents ?? null,
      representationLevel: w.representation_level ?? 0,
      storageTier: w.storage_tier ?? StorageTier.L1,
      artifactId: w.artifact_id ?? null,
      content: decodeContent(w.content ?? null),
      compressionLevel: w.compression_level ?? 0,
      representations,
      sizeBytes: w.size_bytes ?? 0,
      sizeTokens: w.size_tokens ?? null,
      createdAt: w.created_at ?? now,
      lastAccessed: w.last_accessed ?? now,
      accessCount: w.access_count ?? 0,
      importance: w.importance ?? DEFAULT_IMPORTANCE,
      dirty: w.dirty ?? false,
      pinned: w.pinned ?? false,
      parentPageId: w.parent_page_id ?? null,
      mimeType: w.mime_type ?? null,
      durationSeconds: w.duration_seconds ?? null,
      dimensions: w.dimensions ?? null,
      transcript: w.transcript ?? null,
      caption: w.caption ?? null,
      metadata: w.metadata ?? {},
      version: w.version ?? 1,
      groupId: w.group_id ?? null,
    },
    now,
  );
}
