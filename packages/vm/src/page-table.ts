import { ALL_MODALITIES, ALL_STORAGE_TIERS, Affinity, StorageTier, type CompressionLevel, type Modality, type PageType } from './enums.js';
import type { PageTableEntry } from './models/entry.js';
import type { MemoryPage } from './models/page.js';
import { zeroByModality, zeroByTier, type PageTableStats } from './models/stats.js';
import { charRatioEstimator, pageTokens, type TokenEstimator } from './tokens.js';
import { IntrusiveList } from './util/intrusive-list.js';

export const DEFAULT_EVICTION_CANDIDATE_LIMIT = 10;

const KEEP_LOCATION: UpdateLocationOptions = Object.freeze({});

/** A page's place in the table: its entry, linked into the list of its tier. */
interface Slot {
  entry: PageTableEntry;
  prev: Slot | null;
  next: Slot | null;
}

/** The table's id → entry map, read-only, over the slots (insertion-ordered). */
class EntryView implements ReadonlyMap<string, PageTableEntry> {
  constructor(private readonly slots: ReadonlyMap<string, Slot>) {}
  get size(): number {
    return this.slots.size;
  }
  get(id: string): PageTableEntry | undefined {
    return this.slots.get(id)?.entry;
  }
  has(id: string): boolean {
    return this.slots.has(id);
  }
  forEach(fn: (value: PageTableEntry, key: string, map: ReadonlyMap<string, PageTableEntry>) => void, thisArg?: unknown): void {
    for (const [id, slot] of this.slots) fn.call(thisArg, slot.entry, id, this);
  }
  *entries(): MapIterator<[string, PageTableEntry]> {
    for (const [id, slot] of this.slots) yield [id, slot.entry];
  }
  keys(): MapIterator<string> {
    return this.slots.keys();
  }
  *values(): MapIterator<PageTableEntry> {
    for (const slot of this.slots.values()) yield slot.entry;
  }
  [Symbol.iterator](): MapIterator<[string, PageTableEntry]> {
    return this.entries();
  }
}

export interface UpdateLocationOptions {
  /** `null` clears the artifact id; `undefined` keeps it. */
  artifactId?: string | null;
  compressionLevel?: CompressionLevel;
}

/**
 * Metadata of every known page, with indexes by tier (ordered by recency of arrival/access), page type and
 * dirtiness, and counts per modality. Every operation is O(1) except the listing helpers, which are O(result)
 * (`getByModality`: O(pages), modalities are counted, not indexed).
 */
export class PageTable {
  private readonly slots = new Map<string, Slot>();
  private readonly view = new EntryView(this.slots);
  /** Per tier, ordered by arrival in the tier or last access (oldest first). */
  private readonly byTier: Record<StorageTier, IntrusiveList<Slot>>;
  /** Pages per modality (listing one modality scans the table: nothing in the VM asks for it on a hot path). */
  private readonly modalityCounts: Partial<Record<Modality, number>> = {};
  private readonly byType = new Map<PageType, Set<string>>();
  private readonly dirty = new Set<string>();
  private readonly tokensByTier = zeroByTier();

  constructor(
    private readonly estimator: TokenEstimator = charRatioEstimator,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.byTier = { L0: new IntrusiveList(), L1: new IntrusiveList(), L2: new IntrusiveList(), L3: new IntrusiveList(), L4: new IntrusiveList() };
  }

  /** Insertion-ordered; re-registering keeps the position. */
  get entries(): ReadonlyMap<string, PageTableEntry> {
    return this.view;
  }
  get size(): number {
    return this.slots.size;
  }
  has(pageId: string): boolean {
    return this.slots.has(pageId);
  }
  /** No access tracking. */
  lookup(pageId: string): PageTableEntry | undefined {
    return this.slots.get(pageId)?.entry;
  }

  /**
   * Build an entry from the page (size estimated when absent); replaces an existing entry. The entry shares the
   * page's `provenance` array (never changed in place; a new page version brings a new one).
   */
  register(page: MemoryPage): PageTableEntry {
    const entry = this.entryOf(page);
    this.registerEntry(entry);
    return entry;
  }

  /**
   * `register` for a page whose id the caller knows is not in the table (`createPage` checked): one lookup in
   * the id map less. The result is the same when the id is there after all (then found the slow way).
   */
  registerNew(page: MemoryPage): PageTableEntry {
    const entry = this.entryOf(page);
    const slot: Slot = { entry, prev: null, next: null };
    const size = this.slots.size;
    this.slots.set(entry.pageId, slot);
    if (this.slots.size === size) {
      const old = this.indexedSlot(entry.pageId);
      if (old) this.unindex(old);
    }
    this.index(slot);
    return entry;
  }

  private entryOf(page: MemoryPage): PageTableEntry {
    return {
      pageId: page.pageId,
      tier: page.storageTier,
      artifactId: page.artifactId,
      compressionLevel: page.compressionLevel,
      pageType: page.pageType,
      provenance: page.provenance,
      dirty: page.dirty,
      pinned: page.pinned,
      lastFlushed: null,
      lastAccessed: page.lastAccessed,
      accessCount: page.accessCount,
      sizeTokens: pageTokens(page, this.estimator),
      modality: page.modality,
      affinity: Affinity.Local,
      version: page.version,
      groupId: page.groupId,
    };
  }

  registerEntry(entry: PageTableEntry): void {
    let slot = this.slots.get(entry.pageId);
    if (slot) {
      this.unindex(slot);
      slot.entry = entry;
    } else {
      slot = { entry, prev: null, next: null };
      this.slots.set(entry.pageId, slot);
    }
    this.index(slot);
  }

  /** The slot of `pageId` linked in a tier list (a full scan: only when the id map lost track of it). */
  private indexedSlot(pageId: string): Slot | undefined {
    for (const t of ALL_STORAGE_TIERS) for (const slot of this.byTier[t].values()) if (slot.entry.pageId === pageId) return slot;
    return undefined;
  }

  /** Put a slot's entry into every index. */
  private index(slot: Slot): void {
    const entry = slot.entry;
    this.byTier[entry.tier].append(slot);
    this.modalityCounts[entry.modality] = (this.modalityCounts[entry.modality] ?? 0) + 1;
    this.setOf(this.byType, entry.pageType).add(entry.pageId);
    if (entry.dirty) this.dirty.add(entry.pageId);
    this.tokensByTier[entry.tier] += entry.sizeTokens ?? 0;
  }

  remove(pageId: string): PageTableEntry | undefined {
    const slot = this.slots.get(pageId);
    if (!slot) return undefined;
    this.unindex(slot);
    this.slots.delete(pageId);
    return slot.entry;
  }

  updateLocation(pageId: string, tier: StorageTier, opts: UpdateLocationOptions = KEEP_LOCATION): boolean {
    return this.moveTo(pageId, tier, opts) !== null;
  }

  /** `updateLocation` returning the tier the entry was in before (`null` for an unknown id). */
  moveTo(pageId: string, tier: StorageTier, opts: UpdateLocationOptions = KEEP_LOCATION): StorageTier | null {
    const slot = this.slots.get(pageId);
    if (!slot) return null;
    const entry = slot.entry;
    const before = entry.tier;
    if (before !== tier) {
      this.byTier[entry.tier].remove(slot);
      this.tokensByTier[entry.tier] -= entry.sizeTokens ?? 0;
      this.tokensByTier[tier] += entry.sizeTokens ?? 0;
      entry.tier = tier;
      this.byTier[tier].append(slot);
    } else {
      this.byTier[tier].moveToEnd(slot);
    }
    if (opts.artifactId !== undefined) entry.artifactId = opts.artifactId;
    if (opts.compressionLevel !== undefined) entry.compressionLevel = opts.compressionLevel;
    return before;
  }

  updateCompression(pageId: string, level: CompressionLevel): boolean {
    const entry = this.slots.get(pageId)?.entry;
    if (!entry) return false;
    entry.compressionLevel = level;
    return true;
  }

  updateSize(pageId: string, sizeTokens: number): boolean {
    const entry = this.slots.get(pageId)?.entry;
    if (!entry) return false;
    this.tokensByTier[entry.tier] += sizeTokens - (entry.sizeTokens ?? 0);
    entry.sizeTokens = sizeTokens;
    return true;
  }

  /** `updateSize`, `updateCompression` and `setVersion` at once (a new version of the page's content). */
  updateVersion(pageId: string, sizeTokens: number, level: CompressionLevel, version: number): boolean {
    const entry = this.slots.get(pageId)?.entry;
    if (!entry) return false;
    this.tokensByTier[entry.tier] += sizeTokens - (entry.sizeTokens ?? 0);
    entry.sizeTokens = sizeTokens;
    entry.compressionLevel = level;
    entry.version = version;
    return true;
  }

  setVersion(pageId: string, version: number): boolean {
    const entry = this.slots.get(pageId)?.entry;
    if (!entry) return false;
    entry.version = version;
    return true;
  }

  /**
   * `updateLocation(pageId, tier)` then `markAccessed(pageId, now)` with one lookup; the tier the entry was in
   * before, or `null` for an unknown id.
   */
  moveAccessed(pageId: string, tier: StorageTier, now: Date): StorageTier | null {
    const slot = this.slots.get(pageId);
    if (!slot) return null;
    const entry = slot.entry;
    const before = entry.tier;
    if (before !== tier) {
      this.byTier[before].remove(slot);
      this.tokensByTier[before] -= entry.sizeTokens ?? 0;
      this.tokensByTier[tier] += entry.sizeTokens ?? 0;
      entry.tier = tier;
      this.byTier[tier].append(slot);
    } else {
      this.byTier[tier].moveToEnd(slot);
    }
    entry.lastAccessed = now;
    entry.accessCount += 1;
    return before;
  }

  markAccessed(pageId: string, now: Date = this.clock()): boolean {
    const slot = this.slots.get(pageId);
    if (!slot) return false;
    slot.entry.lastAccessed = now;
    slot.entry.accessCount += 1;
    this.byTier[slot.entry.tier].moveToEnd(slot);
    return true;
  }

  markDirty(pageId: string): boolean {
    const entry = this.slots.get(pageId)?.entry;
    if (!entry) return false;
    entry.dirty = true;
    this.dirty.add(pageId);
    return true;
  }

  /** Clears dirty and sets `lastFlushed = now`. */
  markClean(pageId: string, now: Date = this.clock()): boolean {
    const entry = this.slots.get(pageId)?.entry;
    if (!entry) return false;
    entry.dirty = false;
    entry.lastFlushed = now;
    this.dirty.delete(pageId);
    return true;
  }

  setPinned(pageId: string, pinned: boolean): boolean {
    const entry = this.slots.get(pageId)?.entry;
    if (!entry) return false;
    entry.pinned = pinned;
    return true;
  }

  getByTier(tier: StorageTier): PageTableEntry[] {
    const out: PageTableEntry[] = [];
    for (const slot of this.byTier[tier].values()) out.push(slot.entry);
    return out;
  }
  /** Ids of a tier, most recently arrived or accessed first (lazy). */
  *recentInTier(tier: StorageTier): IterableIterator<string> {
    for (const slot of this.byTier[tier].reversed()) yield slot.entry.pageId;
  }
  countInTier(tier: StorageTier): number {
    return this.byTier[tier].size;
  }
  /** O(pages): in registration order. */
  getByModality(modality: Modality): PageTableEntry[] {
    const out: PageTableEntry[] = [];
    if (!this.modalityCounts[modality]) return out;
    for (const slot of this.slots.values()) if (slot.entry.modality === modality) out.push(slot.entry);
    return out;
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
    for (const m of ALL_MODALITIES) pagesByModality[m] = this.modalityCounts[m] ?? 0;
    return {
      totalPages: this.slots.size,
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
    this.slots.clear();
    for (const t of ALL_STORAGE_TIERS) {
      this.byTier[t].clear();
      this.tokensByTier[t] = 0;
    }
    for (const m of Object.keys(this.modalityCounts) as Modality[]) this.modalityCounts[m] = 0;
    this.byType.clear();
    this.dirty.clear();
  }

  /** Take a slot's entry out of every index (the slot stays in the map). */
  private unindex(slot: Slot): void {
    const old = slot.entry;
    this.byTier[old.tier].remove(slot);
    this.modalityCounts[old.modality] = (this.modalityCounts[old.modality] ?? 0) - 1;
    this.byType.get(old.pageType)?.delete(old.pageId);
    this.dirty.delete(old.pageId);
    this.tokensByTier[old.tier] -= old.sizeTokens ?? 0;
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
      const e = this.slots.get(id)?.entry;
      if (e) out.push(e);
    }
    return out;
  }
}
