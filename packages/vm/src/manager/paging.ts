import { StorageError } from '@chuk/models';
import { tokensSaved, type CompressionResult } from '../compression.js';
import { Actor, CompressionLevel, MutationCause, MutationType, StorageTier, compressCause, isPersistentTier } from '../enums.js';
import { copyPage, type MemoryPage } from '../models/page.js';
import type { VmCore } from './core.js';
import { mapMaybe, runSteps, wait, type MaybePromise, type Steps } from './steps.js';

/** Paging between L0 and the lower tiers: map into L0, compress-before-evict, compress one page, evict one page. */

export interface EvictionRun { readonly evicted: readonly string[]; readonly compressed: readonly string[]; readonly tokensFreed: number }
export interface MapResult { readonly ok: boolean; readonly run: EvictionRun }

/** The run of an operation that neither compressed nor evicted anything (shared, never mutated). */
export const NO_EVICTIONS: EvictionRun = Object.freeze({ evicted: Object.freeze([]), compressed: Object.freeze([]), tokensFreed: 0 });
const MAPPED: MapResult = Object.freeze({ ok: true, run: NO_EVICTIONS });
const NOT_MAPPED: MapResult = Object.freeze({ ok: false, run: NO_EVICTIONS });

function mapResult(ok: boolean, run: EvictionRun): MapResult {
  if (run === NO_EVICTIONS) return ok ? MAPPED : NOT_MAPPED;
  return { ok, run };
}

interface MutableRun { evicted: string[]; compressed: string[]; tokensFreed: number }

function merged(a: EvictionRun, b: EvictionRun): EvictionRun {
  if (a === NO_EVICTIONS) return b;
  if (b === NO_EVICTIONS) return a;
  return { evicted: [...a.evicted, ...b.evicted], compressed: [...a.compressed, ...b.compressed], tokensFreed: a.tokensFreed + b.tokensFreed };
}

/** Map a stored page into L0, evicting others when it does not fit. Synchronous unless eviction has to wait. */
export function mapToL0(core: VmCore, pageId: string): MaybePromise<MapResult> {
  const stored = core.store.get(pageId);
  if (!stored) return NOT_MAPPED;
  const ws = core.workingSet;
  const already = ws.isInL0(pageId);
  const t = core.chargeOf(stored);
  const needed = already ? t - ws.chargedTokens(pageId) : t;
  if (needed > 0 && !ws.canFit(needed)) return mapMaybe(runSteps(evictionRun(core, needed, pageId)), (run) => mapFreed(core, pageId, already, run));
  return mapFreed(core, pageId, already, NO_EVICTIONS, stored, t);
}

/**
 * The mapping itself, once room was made (`run`); then proactive eviction when configured. `stored` is the stored
 * page when nothing ran in between, with its `charge` (else both are looked up again).
 */
function mapFreed(core: VmCore, pageId: string, already: boolean, run: EvictionRun, stored?: MemoryPage, charge?: number): MaybePromise<MapResult> {
  const page = stored !== undefined ? core.ownCopy(stored) : core.writable(pageId);
  if (!page) return mapResult(false, run);
  const ws = core.workingSet;
  if (!ws.addToL0(page, charge ?? core.chargeOf(page))) {
    // A line rendered to charge a page that did not fit is not kept.
    if (!already) core.forgetContext(pageId);
    return mapResult(false, run);
  }
  const tierBefore = core.pageTable.moveAccessed(pageId, StorageTier.L0, page.lastAccessed);
  core.tlb.invalidate(pageId);
  if (!already) core.log(pageId, MutationType.Update, tierBefore, StorageTier.L0, MutationCause.MapToL0, Actor.System, page.lastAccessed);
  core.primeContext(page);
  core.syncTokenMetrics();
  core.touch();
  if (!core.options.proactiveEviction || !ws.needsEviction()) return mapResult(true, run);
  return mapMaybe(runSteps(evictionRun(core, 0, pageId)), (more) => mapResult(true, merged(run, more)));
}

/** Compress-before-evict down to the target utilization (spec §9.7). Groups move together; `excludeId` stays. */
export function* evictionRun(core: VmCore, tokensNeeded: number, excludeId: string | null = null): Steps<EvictionRun> {
  const ws = core.workingSet;
  const target = ws.calculateEvictionTarget(tokensNeeded);
  const candidates = ws.getEvictionCandidates({ tokensNeeded, fromTier: StorageTier.L0, pageTable: core.pageTable, pages: (id) => core.store.get(id) });
  if (candidates.length === 0 || target <= 0) return NO_EVICTIONS;
  const run: MutableRun = { evicted: [], compressed: [], tokensFreed: 0 };
  // One timestamp for the whole run's log records.
  const now = core.clock();
  // Groups move together; without groups each candidate is its own member list (no per-candidate sets).
  const candidateIds = core.groups.size > 0 ? new Set(candidates.map((c) => c.pageId)) : undefined;
  const done = new Set<string>();
  for (const c of candidates) {
    if (run.tokensFreed >= target) break;
    const id = c.pageId;
    if (done.has(id) || id === excludeId) continue;
    let members: string[];
    let compressed: MaybePromise<number>;
    if (candidateIds) {
      if (!core.store.has(id)) continue;
      members = core.groupOf(id).filter((m) => ws.isInL0(m));
      for (const m of members) done.add(m);
      if (members.some((m) => !candidateIds.has(m) || m === excludeId)) continue;
      compressed = compressMembers(core, members, now);
    } else {
      const page = core.store.get(id);
      if (!page || !ws.isInL0(id)) continue;
      done.add(id);
      members = [id];
      compressed = compressPageOneLevel(core, page, now);
    }
    const saved = compressed instanceof Promise ? yield* wait(compressed) : compressed;
    if (saved > 0) {
      run.tokensFreed += saved;
      run.compressed.push(...members);
      continue;
    }
    for (const m of members) {
      const freed = ws.chargedTokens(m);
      const evicting = evictOne(core, m, StorageTier.L2, MutationCause.EvictionPressure, now);
      if (evicting instanceof Promise ? yield* wait(evicting) : evicting) {
        run.tokensFreed += freed;
        run.evicted.push(m);
      }
    }
  }
  return run;
}

/** Compress each member one level (only below ABSTRACT); total tokens saved, or 0 when eviction is due. */
function compressMembers(core: VmCore, members: readonly string[], now: Date): MaybePromise<number> {
  if (!core.registry) return 0;
  const pages: MemoryPage[] = [];
  for (const id of members) {
    const page = core.store.get(id);
    if (!page || page.compressionLevel >= CompressionLevel.Abstract) return 0;
    pages.push(page);
  }
  if (pages.length === 1) return compressPageOneLevel(core, pages[0] as MemoryPage, now);
  return runSteps(compressEach(core, pages, now));
}

/** One stored page one level down (only below ABSTRACT); the tokens saved, 0 when eviction is due. */
function compressPageOneLevel(core: VmCore, page: MemoryPage, now: Date): MaybePromise<number> {
  if (page.compressionLevel >= CompressionLevel.Abstract) return 0;
  return mapMaybe(compressLoaded(core, page.pageId, page, (page.compressionLevel + 1) as CompressionLevel, false, now), gain);
}

function* compressEach(core: VmCore, pages: readonly MemoryPage[], now: Date): Steps<number> {
  let saved = 0;
  for (const page of pages) {
    const r = compressPageOneLevel(core, page, now);
    saved += r instanceof Promise ? yield* wait(r) : r;
  }
  return saved;
}

function gain(r: CompressionResult | null): number {
  return r ? Math.max(0, tokensSaved(r)) : 0;
}

/**
 * `compressPage` without the lock. Level-only changes (no tokens saved) are applied when `applyLevelOnly`
 * (explicit compression), not on the eviction path, where such a page is evicted instead. Built-in
 * compressors run synchronously (`compressSync`); others are awaited.
 */
export function compressOne(core: VmCore, pageId: string, target: CompressionLevel, applyLevelOnly = true, now?: Date): MaybePromise<CompressionResult | null> {
  const page = core.store.get(pageId);
  if (!page) return null;
  return compressLoaded(core, pageId, page, target, applyLevelOnly, now);
}

/** `compressOne` of the stored `page` (looked up by the caller). */
function compressLoaded(
  core: VmCore,
  pageId: string,
  page: MemoryPage,
  target: CompressionLevel,
  applyLevelOnly: boolean,
  now: Date | undefined,
): MaybePromise<CompressionResult | null> {
  const registry = core.registry;
  if (!registry) return null;
  // On the eviction path a compression that saves nothing is not applied: skip building it when that is known.
  if (!applyLevelOnly) {
    const saved = registry.savedTokensSync(page, target);
    if (saved !== undefined && saved <= 0) return null;
  }
  const done = registry.compressPageSync(page, target);
  if (done) return applyCompression(core, pageId, page, done, target, applyLevelOnly, now);
  return registry.compressPage(page, target).then((r) => applyCompression(core, pageId, page, r, target, applyLevelOnly, now));
}

function applyCompression(
  core: VmCore,
  pageId: string,
  page: MemoryPage,
  result: CompressionResult,
  target: CompressionLevel,
  applyLevelOnly: boolean,
  now: Date | undefined,
): CompressionResult {
  if (result.levelAfter <= result.levelBefore) return result;
  const saved = tokensSaved(result);
  if (saved < 0 || (saved === 0 && !applyLevelOnly)) return result;
  if (page.compressionLevel === CompressionLevel.Full && !core.originals.has(pageId)) core.originals.set(pageId, page);
  const newPage = result.page === page ? copyPage(page) : result.page;
  newPage.sessionId = core.sessionId;
  newPage.storageTier = page.storageTier;
  const ws = core.workingSet;
  const charged = ws.chargedTokens(pageId);
  // A charged page is in L0; only an uncharged one needs the L0 lookup.
  const inL0 = charged > 0 || ws.isInL0(pageId);
  if (inL0) ws.updatePageTokens(pageId, charged, core.chargeOf(newPage), newPage.modality);
  core.replaceStored(newPage);
  core.recordVersion(newPage, now);
  if (inL0) core.primeContext(newPage);
  if (saved > 0) {
    core.metrics.recordCompression(saved);
    // Compression keeps the tier; a mapped page's is L0 (no page-table lookup needed).
    const tier = inL0 ? StorageTier.L0 : core.tierOf(pageId);
    core.log(pageId, MutationType.Compress, tier, newPage.storageTier, compressCause(target), Actor.System, now);
  }
  core.syncTokenMetrics();
  return result;
}

/** Evict one page (no group expansion). Pinned pages are refused. L3/L4 without a tier store → `StorageError`. */
export function evictOne(core: VmCore, pageId: string, target: StorageTier, cause: string, now?: Date): MaybePromise<boolean> {
  const current = core.store.get(pageId);
  if (!current) return false;
  if (core.workingSet.isPinned(pageId)) {
    core.logger.info({ pageId }, 'refusing to evict a pinned page');
    return false;
  }
  if (!isPersistentTier(target)) return unmap(core, pageId, current, target, cause, now, undefined);
  return storeEvicted(core, pageId, current, target).then((artifactId) => unmap(core, pageId, current, target, cause, now, artifactId));
}

/** Take an evicted page out of L0 and record its new tier (and artifact, when it was written to a tier store). */
function unmap(core: VmCore, pageId: string, current: MemoryPage, target: StorageTier, cause: string, now: Date | undefined, artifactId: string | undefined): true {
  core.workingSet.remove(pageId, current);
  core.forgetContext(pageId);
  const oldTier = core.pageTable.moveTo(pageId, target, artifactId ? { artifactId } : undefined) ?? current.storageTier;
  core.tlb.invalidate(pageId);
  if (artifactId) {
    core.pageTable.markClean(pageId);
    core.store.delete(pageId);
    core.originals.delete(pageId);
  } else {
    core.ownCopy(current).storageTier = target;
  }
  if (oldTier === StorageTier.L0) core.workingSet.recordEviction(pageId);
  core.metrics.recordEviction();
  core.log(pageId, MutationType.Evict, oldTier, target, cause, Actor.System, now);
  core.syncTokenMetrics();
  core.touch();
  return true;
}

/** Write an evicted page (and its kept original, as the FULL representation) to the tier store; the artifact id. */
async function storeEvicted(core: VmCore, pageId: string, current: MemoryPage, target: StorageTier): Promise<string> {
  const store = core.tierStore;
  if (!store) {
    throw new StorageError({ operation: 'evictPage', backend: 'unconfigured', message: `Cannot evict ${pageId} to ${target}: no tier store is configured` });
  }
  const original = core.originals.get(pageId);
  const toStore = copyPage(current, { storageTier: target, dirty: false });
  if (original) {
    const repId = await store.storePage(original, target);
    core.ownedArtifacts.add(repId);
    toStore.representations = { ...toStore.representations, [CompressionLevel.Full]: repId };
  }
  const artifactId = await store.storePage(toStore, target);
  core.ownedArtifacts.add(artifactId);
  const superseded = core.pageTable.lookup(pageId)?.artifactId;
  if (superseded && superseded !== artifactId && core.ownedArtifacts.delete(superseded)) await store.deletePage(superseded);
  return artifactId;
}
