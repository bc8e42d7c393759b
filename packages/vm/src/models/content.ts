import { z } from 'zod';
import { InvalidInput } from '@chuk/models';
import type { CompressionLevel, Modality, StorageTier } from '../enums.js';

/*
 * Envelope models handed to the model as JSON. They exist only to be serialised, so their TS shape is
 * the wire shape (snake_case keys, README D7).
 */

export interface TextContent { text: string }
export interface ImageContent { caption?: string | null; url?: string | null; base64?: string | null; embedding?: number[] | null }
export interface AudioContent { transcript?: string | null; timestamps?: Record<string, unknown>[] | null; duration_seconds?: number | null }
export interface VideoContent { scenes: unknown[]; transcript?: string | null; duration_seconds?: number | null }
export interface StructuredContent { data: Record<string, unknown>; schema_name?: string | null }
export type PageContent = TextContent | ImageContent | AudioContent | VideoContent | StructuredContent;

export interface PageMeta {
  source_tier: StorageTier | null;
  mime_type: string | null;
  size_bytes: number | null;
  dimensions: number[] | null;
  duration_seconds: number | null;
  latency_ms: number | null;
}

export interface PageData {
  page_id: string;
  modality: Modality;
  level: CompressionLevel;
  tier: StorageTier;
  content: PageContent;
  meta: PageMeta;
}

export interface FaultEffects { promoted_to_working_set: boolean; tokens_est: number; evictions: string[] | null }

/** Success envelope of `page_fault`. */
export interface VmToolResult { page: PageData; effects: FaultEffects }

/** Error envelope of a VM tool (what the model receives on failure). */
export interface VmToolError { error: string; page_id: string | null }

export interface FormattedPage { content: string; tokensEst: number }

/** One `search_pages` hit (metadata only, never content). */
export interface SearchResultEntry {
  pageId: string;
  modality: Modality;
  tier: StorageTier;
  levels: CompressionLevel[];
  hint: string;
  relevance: number;
  /** True when the page is already mapped into L0 (the default search; a custom `SearchFn` may leave it out). */
  mapped?: boolean;
}

export interface SearchResult { results: SearchResultEntry[]; totalAvailable: number }

/** Wire JSON of a search result (`{"results":[...],"total_available":N}`). */
export function searchResultToJSON(result: SearchResult): string {
  return JSON.stringify({
    results: result.results.map((r) => ({
      page_id: r.pageId,
      modality: r.modality,
      tier: r.tier,
      levels: r.levels,
      hint: r.hint,
      relevance: r.relevance,
      ...(r.mapped === true ? { mapped: true } : {}),
    })),
    total_available: result.totalAvailable,
  });
}

export type SearchFn = (query: string, modality: Modality | null, limit: number) => Promise<SearchResult>;

/* Chat Completions tool model (not `@chuk/tools`' executable ToolDefinition). */
export interface VmToolParameter {
  type: string;
  description: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  default?: unknown;
}
export interface VmToolParameters { type: 'object'; properties: Record<string, VmToolParameter>; required: string[] }
export interface VmToolFunction { name: string; description: string; parameters: VmToolParameters }
export interface VmToolDefinition { type: 'function'; function: VmToolFunction }
/** Plain JSON form of a tool definition (undefined/null fields omitted). */
export type VmToolDefinitionJson = VmToolDefinition;

const ContentSchemas = {
  text: z.object({ text: z.string().default('') }),
  image: z.object({
    caption: z.string().nullable().optional(),
    url: z.string().nullable().optional(),
    base64: z.string().nullable().optional(),
    embedding: z.array(z.number()).nullable().optional(),
  }),
  audio: z.object({
    transcript: z.string().nullable().optional(),
    timestamps: z.array(z.record(z.string(), z.unknown())).nullable().optional(),
    duration_seconds: z.number().nullable().optional(),
  }),
  video: z.object({ scenes: z.array(z.unknown()).default([]), transcript: z.string().nullable().optional(), duration_seconds: z.number().nullable().optional() }),
  structured: z.object({ data: z.record(z.string(), z.unknown()).default({}), schema_name: z.string().nullable().optional() }),
} as const;

/** Parse envelope content by modality (the union is untagged, so the modality decides). Throws `InvalidInput`. */
export function parsePageContent(modality: Modality, raw: unknown): PageContent {
  const parsed = ContentSchemas[modality].safeParse(raw);
  if (!parsed.success) throw new InvalidInput({ field: 'content', reason: parsed.error.message, issues: parsed.error.issues });
  return parsed.data;
}
