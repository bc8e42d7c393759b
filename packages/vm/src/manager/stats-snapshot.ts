import type { MemoryManagerStats, VmMetrics } from '../models/stats.js';
import type { VmCore } from './core.js';

/** Metrics and stats snapshots, consistent with the page table and the budget. */

export function syncedMetrics(core: VmCore): VmMetrics {
  core.syncTokenMetrics();
  const stats = core.pageTable.getStats();
  core.metrics.pagesByTier = stats.pagesByTier;
  core.metrics.pagesByModality = stats.pagesByModality;
  return core.metrics.snapshot();
}

/** Stats of every subsystem; a minimal object when assembling them fails (observability never throws). */
export async function statsCore(core: VmCore): Promise<MemoryManagerStats> {
  try {
    return {
      sessionId: core.sessionId,
      turn: core.turn,
      mode: core.mode,
      pageTable: core.pageTable.getStats(),
      workingSet: core.workingSet.getStats(),
      faultHandler: core.faultHandler.getMetrics(),
      tlb: core.tlb.getStats(),
      mutationLog: core.mutationLog.getSummary(),
      prefetcher: core.prefetcher.getStats(),
      packCache: core.packCache.getStats(),
      metrics: syncedMetrics(core),
      pagesInStore: core.store.size,
      storage: core.tierStore ? await core.tierStore.getStats() : null,
    };
  } catch (err) {
    core.logger.warn({ err }, 'getStats failed');
    return minimalStats(core);
  }
}

/** What `getStats` returns when assembling the real stats failed. */
export function minimalStats(core: VmCore): MemoryManagerStats {
  const zero = { L0: 0, L1: 0, L2: 0, L3: 0, L4: 0 };
  const zm = { text: 0, image: 0, audio: 0, video: 0, structured: 0 };
  return {
    sessionId: core.sessionId,
    turn: core.turn,
    mode: core.mode,
    pageTable: { totalPages: 0, dirtyPages: 0, pagesByTier: { ...zero }, pagesByModality: { ...zm }, workingSetSize: 0 },
    workingSet: { l0Pages: 0, l1Pages: 0, totalPages: 0, tokensUsed: 0, tokensAvailable: 0, utilization: 0, needsEviction: false, tokensByModality: { ...zm } },
    faultHandler: { faultsThisTurn: 0, maxFaultsPerTurn: 0, faultsRemaining: 0, totalFaults: 0, tlbHitRate: 0 },
    tlb: { size: 0, maxSize: 0, utilization: 0, hits: 0, misses: 0, hitRate: 0 },
    mutationLog: { totalMutations: 0, uniquePages: 0, contextSnapshots: 0, creates: 0, faults: 0, evictions: 0, compressions: 0, pins: 0, unpins: 0 },
    prefetcher: { toolsTracked: 0, pagesTracked: 0, totalAccesses: 0 },
    packCache: { hits: 0, misses: 0, evictions: 0, invalidations: 0, size: 0, maxSize: 0 },
    metrics: core.metrics.snapshot(),
    pagesInStore: core.store.size,
    storage: null,
  };
}
