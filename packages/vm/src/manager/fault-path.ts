import { CompressionLevel, MutationType, StorageTier, type Actor, type FaultReason } from '../enums.js';
import { faultFailure, type FaultResult } from '../fault.js';
import { copyPage, type MemoryPage } from '../models/page.js';
import { pageTokens } from '../tokens.js';
import type { VmCore } from './core.js';
import { mapToL0 } from './paging.js';

/** Fault pre-check estimate when a page's size is unknown (reference constant). */
export const FAULT_PRECHECK_FALLBACK_TOKENS = 500;

export interface FaultOptions {
  actor: Actor;
  cause: string;
  reason: FaultReason;
  /** Pre-pass faults do not use the model's quota. */
  prefetch: boolean;
  signal?: AbortSignal;
}

/** A lower level than the stored one: the kept original (re-compressed to the target) or a stored representation. */
async function detailed(core: VmCore, pageId: string, stored: MemoryPage, target: CompressionLevel): Promise<MemoryPage | null> {
  if (target >= stored.compressionLevel) return null;
  let original = core.originals.get(pageId) ?? null;
  const repId = stored.representations[CompressionLevel.Full];
  if (!original && repId && core.tierStore) original = await core.tierStore.loadPage(repId);
  if (!original) return null;
  if (target === CompressionLevel.Full || !core.registry) return original;
  return (await core.registry.compressPage(original, target)).page;
}

/** Run the fault handler, keeping the pre-pass out of the model's quota and the TLB counters in the metrics. */
async function runHandler(core: VmCore, pageId: string, targetLevel: number, prefetch: boolean): Promise<FaultResult> {
  const hitsBefore = core.faultHandler.metrics.tlbHits;
  const missesBefore = core.faultHandler.metrics.tlbMisses;
  const handlerCount = core.faultHandler.faultsThisTurn;
  if (prefetch) core.faultHandler.faultsThisTurn = 0;
  try {
    return await core.faultHandler.handleFault(pageId, targetLevel);
  } finally {
    if (prefetch) core.faultHandler.faultsThisTurn = handlerCount;
    core.metrics.tlbHits += core.faultHandler.metrics.tlbHits - hitsBefore;
    core.metrics.tlbMisses += core.faultHandler.metrics.tlbMisses - missesBefore;
  }
}

/** The model-facing fault path (policy, handler, anti-thrash, L0 mapping, mutation log). Never throws. */
export async function faultCore(core: VmCore, pageId: string, targetLevel: number, opts: FaultOptions): Promise<FaultResult> {
  const start = globalThis.performance.now();
  if (opts.signal?.aborted) return faultFailure('Fault cancelled', start);
  const entry = core.pageTable.lookup(pageId);
  if (entry && core.workingSet.isInL0(pageId)) {
    const page = core.store.get(pageId) ?? null;
    return { success: true, page, error: null, sourceTier: StorageTier.L0, latencyMs: 0, wasCompressed: false, promoted: false, finalTier: StorageTier.L0, evictions: [] };
  }
  const estimate = entry?.sizeTokens ?? FAULT_PRECHECK_FALLBACK_TOKENS;
  if (!opts.prefetch && !core.faultPolicy.canFault(estimate)) return faultFailure('Fault policy limit reached for this turn', start);
  const r = await runHandler(core, pageId, targetLevel, opts.prefetch);
  if (!r.success || !r.page || !entry) return r;
  let page = r.page;
  const stored = core.store.get(pageId);
  const better = stored ? await detailed(core, pageId, stored, targetLevel as CompressionLevel) : null;
  if (better) page = better;
  else if (stored && page !== stored && page.compressionLevel > stored.compressionLevel && stored.compressionLevel === CompressionLevel.Full) {
    core.originals.set(pageId, stored);
  }
  const sourceTier = entry.tier;
  const members = core.groupOf(pageId).filter((id) => id !== pageId && !core.workingSet.isInL0(id));
  const own = copyPage(page, { sessionId: core.sessionId, storageTier: page === stored ? page.storageTier : sourceTier });
  core.replaceStored(own);
  core.workingSet.recordFault(pageId);
  const { ok, run } = await mapToL0(core, pageId);
  if (!ok) return faultFailure('Page does not fit in the working set', start, sourceTier);
  const evictions = [...run.evicted];
  let tokens = pageTokens(own, core.estimator);
  for (const id of members) {
    const memberEntry = core.pageTable.lookup(id);
    const memberPage = memberEntry ? await core.load(id, memberEntry.tier, memberEntry.artifactId) : null;
    if (!memberEntry || !memberPage) continue;
    const tierBefore = memberEntry.tier;
    core.replaceStored(copyPage(memberPage, { sessionId: core.sessionId }));
    core.workingSet.recordFault(id);
    const added = await mapToL0(core, id);
    evictions.push(...added.run.evicted);
    if (!added.ok) continue;
    tokens += pageTokens(memberPage, core.estimator);
    core.log(id, MutationType.FaultIn, tierBefore, StorageTier.L0, opts.cause, opts.actor);
  }
  if (!opts.prefetch) core.faultPolicy.recordFault(tokens);
  core.metrics.recordFault();
  core.log(pageId, MutationType.FaultIn, sourceTier, StorageTier.L0, opts.cause, opts.actor);
  core.ux.recordFault(pageId, opts.reason, core.turn, tokens, r.latencyMs);
  core.prefetcher.recordPageAccess(pageId);
  core.syncTokenMetrics();
  return {
    ...r,
    page: core.store.get(pageId) ?? own,
    wasCompressed: r.wasCompressed || own.compressionLevel !== (stored ?? own).compressionLevel,
    promoted: true,
    finalTier: StorageTier.L0,
    evictions,
    latencyMs: globalThis.performance.now() - start,
  };
}
