import { CompressionLevel, MutationType, StorageTier, isCompressionLevel, type Actor, type FaultReason } from '../enums.js';
import { FAULT_CANCELLED, FAULT_DOES_NOT_FIT, FAULT_POLICY_LIMIT, faultFailure, type FaultResult } from '../fault.js';
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

/**
 * The page at `target` built from its uncompressed original, when one is kept (in memory, or as the FULL
 * representation in tier storage) and the stored copy is compressed: compressing the lossy stored copy further
 * would lose what the original still has (a REDUCED tool result has lost its end). Null when the stored copy is
 * FULL or no original is kept. Without a registry the original itself (more detail than asked is honest).
 */
async function detailed(core: VmCore, pageId: string, stored: MemoryPage, target: CompressionLevel): Promise<MemoryPage | null> {
  if (stored.compressionLevel === CompressionLevel.Full) return null;
  let original = core.originals.get(pageId) ?? null;
  const repId = stored.representations[CompressionLevel.Full];
  if (!original && repId && core.tierStore) {
    original = await core.tierStore.loadPage(repId);
    // Kept from now on: the copy mapped below is compressed again, and a later level-0 fault needs the original.
    if (original) core.originals.set(pageId, original);
  }
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

/** Anti-thrash protection of a faulted page: model faults always, prefetches only with `demandPaging.protectPrefetched`. */
function protectFaulted(core: VmCore, pageId: string, opts: FaultOptions): void {
  if (!opts.prefetch || core.options.demandPaging?.protectPrefetched === true) core.workingSet.recordFault(pageId);
}

/** Success for a page that stays mapped as it is (`promoted: false`). */
function alreadyMapped(page: MemoryPage | null): FaultResult {
  return { success: true, page, error: null, sourceTier: StorageTier.L0, latencyMs: 0, wasCompressed: false, promoted: false, finalTier: StorageTier.L0, evictions: [] };
}

/**
 * A fault of a page mapped compressed: the requested level is built from the kept original, and when that holds more
 * than the mapped copy (more tokens: a lower level, or a level the mapped copy reached by compressing a lossy copy,
 * or a short text whose ABSTRACT is all of it while its REDUCED is half) it replaces the mapped copy, L0 charged the
 * difference (evicting others when needed). When L0 cannot take it, the mapped copy stays and the fault fails
 * (`FAULT_DOES_NOT_FIT`); L0 is never left over budget. A fault never makes a mapped page less detailed, and without
 * an original the page stays as it is mapped.
 */
async function remapDetailed(core: VmCore, pageId: string, targetLevel: number, opts: FaultOptions, start: number): Promise<FaultResult> {
  const mapped = core.store.get(pageId) ?? null;
  if (!mapped || !isCompressionLevel(targetLevel) || mapped.compressionLevel === CompressionLevel.Full) return alreadyMapped(mapped);
  const better = await detailed(core, pageId, mapped, targetLevel);
  if (!better) return alreadyMapped(mapped);
  const tokens = pageTokens(better, core.estimator);
  if (tokens <= pageTokens(mapped, core.estimator)) return alreadyMapped(mapped);
  if (!opts.prefetch && !core.faultPolicy.canFault(tokens)) return faultFailure(FAULT_POLICY_LIMIT, start, StorageTier.L0);
  // The handler at the mapped level: counts the fault and marks the entry accessed, compresses nothing.
  const r = await runHandler(core, pageId, mapped.compressionLevel, opts.prefetch);
  if (!r.success) return r;
  const own = copyPage(better, { sessionId: core.sessionId, storageTier: StorageTier.L0 });
  core.replaceStored(own);
  const { ok, run } = await mapToL0(core, pageId);
  if (!ok) {
    // L0 still charges the mapped copy: put it back.
    core.replaceStored(mapped);
    core.syncTokenMetrics();
    return { ...faultFailure(FAULT_DOES_NOT_FIT, start, StorageTier.L0), evictions: [...run.evicted] };
  }
  protectFaulted(core, pageId, opts);
  if (!opts.prefetch) core.faultPolicy.recordFault(tokens);
  core.metrics.recordFault();
  core.log(pageId, MutationType.FaultIn, StorageTier.L0, StorageTier.L0, opts.cause, opts.actor);
  core.ux.recordFault(pageId, opts.reason, core.turn, tokens, r.latencyMs);
  core.prefetcher.recordPageAccess(pageId);
  core.syncTokenMetrics();
  return {
    success: true,
    page: core.store.get(pageId) ?? own,
    error: null,
    sourceTier: StorageTier.L0,
    latencyMs: globalThis.performance.now() - start,
    wasCompressed: own.compressionLevel !== CompressionLevel.Full,
    promoted: false,
    finalTier: StorageTier.L0,
    evictions: [...run.evicted],
  };
}

/** The model-facing fault path (policy, handler, anti-thrash, L0 mapping, mutation log). Never throws. */
export async function faultCore(core: VmCore, pageId: string, targetLevel: number, opts: FaultOptions): Promise<FaultResult> {
  const start = globalThis.performance.now();
  if (opts.signal?.aborted) return faultFailure(FAULT_CANCELLED, start);
  const entry = core.pageTable.lookup(pageId);
  if (entry && core.workingSet.isInL0(pageId)) return remapDetailed(core, pageId, targetLevel, opts, start);
  const estimate = entry?.sizeTokens ?? FAULT_PRECHECK_FALLBACK_TOKENS;
  if (!opts.prefetch && !core.faultPolicy.canFault(estimate)) return faultFailure(FAULT_POLICY_LIMIT, start);
  const stored = core.store.get(pageId);
  // A compressed copy with its original kept is rebuilt from the original below: the handler need not compress it.
  const fromOriginal = stored !== undefined && stored.compressionLevel !== CompressionLevel.Full && core.originals.has(pageId) && isCompressionLevel(targetLevel);
  const r = await runHandler(core, pageId, fromOriginal ? Math.min(targetLevel, stored.compressionLevel) : targetLevel, opts.prefetch);
  if (!r.success || !r.page || !entry) return r;
  let page = r.page;
  const better = await detailed(core, pageId, stored ?? page, targetLevel as CompressionLevel);
  if (better) page = better;
  else if (stored && page !== stored && page.compressionLevel > stored.compressionLevel && stored.compressionLevel === CompressionLevel.Full) {
    core.originals.set(pageId, stored);
  }
  const sourceTier = entry.tier;
  // Group members come along, and the pages that supersede this one (a correction with the statement it corrects).
  const successors = core.successorsOf(pageId);
  const group = core.groupOf(pageId);
  const members = (successors.length === 0 ? group : [...new Set([...group, ...successors])]).filter((id) => id !== pageId && !core.workingSet.isInL0(id));
  const own = copyPage(page, { sessionId: core.sessionId, storageTier: page === stored ? page.storageTier : sourceTier });
  core.replaceStored(own);
  protectFaulted(core, pageId, opts);
  const { ok, run } = await mapToL0(core, pageId);
  if (!ok) return faultFailure(FAULT_DOES_NOT_FIT, start, sourceTier);
  const evictions = [...run.evicted];
  let tokens = pageTokens(own, core.estimator);
  for (const id of members) {
    const memberEntry = core.pageTable.lookup(id);
    const memberPage = memberEntry ? await core.load(id, memberEntry.tier, memberEntry.artifactId) : null;
    if (!memberEntry || !memberPage) continue;
    const tierBefore = memberEntry.tier;
    core.replaceStored(copyPage(memberPage, { sessionId: core.sessionId }));
    protectFaulted(core, id, opts);
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
