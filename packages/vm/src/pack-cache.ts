import { sha256Hex } from '@chuk/models';
import type { VmContext } from './models/context.js';
import type { PackCacheStats } from './models/stats.js';

export interface CachedPackedContext {
  vmContext: string;
  vmManifestJson: string;
  pageIds: string[];
  tokensUsed: number;
  createdAt: Date;
  sessionId: string;
  modelId: string;
  tokenBudget: number;
  workingSetHash: string;
  lastAccessed?: Date;
  accessCount?: number;
  /** The full context object, when cached by `MemoryManager.buildContext`. */
  context?: VmContext;
}

export const DEFAULT_PACK_CACHE_SIZE = 32;
const HASH_PREFIX_CHARS = 16;

/** LRU cache of rendered `VM:CONTEXT` + `VM:MANIFEST_JSON`, keyed by session, model, budget and working-set hash. */
export class ContextPackCache {
  readonly maxEntries: number;
  hits = 0;
  misses = 0;
  evictions = 0;
  invalidations = 0;
  private readonly entries = new Map<string, CachedPackedContext>();

  constructor(opts: { maxEntries?: number; clock?: () => Date } = {}) {
    this.maxEntries = opts.maxEntries ?? DEFAULT_PACK_CACHE_SIZE;
    this.clock = opts.clock ?? (() => new Date());
  }
  private readonly clock: () => Date;

  /** Order-insensitive hash of the working set (with page versions when given). */
  static computeWorkingSetHash(pageIds: readonly string[], versions?: ReadonlyMap<string, number>): string {
    const parts = [...pageIds].sort().map((id) => (versions ? `${id}:${versions.get(id) ?? 0}` : id));
    return sha256Hex(parts.join('|')).slice(0, HASH_PREFIX_CHARS);
  }

  private static key(sessionId: string, modelId: string, tokenBudget: number, hash: string): string {
    return `${sessionId}\u0000${modelId}\u0000${tokenBudget}\u0000${hash}`;
  }

  get(sessionId: string, modelId: string, tokenBudget: number, workingSetHash: string): CachedPackedContext | undefined {
    const key = ContextPackCache.key(sessionId, modelId, tokenBudget, workingSetHash);
    const entry = this.entries.get(key);
    if (!entry) {
      this.misses += 1;
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    entry.lastAccessed = this.clock();
    entry.accessCount = (entry.accessCount ?? 0) + 1;
    this.hits += 1;
    return entry;
  }

  /** Replaces an existing key in place; otherwise evicts the LRU entry when full. */
  put(sessionId: string, modelId: string, tokenBudget: number, workingSetHash: string, packed: CachedPackedContext): void {
    if (this.maxEntries <= 0) return;
    const key = ContextPackCache.key(sessionId, modelId, tokenBudget, workingSetHash);
    const value: CachedPackedContext = { ...packed, sessionId, modelId, tokenBudget, workingSetHash };
    if (this.entries.has(key)) {
      this.entries.delete(key);
    } else {
      while (this.entries.size >= this.maxEntries) {
        const oldest = this.entries.keys().next();
        if (oldest.done) break;
        this.entries.delete(oldest.value);
        this.evictions += 1;
      }
    }
    this.entries.set(key, value);
  }

  invalidateSession(sessionId: string): number {
    let n = 0;
    for (const [key, e] of this.entries) {
      if (e.sessionId === sessionId) {
        this.entries.delete(key);
        n++;
      }
    }
    this.invalidations += n;
    return n;
  }

  /** Drop the session's entries whose working-set hash fails `keep` (renderings that can no longer be hit). */
  invalidateStale(sessionId: string, keep: (workingSetHash: string) => boolean): number {
    let n = 0;
    for (const [key, e] of this.entries) {
      if (e.sessionId === sessionId && !keep(e.workingSetHash)) {
        this.entries.delete(key);
        n++;
      }
    }
    this.invalidations += n;
    return n;
  }

  invalidateAll(): void {
    this.invalidations += this.entries.size;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
  get hitRate(): number {
    const total = this.hits + this.misses;
    return total === 0 ? 0 : this.hits / total;
  }
  getStats(): PackCacheStats {
    return { hits: this.hits, misses: this.misses, evictions: this.evictions, invalidations: this.invalidations, size: this.entries.size, maxSize: this.maxEntries };
  }
}
