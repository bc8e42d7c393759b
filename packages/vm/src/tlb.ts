import type { StorageTier } from './enums.js';
import type { PageTableEntry } from './models/entry.js';
import type { MemoryPage } from './models/page.js';
import type { CombinedPageTableStats, TLBStats } from './models/stats.js';
import type { PageTable, UpdateLocationOptions } from './page-table.js';

export const DEFAULT_TLB_SIZE = 512;

/** Strict-LRU cache of hot page-table entries. Hits and misses are counted in `lookup` only. */
export class PageTLB {
  readonly maxEntries: number;
  hits = 0;
  misses = 0;
  private readonly cache = new Map<string, PageTableEntry>();

  constructor(opts: { maxEntries?: number } = {}) {
    this.maxEntries = opts.maxEntries ?? DEFAULT_TLB_SIZE;
  }

  get size(): number {
    return this.cache.size;
  }
  /** Presence check; does not count as a hit or miss. */
  has(pageId: string): boolean {
    return this.cache.has(pageId);
  }
  lookup(pageId: string): PageTableEntry | undefined {
    const entry = this.cache.get(pageId);
    if (entry === undefined) {
      this.misses += 1;
      return undefined;
    }
    this.cache.delete(pageId);
    this.cache.set(pageId, entry);
    this.hits += 1;
    return entry;
  }
  insert(entry: PageTableEntry): void {
    if (this.maxEntries <= 0) return;
    if (this.cache.has(entry.pageId)) this.cache.delete(entry.pageId);
    else if (this.cache.size >= this.maxEntries) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(entry.pageId, entry);
  }
  invalidate(pageId: string): boolean {
    return this.cache.delete(pageId);
  }
  invalidateTier(tier: StorageTier): number {
    let n = 0;
    for (const [id, e] of this.cache) {
      if (e.tier === tier) {
        this.cache.delete(id);
        n++;
      }
    }
    return n;
  }
  flush(): number {
    const n = this.cache.size;
    this.cache.clear();
    return n;
  }
  /** LRU → MRU order. */
  getAll(): PageTableEntry[] {
    return [...this.cache.values()];
  }
  get hitRate(): number {
    const total = this.hits + this.misses;
    return total === 0 ? 0 : this.hits / total;
  }
  resetStats(): void {
    this.hits = 0;
    this.misses = 0;
  }
  getStats(): TLBStats {
    return {
      size: this.cache.size,
      maxSize: this.maxEntries,
      utilization: this.maxEntries === 0 ? 0 : this.cache.size / this.maxEntries,
      hits: this.hits,
      misses: this.misses,
      hitRate: this.hitRate,
    };
  }
}

/** A page table fronted by a TLB (lookups fill the TLB on miss; changes invalidate it). */
export class TLBWithPageTable {
  readonly tlb: PageTLB;

  constructor(
    readonly pageTable: PageTable,
    tlb?: PageTLB,
  ) {
    this.tlb = tlb === undefined ? new PageTLB() : tlb;
  }

  lookup(pageId: string): PageTableEntry | undefined {
    const cached = this.tlb.lookup(pageId);
    if (cached) return cached;
    const entry = this.pageTable.lookup(pageId);
    if (entry) this.tlb.insert(entry);
    return entry;
  }
  register(page: MemoryPage): PageTableEntry {
    const entry = this.pageTable.register(page);
    this.tlb.insert(entry);
    return entry;
  }
  updateLocation(pageId: string, tier: StorageTier, opts?: UpdateLocationOptions): boolean {
    const ok = this.pageTable.updateLocation(pageId, tier, opts);
    if (ok) this.tlb.invalidate(pageId);
    return ok;
  }
  markDirty(pageId: string): boolean {
    const ok = this.pageTable.markDirty(pageId);
    if (ok) this.tlb.invalidate(pageId);
    return ok;
  }
  remove(pageId: string): PageTableEntry | undefined {
    this.tlb.invalidate(pageId);
    return this.pageTable.remove(pageId);
  }
  getStats(): CombinedPageTableStats {
    return { pageTable: this.pageTable.getStats(), tlb: this.tlb.getStats() };
  }
}
