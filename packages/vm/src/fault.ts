import { CompressionLevel, Modality, StorageTier, isCompressionLevel } from './enums.js';
import type { FaultEffects, PageContent, PageData, PageMeta, VmToolError, VmToolResult } from './models/content.js';
import { copyPage, type MemoryPage } from './models/page.js';
import { VmMetrics, type FaultMetrics } from './models/stats.js';
import type { PageTable } from './page-table.js';
import type { PageTLB } from './tlb.js';
import { charRatioEstimator, pageTokens, type TokenEstimator } from './tokens.js';
import { isPlainObject } from './util/text.js';

export interface PageLoader {
  load(pageId: string, tier: StorageTier, artifactId?: string | null): Promise<MemoryPage | null>;
}

/** Compresses a page to a level at fault time (the reference's `PageCompressor`). */
export interface FaultCompressor {
  compress(page: MemoryPage, target: CompressionLevel): Promise<MemoryPage>;
}

export interface FaultResult {
  success: boolean;
  page: MemoryPage | null;
  error: string | null;
  sourceTier: StorageTier | null;
  latencyMs: number;
  wasCompressed: boolean;
  /** Pages evicted to make room (filled by the manager). */
  evictions?: string[];
  /** False when the page was already mapped (filled by the manager). */
  promoted?: boolean;
  /** Tier the page ended up in (filled by the manager). */
  finalTier?: StorageTier;
}

/** The handler's parent default for the per-turn fault count (the manager passes its policy's limit). */
export const FAULT_HANDLER_DEFAULT_MAX_FAULTS = 2;
export const DEFAULT_FAULT_TARGET_LEVEL: CompressionLevel = CompressionLevel.Abstract;

/** `FaultResult.error` of the manager's fault path (§10.5, §19.9). */
export const FAULT_CANCELLED = 'Fault cancelled';
export const FAULT_POLICY_LIMIT = 'Fault policy limit reached for this turn';
/** The page (or, for a mapped page faulted below its level, its detailed copy) does not fit L0 even after eviction. */
export const FAULT_DOES_NOT_FIT = 'Page does not fit in the working set';

const now = (): number => globalThis.performance.now();

export function faultFailure(error: string, start: number, sourceTier: StorageTier | null = null): FaultResult {
  return { success: false, page: null, error, sourceTier, latencyMs: now() - start, wasCompressed: false };
}

export interface PageFaultHandlerOptions {
  maxFaultsPerTurn?: number;
  estimator?: TokenEstimator;
  /** Reproduce the reference's in-place relabel of the stored page (compatibility tests only). */
  legacyRelabelOnFault?: boolean;
}

/** Loads a page that is not in L0, at a requested compression level. Never throws. */
export class PageFaultHandler {
  readonly pageStore = new Map<string, MemoryPage>();
  readonly metrics = new VmMetrics();
  maxFaultsPerTurn: number;
  faultsThisTurn = 0;
  pageTable: PageTable | undefined;
  tlb: PageTLB | undefined;
  private loader: PageLoader | undefined;
  private compressor: FaultCompressor | undefined;
  private readonly estimator: TokenEstimator;
  private readonly legacyRelabel: boolean;

  constructor(opts: PageFaultHandlerOptions = {}) {
    this.maxFaultsPerTurn = opts.maxFaultsPerTurn ?? FAULT_HANDLER_DEFAULT_MAX_FAULTS;
    this.estimator = opts.estimator ?? charRatioEstimator;
    this.legacyRelabel = opts.legacyRelabelOnFault ?? false;
  }

  configure(deps: { pageTable: PageTable; tlb?: PageTLB; loader?: PageLoader; compressor?: FaultCompressor }): void {
    this.pageTable = deps.pageTable;
    this.tlb = deps.tlb;
    this.loader = deps.loader;
    this.compressor = deps.compressor;
  }

  newTurn(): void {
    this.faultsThisTurn = 0;
    this.metrics.newTurn();
  }
  canFault(): boolean {
    return this.faultsThisTurn < this.maxFaultsPerTurn;
  }
  storePage(page: MemoryPage): void {
    this.pageStore.set(page.pageId, page);
  }

  async handleFault(pageId: string, targetLevel: number = DEFAULT_FAULT_TARGET_LEVEL): Promise<FaultResult> {
    const start = now();
    if (this.faultsThisTurn >= this.maxFaultsPerTurn) return faultFailure(`Fault limit exceeded (${this.maxFaultsPerTurn} per turn)`, start);
    if (!this.pageTable) return faultFailure('PageFaultHandler not configured', start);
    const entry = this.lookup(this.pageTable, pageId);
    if (!entry) return faultFailure(`Page not found: ${pageId}`, start);
    if (!isCompressionLevel(targetLevel)) return faultFailure(`Invalid target_level: ${String(targetLevel)}`, start, entry.tier);
    let loaded: MemoryPage | null;
    try {
      loaded = this.loader ? await this.loader.load(pageId, entry.tier, entry.artifactId) : (this.pageStore.get(pageId) ?? null);
    } catch (err) {
      return faultFailure(`Failed to load page from ${entry.tier}: ${err instanceof Error ? err.message : String(err)}`, start, entry.tier);
    }
    if (!loaded) return faultFailure(`Failed to load page from ${entry.tier}`, start, entry.tier);
    let page = loaded;
    let wasCompressed = false;
    if (this.legacyRelabel) {
      if (page.compressionLevel !== targetLevel) {
        page.compressionLevel = targetLevel;
        wasCompressed = true;
      }
    } else if (targetLevel > page.compressionLevel && this.compressor) {
      try {
        page = await this.compressor.compress(copyPage(loaded), targetLevel);
      } catch (err) {
        return faultFailure(`Compression failed: ${err instanceof Error ? err.message : String(err)}`, start, entry.tier);
      }
      wasCompressed = page.compressionLevel !== loaded.compressionLevel;
    }
    this.faultsThisTurn += 1;
    this.metrics.recordFault();
    this.pageTable.markAccessed(pageId);
    return { success: true, page, error: null, sourceTier: entry.tier, latencyMs: now() - start, wasCompressed };
  }

  /** Envelope handed to the model (`VmToolResult`, or the reference's "error page" on failure). */
  buildToolResult(result: FaultResult, evictions?: string[] | null): VmToolResult {
    return buildToolResult(result, evictions, this.estimator);
  }

  getMetrics(): FaultMetrics {
    return {
      faultsThisTurn: this.faultsThisTurn,
      maxFaultsPerTurn: this.maxFaultsPerTurn,
      faultsRemaining: Math.max(0, this.maxFaultsPerTurn - this.faultsThisTurn),
      totalFaults: this.metrics.faultsTotal,
      tlbHitRate: this.metrics.tlbHitRate,
    };
  }

  private lookup(pageTable: PageTable, pageId: string): ReturnType<PageTable['lookup']> {
    if (!this.tlb) return pageTable.lookup(pageId);
    const hit = this.tlb.lookup(pageId);
    if (hit) {
      this.metrics.recordTlbHit();
      return hit;
    }
    this.metrics.recordTlbMiss();
    const entry = pageTable.lookup(pageId);
    if (entry) this.tlb.insert(entry);
    return entry;
  }
}

function emptyMeta(): PageMeta {
  return { source_tier: null, mime_type: null, size_bytes: null, dimensions: null, duration_seconds: null, latency_ms: null };
}

function imageContent(page: MemoryPage): PageContent {
  const out: { caption: string | null; url?: string; base64?: string } = { caption: page.caption };
  if (typeof page.content === 'string') {
    if (page.content.startsWith('http')) out.url = page.content;
    else if (page.content.startsWith('data:')) out.base64 = page.content;
    else if (!page.caption) out.caption = page.content;
  }
  return out;
}

function structuredContent(page: MemoryPage): PageContent {
  if (isPlainObject(page.content)) return { data: page.content };
  if (typeof page.content === 'string') {
    try {
      const parsed: unknown = JSON.parse(page.content);
      if (isPlainObject(parsed)) return { data: parsed };
    } catch {
      return { data: {} };
    }
  }
  return { data: {} };
}

/** The content block of the envelope, by modality. */
export function envelopeContent(page: MemoryPage): PageContent {
  const text = typeof page.content === 'string' ? page.content : null;
  switch (page.modality) {
    case Modality.Text:
      return { text: text ?? (page.content === null ? '' : JSON.stringify(page.content)) };
    case Modality.Image:
      return imageContent(page);
    case Modality.Audio:
      return { transcript: page.transcript ?? text, ...(page.durationSeconds ? { duration_seconds: page.durationSeconds } : {}) };
    case Modality.Video: {
      const scenes = page.metadata['scenes'];
      return {
        transcript: page.transcript ?? text,
        ...(page.durationSeconds ? { duration_seconds: page.durationSeconds } : {}),
        scenes: Array.isArray(scenes) && scenes.length > 0 ? scenes : [],
      };
    }
    default:
      return structuredContent(page);
  }
}

const LATENCY_DECIMALS = 100;

/** Canonical `page_fault` envelope. A failure becomes the reference's "error page" (see `buildToolError`). */
export function buildToolResult(result: FaultResult, evictions?: string[] | null, estimator: TokenEstimator = charRatioEstimator): VmToolResult {
  const page = result.page;
  if (!result.success || !page) {
    return {
      page: { page_id: 'error', modality: Modality.Text, level: 0, tier: StorageTier.L0, content: { text: result.error ?? 'Unknown error' }, meta: emptyMeta() },
      effects: { promoted_to_working_set: false, tokens_est: 0, evictions: null },
    };
  }
  const meta = emptyMeta();
  meta.source_tier = result.sourceTier;
  if (page.mimeType) meta.mime_type = page.mimeType;
  if (page.sizeBytes) meta.size_bytes = page.sizeBytes;
  if (page.dimensions) meta.dimensions = [...page.dimensions];
  if (page.durationSeconds) meta.duration_seconds = page.durationSeconds;
  if (result.latencyMs) meta.latency_ms = Math.round(result.latencyMs * LATENCY_DECIMALS) / LATENCY_DECIMALS;
  const data: PageData = {
    page_id: page.pageId,
    modality: page.modality,
    level: page.compressionLevel,
    tier: result.finalTier ?? StorageTier.L1,
    content: envelopeContent(page),
    meta,
  };
  const effects: FaultEffects = {
    promoted_to_working_set: result.promoted ?? true,
    tokens_est: pageTokens(page, estimator),
    evictions: evictions ?? result.evictions ?? null,
  };
  return { page: data, effects };
}

/** `{"error": "...", "page_id": "<requested id>"}` — what the model receives on failure. */
export function buildToolError(error: string, pageId: string | null): VmToolError {
  return { error, page_id: pageId };
}
