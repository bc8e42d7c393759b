import {
  ALL_COMPRESSION_LEVELS,
  CompressionLevel,
  Modality,
  PAGE_TYPE_EVICTION_WEIGHTS,
  StorageTier,
  TIER_HINTS,
  VM_TAGS,
} from './enums.js';
import { InvalidInput } from '@chuk/models';
import type { PageTableEntry } from './models/entry.js';
import type { MemoryPage } from './models/page.js';
import type { PageTable } from './page-table.js';
import { charRatioEstimator, pageTokens, type TokenEstimator } from './tokens.js';
import { truncateWithEllipsis } from './util/text.js';

/* Manifest models are wire JSON handed to the model (snake_case, key order as in the reference). */

export interface WorkingSetEntry { page_id: string; modality: string; level: number; tokens_est: number; importance: number }
export interface AvailablePageEntry { page_id: string; modality: string; tier: string; levels: number[]; hint: string }
export interface ManifestPolicies { faults_allowed: boolean; max_faults_per_turn: number; upgrade_budget_tokens: number; prefer_levels: number[] }
/**
 * `working_set_omitted` / `available_pages_omitted` are additions to the reference shape, present only under a
 * token budget (`maxTokens`) when entries are left out: how many mapped pages are not listed (they are still in
 * `VM:CONTEXT` or the messages) and how many unmapped pages are not listed (`search_pages` still finds them).
 */
export interface VmManifest {
  session_id: string;
  working_set: WorkingSetEntry[];
  working_set_omitted?: number;
  available_pages: AvailablePageEntry[];
  available_pages_omitted?: number;
  policies: ManifestPolicies;
}

/** `tokens`: the estimate of `json` plus its separating comma, computed once per entry when a budget needs it. */
/** `json` is rendered on first use (`entryJson`): an entry primed and replaced before any build never renders it. */
interface WsCached { source: PageTableEntry; entry: WorkingSetEntry; idJson: string; json: string | undefined; gen: number; tokens: number | undefined }
interface AvCached { source: PageTableEntry; entry: AvailablePageEntry; idJson: string; json: string; gen: number; tokens?: number }

/** The compact JSON of a cached entry (a working-set entry's rendered and kept on first use). */
function entryJson(c: WsCached | AvCached): string {
  if (c.json !== undefined) return c.json;
  const e = (c as WsCached).entry;
  const json = `{"page_id":${c.idJson},"modality":"${e.modality}","level":${e.level},"tokens_est":${e.tokens_est},"importance":${e.importance}}`;
  c.json = json;
  return json;
}

/** A cache is pruned when it holds more than this many times the entries listed by the last call (plus slack). */
const CACHE_SLACK = 2;
const CACHE_MIN_PRUNE = 64;

/** Drop the entries not listed by call `gen` once the cache has grown well past what is listed. */
function prune(cache: Map<string, { gen: number }>, gen: number, listed: number): void {
  if (cache.size <= listed * CACHE_SLACK + CACHE_MIN_PRUNE) return;
  for (const [id, c] of cache) if (c.gen !== gen) cache.delete(id);
}

export const DEFAULT_MAX_AVAILABLE_PAGES = 50;
/** Default `workingSetShare`: half of a manifest budget for the mapped pages, half for the pages that can be faulted. */
export const DEFAULT_WORKING_SET_SHARE = 0.5;
/** Size reported for a working-set entry without a known size (reference constant). */
export const MANIFEST_FALLBACK_TOKENS = 100;
const DEFAULT_IMPORTANCE = 0.5;
/** Ranking bonus of a pinned page among the available pages under a budget (above any importance). */
const PINNED_PRIORITY = 2;
/** Tokens of the comma that separates an entry from the next (and the estimator's rounding). */
const SEPARATOR_TOKENS = 1;

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
  /** Importance by page id: of the working-set entries, and (under `maxTokens`) the rank of available pages. */
  workingSetImportance?: ReadonlyMap<string, number> | ((id: string) => number | undefined);
  hintGenerator?: (e: PageTableEntry) => string;
  policies?: ManifestPolicies;
}

function read(source: ReadonlyMap<string, number> | ((id: string) => number | undefined) | undefined, id: string): number | undefined {
  if (source === undefined) return undefined;
  return typeof source === 'function' ? source(id) : source.get(id);
}

const UNMAPPED_TIERS: readonly StorageTier[] = [StorageTier.L1, StorageTier.L2, StorageTier.L3, StorageTier.L4];

/** What a manager's `manifest` option may set (the builder's own knobs). */
export interface ManifestOptions {
  maxAvailablePages?: number;
  /** recent: by tier (L1 first) then most recently moved/accessed; registration: the reference's oldest-first. */
  availableOrder?: AvailableOrder;
  /**
   * Token budget of the manifest JSON, counted with the manager's estimator (0 or unset: unbounded, the
   * reference). Over budget, the manifest lists fewer pages and says how many it left out:
   * - working-set entries, the most recently mapped first, take up to `workingSetShare` of the budget (all of it
   *   when no page is available); the oldest are left out, counted in `working_set_omitted` (those pages are still
   *   mapped: their lines in `VM:CONTEXT` carry their ids, or they are chat messages);
   * - the available pages (the first `maxAvailablePages` in `availableOrder`) fill what is left, the most useful
   *   first: pinned, then by importance plus page type (claim, index, procedure, summary, artifact, transcript),
   *   then in `availableOrder`; they are listed in `availableOrder`, and `available_pages_omitted` counts every
   *   unmapped page not listed (`search_pages` still reaches all of them);
   * - room they leave goes to the remaining working-set entries.
   * The JSON stays within the budget unless its fixed part (session id, policies) alone exceeds it. Applies to
   * `build` / `buildWithJson` (the manager's path); `buildFromPages` is not bounded.
   */
  maxTokens?: number;
  /** Share of `maxTokens` (after the fixed part) the working-set entries may take while available pages need room (default 0.5). */
  workingSetShare?: number;
  /** Hints in the manifest are cut to this many characters (plus `...`); 0 or unset: whole. `search_pages` sees whole hints. */
  maxHintChars?: number;
}

export interface ManifestBuilderOptions extends ManifestOptions {
  defaultPolicies?: Partial<ManifestPolicies>;
  estimator?: TokenEstimator;
  onHintError?: (pageId: string, err: unknown) => void;
}

function nonNegativeInt(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new InvalidInput({ field, reason: `must be a non-negative integer, got ${String(value)}` });
  return value;
}

function share(field: string, value: number): number {
  if (!(value >= 0 && value <= 1)) throw new InvalidInput({ field, reason: `must be between 0 and 1, got ${String(value)}` });
  return value;
}

/** Rank of an available page under a budget: pinned first, then importance plus how much its page type is kept. */
function availablePriority(e: PageTableEntry, importance: number | undefined): number {
  const typeWeight = PAGE_TYPE_EVICTION_WEIGHTS[e.pageType];
  return (e.pinned ? PINNED_PRIORITY : 0) + (importance ?? DEFAULT_IMPORTANCE) + (1 - typeWeight);
}

/** The manifest object and its compact JSON (same key order); `omitted` adds the counts that are above 0. */
function assemble(
  sessionId: string,
  working: readonly WsCached[],
  available: readonly AvCached[],
  policies: ManifestPolicies,
  omitted: { working: number; available: number } | null,
): { manifest: VmManifest; json: string } {
  // Rope concatenation: no copy of the entry strings here (flattened once by whoever reads the message).
  let workingJson = '';
  for (const c of working) {
    const json = entryJson(c);
    workingJson = workingJson === '' ? json : `${workingJson},${json}`;
  }
  let availableJson = '';
  for (const c of available) availableJson = availableJson === '' ? c.json : `${availableJson},${c.json}`;
  const omitWorking = omitted !== null && omitted.working > 0 ? omitted.working : 0;
  const omitAvailable = omitted !== null && omitted.available > 0 ? omitted.available : 0;
  const manifest: VmManifest = {
    session_id: sessionId,
    working_set: working.map((c) => c.entry),
    ...(omitWorking > 0 ? { working_set_omitted: omitWorking } : {}),
    available_pages: available.map((c) => c.entry),
    ...(omitAvailable > 0 ? { available_pages_omitted: omitAvailable } : {}),
    policies,
  };
  let json = `{"session_id":${JSON.stringify(sessionId)},"working_set":[${workingJson}]`;
  if (omitWorking > 0) json += `,"working_set_omitted":${omitWorking}`;
  json += `,"available_pages":[${availableJson}]`;
  if (omitAvailable > 0) json += `,"available_pages_omitted":${omitAvailable}`;
  return { manifest, json: `${json},"policies":${JSON.stringify(policies)}}` };
}

/** Builds `VM:MANIFEST_JSON`. Stateless. */
export class ManifestBuilder {
  readonly defaultPolicies: ManifestPolicies;
  readonly maxAvailablePages: number;
  readonly availableOrder: AvailableOrder;
  readonly maxTokens: number;
  readonly maxHintChars: number;
  readonly workingSetShare: number;

  constructor(opts: ManifestBuilderOptions = {}) {
    this.defaultPolicies = { ...DEFAULT_MANIFEST_POLICIES, ...opts.defaultPolicies };
    this.maxAvailablePages = nonNegativeInt('manifest.maxAvailablePages', opts.maxAvailablePages ?? DEFAULT_MAX_AVAILABLE_PAGES);
    this.availableOrder = opts.availableOrder ?? AvailableOrder.Recent;
    this.maxTokens = nonNegativeInt('manifest.maxTokens', opts.maxTokens ?? 0);
    this.maxHintChars = nonNegativeInt('manifest.maxHintChars', opts.maxHintChars ?? 0);
    this.workingSetShare = share('manifest.workingSetShare', opts.workingSetShare ?? DEFAULT_WORKING_SET_SHARE);
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
    const gen = ++this.generation;
    const working: WsCached[] = [];
    for (const id of args.workingSetIds) {
      const e = args.pageTable.lookup(id);
      if (!e) continue;
      const tokens = read(args.workingSetTokens, id) ?? (e.sizeTokens || MANIFEST_FALLBACK_TOKENS);
      const importance = read(args.workingSetImportance, id) ?? DEFAULT_IMPORTANCE;
      working.push(this.wsEntry(id, e, tokens, importance, gen));
    }
    const available: AvCached[] = [];
    if (this.maxAvailablePages > 0) {
      for (const e of this.availableEntries(args.pageTable)) {
        // Listed in the working set this call (an id without a page-table entry cannot be listed here).
        if (this.wsCache.get(e.pageId)?.gen === gen) continue;
        available.push(this.avEntry(e, this.hintOf(e, args.hintGenerator), gen));
        if (available.length >= this.maxAvailablePages) break;
      }
    }
    prune(this.wsCache, gen, working.length);
    prune(this.avCache, gen, available.length);
    const policies = args.policies ?? { ...this.defaultPolicies };
    if (this.maxTokens <= 0) return assemble(args.sessionId, working, available, policies, null);
    // Every page that is neither listed in the working set nor mapped counts as available (listed or not).
    const totalAvailable = Math.max(available.length, args.pageTable.size - working.length);
    return this.fitToBudget(args, working, available, policies, totalAvailable);
  }

  /** The manifest within `maxTokens`: its share to the working set (newest first), the most useful available pages, the rest. */
  private fitToBudget(
    args: ManifestBuildArgs,
    working: readonly WsCached[],
    available: readonly AvCached[],
    policies: ManifestPolicies,
    totalAvailable: number,
  ): { manifest: VmManifest; json: string } {
    const omittedCounts = { working: working.length, available: totalAvailable };
    const room = this.maxTokens - this.estimator.estimateText(assemble(args.sessionId, [], [], policies, omittedCounts).json);
    let left = room;
    const keptWs = new Set<WsCached>();
    let next = working.length - 1;
    // Working-set entries, most recently mapped first, contiguous, while they fit in `cap` (tokens used so far).
    const takeWorking = (cap: number): void => {
      for (; next >= 0; next--) {
        const c = working[next] as WsCached;
        const t = this.tokensOf(c);
        if (t > left || room - left + t > cap) break;
        keptWs.add(c);
        left -= t;
      }
    };
    takeWorking(available.length > 0 ? room * this.workingSetShare : room);
    const ranked = available
      .map((c, order) => ({ c, order, priority: availablePriority(c.source, read(args.workingSetImportance, c.source.pageId)) }))
      .sort((a, b) => b.priority - a.priority || a.order - b.order);
    const keptAv = new Set<AvCached>();
    for (const { c } of ranked) {
      const t = this.tokensOf(c);
      if (t > left) continue;
      keptAv.add(c);
      left -= t;
    }
    // What the available pages leave goes to the remaining working-set entries.
    takeWorking(room);
    // Entry estimates are summed; the estimate of the joined JSON decides (drop the least useful until it fits).
    const dropOrder = [...ranked.map((r) => r.c).reverse(), ...working];
    for (;;) {
      const ws = working.filter((c) => keptWs.has(c));
      const av = available.filter((c) => keptAv.has(c));
      const built = assemble(args.sessionId, ws, av, policies, { working: working.length - ws.length, available: totalAvailable - av.length });
      if (this.estimator.estimateText(built.json) <= this.maxTokens) return built;
      const victim = dropOrder.find((c) => keptAv.has(c as AvCached) || keptWs.has(c as WsCached));
      if (victim === undefined) return built;
      keptAv.delete(victim as AvCached);
      keptWs.delete(victim as WsCached);
    }
  }

  private tokensOf(c: WsCached | AvCached): number {
    c.tokens ??= this.estimator.estimateText(entryJson(c)) + SEPARATOR_TOKENS;
    return c.tokens;
  }

  /**
   * Prepare the working-set entry of a page ahead of the next build (called when a mapped page changes), with
   * the same tokens and importance the build will pass; a stale or unused entry is replaced or pruned as usual.
   */
  primeWorkingSetEntry(id: string, e: PageTableEntry, tokens: number | undefined, importance: number | undefined): void {
    this.wsEntry(id, e, tokens ?? (e.sizeTokens || MANIFEST_FALLBACK_TOKENS), importance ?? DEFAULT_IMPORTANCE, this.generation);
  }

  /** Drop the cached working-set entry of a page that left L0 (it is rebuilt if the page is mapped again). */
  forgetWorkingSetEntry(id: string): void {
    this.wsCache.delete(id);
  }

  /** The cached entry when still valid (stamped with `gen`), else a new one. */
  private wsEntry(id: string, e: PageTableEntry, tokens: number, importance: number, gen: number): WsCached {
    let c = this.wsCache.get(id);
    if (c?.source !== e || c.entry.level !== e.compressionLevel || c.entry.tokens_est !== tokens || c.entry.importance !== importance || c.entry.modality !== e.modality) {
      // A new entry object (a returned manifest may hold the old one); the cache record itself is reused.
      const entry: WorkingSetEntry = { page_id: id, modality: e.modality, level: e.compressionLevel, tokens_est: tokens, importance };
      if (c === undefined) {
        c = { source: e, entry, idJson: JSON.stringify(id), json: undefined, gen, tokens: undefined };
        this.wsCache.set(id, c);
      } else {
        c.source = e;
        c.entry = entry;
        c.json = undefined;
        c.tokens = undefined;
        c.gen = gen;
      }
    } else {
      c.gen = gen;
    }
    return c;
  }

  /** The cached available entry when still valid (stamped with `gen`), else a new one. */
  private avEntry(e: PageTableEntry, hint: string, gen: number): AvCached {
    let c = this.avCache.get(e.pageId);
    if (c?.source !== e || c.entry.tier !== e.tier || c.entry.hint !== hint || c.entry.modality !== e.modality) {
      const entry: AvailablePageEntry = { page_id: e.pageId, modality: e.modality, tier: e.tier, levels: [...ALL_COMPRESSION_LEVELS], hint };
      const idJson = c?.idJson ?? JSON.stringify(e.pageId);
      c = { source: e, entry, idJson, json: `{"page_id":${idJson},"modality":"${e.modality}","tier":"${e.tier}","levels":[0,1,2,3],"hint":${JSON.stringify(hint)}}`, gen };
      this.avCache.set(e.pageId, c);
    } else {
      c.gen = gen;
    }
    return c;
  }

  /**
   * Entry caches keyed by page id, kept across calls; entries not listed for a while are pruned once the
   * cache grows past `CACHE_SLACK` times what was listed, so the size stays bounded by the listed pages.
   */
  private readonly wsCache = new Map<string, WsCached>();
  private readonly avCache = new Map<string, AvCached>();
  private generation = 0;

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
      const hint = hintGenerator(e);
      return this.maxHintChars > 0 ? truncateWithEllipsis(hint, this.maxHintChars) : hint;
    } catch (err) {
      this.onHintError?.(e.pageId, err);
      return '';
    }
  }

  private availableEntry(e: PageTableEntry, hintGenerator?: (e: PageTableEntry) => string): AvailablePageEntry {
    return { page_id: e.pageId, modality: e.modality, tier: e.tier, levels: [...ALL_COMPRESSION_LEVELS], hint: this.hintOf(e, hintGenerator) };
  }
}
