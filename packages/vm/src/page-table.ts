import { ALL_MODALITIES, ALL_STORAGE_TIERS, StorageTier, type CompressionLevel, type Modality, type PageType } from './enums.js';
import { makeEntry, type PageTableEntry } from './models/entry.js';
import type { MemoryPage } from './models/page.js';
import { zeroByModality, zeroByTier, type PageTableStats } from './models/stats.js';
import { charRatioEstimator, pageTokens, type TokenEstimator } from './tokens.js';
import { LinkedSet } from './util/linked-set.js';

export const DEFAULT_EVICTION_CANDIDATE_LIMIT = 10;

export interface UpdateLocationOptions {
  /** `null` clears the artifact id; `undefined` keeps it. */
  artifactId?: string | null;
  compressionLevel?: CompressionLevel;
}

/**
 * Metadata of every known page, with indexes by tier (ordered by recency of arrival/access), modality,
 * page type and dirtiness. Every operation is O(1) except the listing helpers, which are O(result).
 */
export class PageTable {
  private readonly map = new Map<string, PageTableEntry>();
  private readonly byTier: Record<StorageTier, LinkedSet>;
  private readonly byModality = new Map<Modality, Set<string>>();
  private readonly byType = new Map<PageType, Set<string>>();
  private readonly dirty = new Set<string>();
  private readonly tokensByTier = zeroByTier();

  constructor(
    private readonly estimator: TokenEstimator = charRatioEstimator,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.byTier = { L0: new LinkedSet(), L1: new LinkedSet(), L2: new LinkedSet(), L3: new LinkedSet(), L4: new LinkedSet() };
  }

  /** Insertion-ordered; re-registering keeps the position. */
  get entries(): ReadonlyMap<string, PageTableEntry> {
    return this.map;
  }
  get size(): number {
    return this.map.size;
  }
  has(pageId: string): boolean {
    return this.map.has(pageId);
  }
  /** No access tracking. */
  lookup(pageId: string): PageTableEntry | undefined {
    return this.map.get(pageId);
  }

  /** Build an entry from the page (size estimated when absent); replaces an existing entry. */
  register(page: MemoryPage): PageTableEntry {
    const entry = makeEntry({
      pageId: page.pageId,
      tier: page.storageTier,
      artifactId: page.artifactId,
      compressionLevel: page.compressionLevel,
      pageType: page.pageType,
      provenance: [...page.provenance],
      dirty: page.dirty,
      pinned: page.pinned,
      lastAccessed: page.lastAccessed,
      accessCount: page.accessCount,
      sizeTokens: pageTokens(page, this.estimator),
      modality: page.modality,
      version: page.version,
      groupId: page.groupId,
    });
    this.registerEntry(entry);
    return entry;
  }

  registerEntry(entry: PageTableEntry): void {
    this.unindex(entry.pageId);
    this.map.set(entry.pageId, entry);
    this.byTier[entry.tier].touch(entry.pageId);
    this.setOf(this.byModality, entry.modality).add(entry.pageId);
    this.setOf(this.byType, entry.pageType).add(entry.pageId);
    if (entry.dirty) this.dirty.add(entry.pageId);
    this.tokensByTier[entry.tier] += entry.sizeTokens ?? 0;
  }

  remove(pageId: string): PageTableEntry | undefined {
    const entry = this.unindex(pageId);
    if (entry) this.map.delete(pageId);
    return entry;
  }

  updateLocation(pageId: string, tier: StorageTier, opts: UpdateLocationOptions = {}): boolean {
    const entry = this.map.get(pageId);
    if (!entry) return false;
    if (entry.tier !== tier) {
      this.byTier[entry.tier].delete(pageId);
      this.tokensByTier[entry.tier] -= entry.sizeTokens ?? 0;
      this.tokensByTier[tier] += entry.sizeTokens ?? 0;
      entry.tier = tier;
    }
    this.byTier[tier].touch(pageId);
    if (opts.artifactId !== undefined) entry.artifactId = opts.artifactId;
    if (opts.compressionLevel !== undefined) entry.compressionLevel = opts.compressionLevel;
    return true;
  }

  updateCompression(pageId: string, level: CompressionLevel): boolean {
    const entry = this.map.get(pageId);
    if (!entry) return false;
    entry.compressionLevel = level;
    return true;
  }

  updateSize(pageId: string, sizeTokens: number): boolean {
    const entry = this.map.get(pageId);
    if (!entry) return false;
    this.tokensByTier[entry.tier] += sizeTokens - (entry.sizeTokens ?? 0);
    entry.sizeTokens = sizeTokens;
    return true;
  }

  setVersion(pageId: string, version: number): boolean {
    const entry = this.map.get(pageId);
    if (!entry) return false;
    entry.version = version;
    return true;
  }

  markAccessed(pageId: string, now: Date = this.clock()): boolean {
    const entry = this.map.get(pageId);
    if (!entry) return false;
    entry.lastAccessed = now;
    entry.accessCount += 1;
    this.byTier[entry.tier].touch(pageId);
    return true;
  }

  markDirty(pageId: string): boolean {
    const entry = this.map.get(pageId);
    if (!entry) return false;
    entry.dirty = true;
    this.dirty.add(pageId);
    return true;
  }

  /** Clears dirty and sets `lastFlushed = now`. */
  markClean(pageId: string, now: Date = this.clock()): boolean {
    const entry = this.map.get(pageId);
    if (!entry) return false;
    entry.dirty = false;
    entry.lastFlushed = now;
    this.dirty.delete(pageId);
    return true;
  }

  setPinned(pageId: string, pinned: boolean): boolean {
    const entry = this.map.get(pageId);
    if (!entry) return false;
    entry.pinned = pinned;
    return true;
  }

  getByTier(tier: StorageTier): PageTableEntry[] {
    return this.collect(this.byTier[tier].values());
  }
  /** Ids of a tier, most recently arrived or accessed first (lazy). */
  *recentInTier(tier: StorageTier): IterableIterator<string> {
    yield* this.byTier[tier].reversed();
  }
  countInTier(tier: StorageTier): number {
    return this.byTier[tier].size;
  }
  getByModality(modality: Modality): PageTableEntry[] {
    return this.collect(this.byModality.get(modality)?.values() ?? []);
  }
  getByType(pageType: PageType): PageTableEntry[] {
    return this.collect(this.byType.get(pageType)?.values() ?? []);
  }
  getDirtyPages(): PageTableEntry[] {
    return this.collect(this.dirty.values());
  }
  /** L0 entries then L1 entries. */
  getWorkingSet(): PageTableEntry[] {
    return [...this.getByTier(StorageTier.L0), ...this.getByTier(StorageTier.L1)];
  }

  /** Oldest `last_accessed` first. */
  getEvictionCandidates(tier: StorageTier = StorageTier.L1, limit = DEFAULT_EVICTION_CANDIDATE_LIMIT): PageTableEntry[] {
    return this.getByTier(tier)
      .sort((a, b) => a.lastAccessed.getTime() - b.lastAccessed.getTime())
      .slice(0, limit);
  }

  getStats(): PageTableStats {
    const pagesByTier = zeroByTier();
    for (const t of ALL_STORAGE_TIERS) pagesByTier[t] = this.byTier[t].size;
    const pagesByModality = zeroByModality();
    for (const m of ALL_MODALITIES) pagesByModality[m] = this.byModality.get(m)?.size ?? 0;
    return {
      totalPages: this.map.size,
      dirtyPages: this.dirty.size,
      pagesByTier,
      pagesByModality,
      workingSetSize: pagesByTier.L0 + pagesByTier.L1,
    };
  }

  /** Sum of entry sizes; `undefined` and `[]` both mean every tier. O(tiers). */
  getTotalTokens(tiers?: readonly StorageTier[]): number {
    const selected = tiers && tiers.length > 0 ? new Set(tiers) : ALL_STORAGE_TIERS;
    let sum = 0;
    for (const t of selected) sum += this.tokensByTier[t];
    return sum;
  }

  clear(): void {
    this.map.clear();
    for (const t of ALL_STORAGE_TIERS) {
      this.byTier[t].clear();
      this.tokensByTier[t] = 0;
    }
    this.byModality.clear();
    this.byType.clear();
    this.dirty.clear();
  }

  private unindex(pageId: string): PageTableEntry | undefined {
    const old = this.map.get(pageId);
    if (!old) return undefined;
    this.byTier[old.tier].delete(pageId);
    this.byModality.get(old.modality)?.delete(pageId);
    this.byType.get(old.pageType)?.delete(pageId);
    this.dirty.delete(pageId);
    this.tokensByTier[old.tier] -= old.sizeTokens ?? 0;
    return old;
  }

  private setOf<K>(index: Map<K, Set<string>>, key: K): Set<string> {
    let set = index.get(key);
    if (!set) {
      set = new Set();
      index.set(key, set);
    }
    return set;
  }

  private collect(ids: Iterable<string>): PageTableEntry[] {
    const out: PageTableEntry[] = [];
    for (const id of ids) {
      const e = this.map.get(id);
      if (e) out.push(e);
    }
    return out;
  }
}
