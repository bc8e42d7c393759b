import { ALL_COMPRESSION_LEVELS, CompressionLevel, Modality, StorageTier, TIER_HINTS, VM_TAGS } from './enums.js';
import type { PageTableEntry } from './models/entry.js';
import type { MemoryPage } from './models/page.js';
import type { PageTable } from './page-table.js';
import { charRatioEstimator, pageTokens, type TokenEstimator } from './tokens.js';

/* Manifest models are wire JSON handed to the model (snake_case, key order as in the reference). */

export interface WorkingSetEntry { page_id: string; modality: string; level: number; tokens_est: number; importance: number }
export interface AvailablePageEntry { page_id: string; modality: string; tier: string; levels: number[]; hint: string }
export interface ManifestPolicies { faults_allowed: boolean; max_faults_per_turn: number; upgrade_budget_tokens: number; prefer_levels: number[] }
export interface VmManifest { session_id: string; working_set: WorkingSetEntry[]; available_pages: AvailablePageEntry[]; policies: ManifestPolicies }

interface WsCached { source: PageTableEntry; entry: WorkingSetEntry; idJson: string; json: string }
interface AvCached { source: PageTableEntry; entry: AvailablePageEntry; idJson: string; json: string }

export const DEFAULT_MAX_AVAILABLE_PAGES = 50;
/** Size reported for a working-set entry without a known size (reference constant). */
export const MANIFEST_FALLBACK_TOKENS = 100;
const DEFAULT_IMPORTANCE = 0.5;

export const DEFAULT_MANIFEST_POLICIES: Readonly<ManifestPolicies> = {
  faults_allowed: true,
  max_faults_per_turn: 2,
  upgrade_budget_tokens: 4096,
  prefer_levels: [2, 1, 0],
};

export const AvailableOrder = { Recent: 'recent', Registration: 'registration' } as const;
export type AvailableOrder = (typeof AvailableOrder)[keyof typeof AvailableOrder];

export function manifestToJSON(m: VmManifest, indent?: number): string {
  return JSON.stringify(m, null, indent);
}
export function manifestToWrappedJSON(m: VmManifest, indent?: number): string {
  return `${VM_TAGS.ManifestOpen}\n${manifestToJSON(m, indent)}\n${VM_TAGS.ManifestClose}`;
}

/** `"recent"`, `"image stored"`, `"video stored excerpt"`, … or `"content"`. */
export function generateSimpleHint(entry: Pick<PageTableEntry, 'modality' | 'tier' | 'compressionLevel'>): string {
  const parts: string[] = [];
  if (entry.modality !== Modality.Text) parts.push(entry.modality);
  const tierHint = TIER_HINTS[entry.tier];
  if (tierHint) parts.push(tierHint);
  if (entry.compressionLevel === CompressionLevel.Abstract) parts.push('summary');
  else if (entry.compressionLevel === CompressionLevel.Reduced) parts.push('excerpt');
  return parts.length > 0 ? parts.join(' ') : 'content';
}

export interface ManifestBuildArgs {
  sessionId: string;
  pageTable: PageTable;
  workingSetIds: readonly string[];
  workingSetTokens?: ReadonlyMap<string, number> | ((id: string) => number | undefined);
  workingSetImportance?: ReadonlyMap<string, number> | ((id: string) => number | undefined);
  hintGenerator?: (e: PageTableEntry) => string;
  policies?: ManifestPolicies;
}

function read(source: ReadonlyMap<string, number> | ((id: string) => number | undefined) | undefined, id: string): number | undefined {
  if (source === undefined) return undefined;
  return typeof source === 'function' ? source(id) : source.get(id);
}

const UNMAPPED_TIERS: readonly StorageTier[] = [StorageTier.L1, StorageTier.L2, StorageTier.L3, StorageTier.L4];

/** Builds `VM:MANIFEST_JSON`. Stateless. */
export class ManifestBuilder {
  readonly defaultPolicies: ManifestPolicies;
  readonly maxAvailablePages: number;
  readonly availableOrder: AvailableOrder;

  constructor(
    opts: {
      defaultPolicies?: Partial<ManifestPolicies>;
      maxAvailablePages?: number;
      /** recent: by tier (L1 first) then most recently moved/accessed; registration: the reference's oldest-first. */
      availableOrder?: AvailableOrder;
      estimator?: TokenEstimator;
      onHintError?: (pageId: string, err: unknown) => void;
    } = {},
  ) {
    this.defaultPolicies = { ...DEFAULT_MANIFEST_POLICIES, ...opts.defaultPolicies };
    this.maxAvailablePages = opts.maxAvailablePages ?? DEFAULT_MAX_AVAILABLE_PAGES;
    this.availableOrder = opts.availableOrder ?? AvailableOrder.Recent;
    this.estimator = opts.estimator ?? charRatioEstimator;
    this.onHintError = opts.onHintError;
  }
  private readonly estimator: TokenEstimator;
  private readonly onHintError: ((pageId: string, err: unknown) => void) | undefined;

  build(args: ManifestBuildArgs): VmManifest {
    return this.buildWithJson(args).manifest;
  }

  /**
   * The manifest and its compact JSON (identical to `manifestToJSON`). Entry objects and their JSON are cached
   * per page-table entry, so a call costs O(working set + listed pages) with no re-serialisation of unchanged entries.
   * The returned entry objects are shared between calls (treat them as read-only).
   */
  buildWithJson(args: ManifestBuildArgs): { manifest: VmManifest; json: string } {
    const ws = new Set(args.workingSetIds);
    const working: WorkingSetEntry[] = [];
    let workingJson = '';
    const nextWs = new Map<string, WsCached>();
    const nextAv = new Map<string, AvCached>();
    for (const id of args.workingSetIds) {
      const e = args.pageTable.lookup(id);
      if (!e) continue;
      const tokens = read(args.workingSetTokens, id) ?? (e.sizeTokens || MANIFEST_FALLBACK_TOKENS);
      const importance = read(args.workingSetImportance, id) ?? DEFAULT_IMPORTANCE;
      let c = this.wsCache.get(id);
      if (c?.source !== e || c.entry.level !== e.compressionLevel || c.entry.tokens_est !== tokens || c.entry.importance !== importance || c.entry.modality !== e.modality) {
        const entry: WorkingSetEntry = { page_id: id, modality: e.modality, level: e.compressionLevel, tokens_est: tokens, importance };
        const idJson = c?.idJson ?? JSON.stringify(id);
        c = { source: e, entry, idJson, json: `{"page_id":${idJson},"modality":"${e.modality}","level":${e.compressionLevel},"tokens_est":${tokens},"importance":${importance}}` };
      }
      nextWs.set(id, c);
      working.push(c.entry);
      workingJson = working.length === 1 ? c.json : `${workingJson},${c.json}`;
    }
    const available: AvailablePageEntry[] = [];
    let availableJson = '';
    for (const e of this.availableEntries(args.pageTable)) {
      if (available.length >= this.maxAvailablePages) break;
      if (ws.has(e.pageId)) continue;
      const hint = this.hintOf(e, args.hintGenerator);
      let c = this.avCache.get(e.pageId);
      if (c?.source !== e || c.entry.tier !== e.tier || c.entry.hint !== hint || c.entry.modality !== e.modality) {
        const entry: AvailablePageEntry = { page_id: e.pageId, modality: e.modality, tier: e.tier, levels: [...ALL_COMPRESSION_LEVELS], hint };
        const idJson = c?.idJson ?? JSON.stringify(e.pageId);
        c = { source: e, entry, idJson, json: `{"page_id":${idJson},"modality":"${e.modality}","tier":"${e.tier}","levels":[0,1,2,3],"hint":${JSON.stringify(hint)}}` };
      }
      nextAv.set(e.pageId, c);
      available.push(c.entry);
      availableJson = available.length === 1 ? c.json : `${availableJson},${c.json}`;
    }
    this.wsCache = nextWs;
    this.avCache = nextAv;
    const policies = args.policies ?? { ...this.defaultPolicies };
    const manifest: VmManifest = { session_id: args.sessionId, working_set: working, available_pages: available, policies };
    const json = `{"session_id":${JSON.stringify(args.sessionId)},"working_set":[${workingJson}],"available_pages":[${availableJson}],"policies":${JSON.stringify(policies)}}`;
    return { manifest, json };
  }

  /** Per-call caches keyed by page id (rebuilt each call, so bounded by what was listed last time). */
  private wsCache = new Map<string, WsCached>();
  private avCache = new Map<string, AvCached>();

  buildFromPages(args: {
    sessionId: string;
    workingSetPages: readonly MemoryPage[];
    availableEntries: readonly PageTableEntry[];
    hintGenerator?: (e: PageTableEntry) => string;
    policies?: ManifestPolicies;
  }): VmManifest {
    const ws = new Set(args.workingSetPages.map((p) => p.pageId));
    return {
      session_id: args.sessionId,
      working_set: args.workingSetPages.map((p) => ({
        page_id: p.pageId,
        modality: p.modality,
        level: p.compressionLevel,
        tokens_est: pageTokens(p, this.estimator),
        importance: p.importance,
      })),
      available_pages: args.availableEntries
        .filter((e) => !ws.has(e.pageId))
        .slice(0, this.maxAvailablePages)
        .map((e) => this.availableEntry(e, args.hintGenerator)),
      policies: args.policies ?? { ...this.defaultPolicies },
    };
  }

  private *availableEntries(pageTable: PageTable): IterableIterator<PageTableEntry> {
    if (this.availableOrder === AvailableOrder.Registration) {
      yield* pageTable.entries.values();
      return;
    }
    for (const tier of UNMAPPED_TIERS) {
      for (const id of pageTable.recentInTier(tier)) {
        const e = pageTable.lookup(id);
        if (e) yield e;
      }
    }
  }

  private hintOf(e: PageTableEntry, hintGenerator?: (e: PageTableEntry) => string): string {
    if (!hintGenerator) return '';
    try {
      return hintGenerator(e);
    } catch (err) {
      this.onHintError?.(e.pageId, err);
      return '';
    }
  }

  private availableEntry(e: PageTableEntry, hintGenerator?: (e: PageTableEntry) => string): AvailablePageEntry {
    return { page_id: e.pageId, modality: e.modality, tier: e.tier, levels: [...ALL_COMPRESSION_LEVELS], hint: this.hintOf(e, hintGenerator) };
  }
}
