import { StorageError, noopLogger, type BlobStore, type Logger } from '@chuk/models';
import { CompressorRegistry, tokensSaved, type CompressionResult } from '../compression.js';
import { ContextPacker } from '../context-packer.js';
import { DemandPagingPrePass, HintIndex } from '../demand-paging.js';
import {
  Actor,
  CompressionLevel,
  MutationCause,
  MutationType,
  StorageTier,
  VmMode,
  compressCause,
  isPersistentTier,
} from '../enums.js';
import type { FaultReason } from '../enums.js';
import { DuplicatePageError, PageNotFoundError } from '../errors.js';
import { PageFaultHandler, faultFailure, type FaultResult, type PageLoader } from '../fault.js';
import { ManifestBuilder } from '../manifest.js';
import { UserExperienceMetrics } from '../models/abi.js';
import { FaultPolicy } from '../models/fault.js';
import { assertImportance, copyPage, makePage, type MemoryPage } from '../models/page.js';
import { VmMetrics } from '../models/stats.js';
import { MutationLogLite } from '../mutation-log.js';
import { ContextPackCache } from '../pack-cache.js';
import { PageTable } from '../page-table.js';
import { SimplePrefetcher } from '../prefetcher.js';
import { PageSearchHandler } from '../search.js';
import type { TierStore } from '../storage/tier-store.js';
import { PageTLB } from '../tlb.js';
import { charRatioEstimator, pageTokens, type TokenEstimator } from '../tokens.js';
import { randomHex8, randomId, systemClock } from '../util/text.js';
import { AntiThrashPolicy } from '../working-set/anti-thrash.js';
import { PinnedSet } from '../working-set/pinned-set.js';
import { WorkingSetManager } from '../working-set/working-set.js';
import type { CreatePageOptions, MemoryManagerOptions } from './options.js';

/** Fault pre-check estimate when a page's size is unknown (reference constant). */
export const FAULT_PRECHECK_FALLBACK_TOKENS = 500;

export interface EvictionRun { evicted: string[]; compressed: string[]; tokensFreed: number }

export interface FaultOptions {
  actor: Actor;
  cause: string;
  reason: FaultReason;
  /** Pre-pass faults do not use the model's quota. */
  prefetch: boolean;
  signal?: AbortSignal;
}

/**
 * All VM state and the unlocked operations on it. `MemoryManager` wraps every public call of this in its
 * mutex; internal calls (fault → add → eviction → compress/evict) use these methods directly.
 */
export class VmCore implements PageLoader {
  sessionId: string;
  mode: VmMode;
  turn = 0;
  readonly options: MemoryManagerOptions;
  readonly clock: () => Date;
  readonly idGenerator: () => string;
  readonly logger: Logger;
  readonly estimator: TokenEstimator;
  readonly pageTable: PageTable;
  readonly tlb: PageTLB;
  workingSet: WorkingSetManager;
  metrics = new VmMetrics();
  mutationLog: MutationLogLite;
  faultPolicy: FaultPolicy;
  readonly faultHandler: PageFaultHandler;
  readonly searchHandler: PageSearchHandler;
  readonly packer: ContextPacker;
  readonly manifestBuilder: ManifestBuilder;
  prefetcher = new SimplePrefetcher();
  readonly packCache: ContextPackCache;
  readonly demandPaging: DemandPagingPrePass;
  ux: UserExperienceMetrics;
  readonly registry: CompressorRegistry | null;
  tierStore: TierStore | undefined;
  readonly derivedStore: BlobStore | undefined;
  readonly store = new Map<string, MemoryPage>();
  /** Uncompressed originals of pages whose stored copy was compressed (restores detail on a lower-level fault). */
  readonly originals = new Map<string, MemoryPage>();
  readonly hints = new Map<string, string>();
  readonly hintIndex = new HintIndex();
  readonly groups = new Map<string, Set<string>>();
  /** Page objects shared with a fork: copied before the first write (copy-on-write). */
  shared = new WeakSet<MemoryPage>();
  /** Blobs this manager created (a fork never deletes its parent's blobs). */
  readonly ownedArtifacts = new Set<string>();
  /** Bumped by every change that can alter `buildContext` output (pack-cache key). */
  epoch = 0;
  readonly turnListeners = new Set<() => void>();

  constructor(options: MemoryManagerOptions = {}) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.idGenerator = options.idGenerator ?? randomId;
    this.sessionId = options.sessionId ?? this.idGenerator();
    this.mode = options.mode ?? VmMode.Strict;
    this.logger = (options.logger ?? noopLogger).child?.({ sessionId: this.sessionId }) ?? options.logger ?? noopLogger;
    this.estimator = options.estimator ?? charRatioEstimator;
    this.pageTable = new PageTable(this.estimator, this.clock);
    this.tlb = new PageTLB(options.tlbSize === undefined ? {} : { maxEntries: options.tlbSize });
    const autoPin = options.autoPin === false ? { autoPinLastNTurns: 0, autoPinSystemPrompt: false, autoPinClaims: false } : options.autoPin;
    this.workingSet = new WorkingSetManager({
      config: options.config ?? {},
      estimator: this.estimator,
      clock: this.clock,
      pinnedSet: new PinnedSet(autoPin ?? {}),
      antiThrash: new AntiThrashPolicy(options.antiThrash ?? {}),
      evictionPolicy: options.evictionPolicy ?? null,
    });
    this.faultPolicy = new FaultPolicy(options.faultPolicy ?? {});
    this.registry = options.compressorRegistry === undefined ? CompressorRegistry.default({ estimator: this.estimator }) : options.compressorRegistry;
    this.tierStore = options.tierStore;
    this.derivedStore = options.derivedStore;
    this.faultHandler = new PageFaultHandler({
      maxFaultsPerTurn: this.faultPolicy.maxFaultsPerTurn,
      estimator: this.estimator,
      legacyRelabelOnFault: options.legacyRelabelOnFault ?? false,
    });
    const registry = this.registry;
    this.faultHandler.configure({
      pageTable: this.pageTable,
      tlb: this.tlb,
      loader: this,
      ...(registry ? { compressor: { compress: async (page, target) => (await registry.compressPage(page, target)).page } } : {}),
    });
    this.searchHandler = new PageSearchHandler(this.hints);
    this.searchHandler.configure(this.pageTable, options.searchFn);
    this.packer = new ContextPacker(options.packer ?? {}, this.estimator);
    const { policies: _policies, ...manifestOptions } = options.manifest ?? {};
    this.manifestBuilder = new ManifestBuilder({
      ...manifestOptions,
      estimator: this.estimator,
      onHintError: (pageId, err) => {
        this.logger.debug({ pageId, err }, 'hint generator failed');
      },
    });
    this.packCache = new ContextPackCache({ clock: this.clock, ...(options.packCacheSize === undefined ? {} : { maxEntries: options.packCacheSize }) });
    this.demandPaging = new DemandPagingPrePass(options.demandPaging ?? {});
    this.mutationLog = new MutationLogLite({ sessionId: this.sessionId, clock: this.clock });
    this.mutationLog.recordContextAtTurn(0, []);
    this.ux = new UserExperienceMetrics(this.clock);
  }

  touch(): void {
    this.epoch += 1;
  }

  log(pageId: string, type: MutationType, tierBefore: StorageTier | null, tierAfter: StorageTier, cause: string, actor: Actor = Actor.System, timestamp?: Date): void {
    this.mutationLog.recordMutation({ pageId, mutationType: type, tierBefore, tierAfter, actor, cause, turn: this.turn, timestamp });
  }

  tierOf(pageId: string): StorageTier | null {
    return this.pageTable.lookup(pageId)?.tier ?? null;
  }

  /** The stored page, made private first if it is shared with a fork. */
  writable(pageId: string): MemoryPage | undefined {
    const page = this.store.get(pageId);
    if (!page || !this.shared.has(page)) return page;
    const own = copyPage(page, { sessionId: this.sessionId });
    this.store.set(pageId, own);
    return own;
  }

  /** Store a new page object (content change): bumps table size/version and invalidates caches. */
  replaceStored(page: MemoryPage): void {
    this.store.set(page.pageId, page);
    this.pageTable.updateSize(page.pageId, pageTokens(page, this.estimator));
    this.pageTable.updateCompression(page.pageId, page.compressionLevel);
    this.pageTable.setVersion(page.pageId, page.version);
    this.tlb.invalidate(page.pageId);
    this.touch();
  }

  syncTokenMetrics(): void {
    this.metrics.tokensInWorkingSet = this.workingSet.tokensUsed;
    this.metrics.tokensAvailable = this.workingSet.tokensAvailable;
  }

  /** Members of a page's group (the page itself when ungrouped). */
  groupOf(pageId: string): string[] {
    if (this.groups.size === 0) return [pageId];
    const groupId = this.pageTable.lookup(pageId)?.groupId ?? this.store.get(pageId)?.groupId ?? null;
    const members = groupId === null ? undefined : this.groups.get(groupId);
    return members ? [...members] : [pageId];
  }

  setHint(pageId: string, hint: string): void {
    this.hints.set(pageId, hint);
    this.hintIndex.set(pageId, hint);
  }

  createPage(content: unknown, opts: CreatePageOptions = {}): MemoryPage {
    const pageType = opts.pageType ?? 'transcript';
    const pageId = opts.pageId ?? `${pageType}_${randomHex8()}`;
    const replacing = this.pageTable.has(pageId);
    if (replacing && opts.replace !== true) throw new DuplicatePageError({ pageId, sessionId: this.sessionId });
    if (opts.importance !== undefined) assertImportance(opts.importance);
    const metadata: Record<string, unknown> = opts.metadata ? { ...opts.metadata } : {};
    if (opts.role) metadata['role'] = opts.role;
    const page = makePage(
      {
        pageId,
        sessionId: this.sessionId,
        modality: opts.modality ?? 'text',
        pageType,
        content,
        storageTier: StorageTier.L1,
        provenance: opts.provenance ?? [],
        metadata,
        groupId: opts.groupId ?? null,
        importance: opts.importance,
        sizeTokens: opts.sizeTokens,
        caption: opts.caption,
        transcript: opts.transcript,
        durationSeconds: opts.durationSeconds,
        dimensions: opts.dimensions,
        mimeType: opts.mimeType,
        sizeBytes: opts.sizeBytes,
        compressionLevel: opts.compressionLevel,
      },
      this.clock(),
    );
    if (replacing) this.forgetPage(pageId);
    page.sizeTokens ??= this.estimator.estimatePage(page);
    this.pageTable.register(page);
    this.store.set(pageId, page);
    if (page.groupId !== null) {
      let members = this.groups.get(page.groupId);
      if (!members) {
        members = new Set();
        this.groups.set(page.groupId, members);
      }
      members.add(pageId);
    }
    if (opts.hint) this.setHint(pageId, opts.hint);
    if (replacing) this.log(pageId, MutationType.Update, null, StorageTier.L1, MutationCause.ReplacePage);
    else this.log(pageId, MutationType.Create, null, StorageTier.L1, MutationCause.CreatePage, Actor.System, page.createdAt);
    this.prefetcher.recordPageAccess(pageId);
    this.touch();
    return page;
  }

  /** Remove every trace of a page from the in-process structures (not from tier storage). */
  forgetPage(pageId: string): void {
    const page = this.store.get(pageId);
    this.workingSet.remove(pageId, page);
    this.workingSet.unpinPage(pageId);
    this.workingSet.clearImportance(pageId);
    this.workingSet.antiThrash.forget(pageId);
    const groupId = this.pageTable.lookup(pageId)?.groupId ?? page?.groupId ?? null;
    if (groupId !== null) {
      const members = this.groups.get(groupId);
      members?.delete(pageId);
      if (members?.size === 0) this.groups.delete(groupId);
    }
    this.pageTable.remove(pageId);
    this.tlb.invalidate(pageId);
    this.store.delete(pageId);
    this.originals.delete(pageId);
    this.hints.delete(pageId);
    this.hintIndex.delete(pageId);
    this.prefetcher.forget(pageId);
    this.touch();
  }

  /** Map a stored page into L0, evicting others when it does not fit. */
  async addToWorkingSet(pageId: string): Promise<{ ok: boolean; run: EvictionRun }> {
    const run: EvictionRun = { evicted: [], compressed: [], tokensFreed: 0 };
    const stored = this.store.get(pageId);
    if (!stored) return { ok: false, run };
    const t = pageTokens(stored, this.estimator);
    const already = this.workingSet.isInL0(pageId);
    const needed = already ? t - this.workingSet.chargedTokens(pageId) : t;
    if (needed > 0 && !this.workingSet.canFit(needed)) {
      const r = await this.runEviction(needed, new Set([pageId]));
      run.evicted.push(...r.evicted);
      run.compressed.push(...r.compressed);
      run.tokensFreed += r.tokensFreed;
    }
    const page = this.writable(pageId);
    if (!page) return { ok: false, run };
    const tierBefore = this.tierOf(pageId);
    const ok = this.workingSet.addToL0(page);
    if (ok) {
      this.pageTable.updateLocation(pageId, StorageTier.L0);
      this.pageTable.markAccessed(pageId, page.lastAccessed);
      this.tlb.invalidate(pageId);
      if (!already) this.log(pageId, MutationType.Update, tierBefore, StorageTier.L0, MutationCause.MapToL0, Actor.System, page.lastAccessed);
      this.primeContext(page);
      this.syncTokenMetrics();
      this.touch();
      if (this.options.proactiveEviction && this.workingSet.needsEviction()) {
        const r = await this.runEviction(0, new Set([pageId]));
        run.evicted.push(...r.evicted);
        run.compressed.push(...r.compressed);
        run.tokensFreed += r.tokensFreed;
      }
    }
    return { ok, run };
  }

  /** Compress-before-evict down to the target utilization. Groups move together. */
  async runEviction(tokensNeeded: number, exclude: ReadonlySet<string> = new Set()): Promise<EvictionRun> {
    const target = this.workingSet.calculateEvictionTarget(tokensNeeded);
    const run: EvictionRun = { evicted: [], compressed: [], tokensFreed: 0 };
    const candidates = this.workingSet.getEvictionCandidates({ tokensNeeded, fromTier: StorageTier.L0, pageTable: this.pageTable, pages: (id) => this.store.get(id) });
    // Groups move together; without groups each candidate is its own member list (no per-candidate sets).
    const grouped = this.groups.size > 0;
    const candidateIds = grouped ? new Set(candidates.map((c) => c.pageId)) : undefined;
    const done = new Set<string>();
    for (const c of candidates) {
      if (run.tokensFreed >= target) break;
      if (done.has(c.pageId) || exclude.has(c.pageId) || !this.store.has(c.pageId)) continue;
      let members: string[];
      if (candidateIds) {
        members = this.groupOf(c.pageId).filter((id) => this.workingSet.isInL0(id));
        members.forEach((id) => done.add(id));
        if (members.some((id) => !candidateIds.has(id) || exclude.has(id))) continue;
      } else {
        if (!this.workingSet.isInL0(c.pageId)) continue;
        done.add(c.pageId);
        members = [c.pageId];
      }
      const saved = await this.compressMembers(members);
      if (saved > 0) {
        run.tokensFreed += saved;
        run.compressed.push(...members);
        continue;
      }
      for (const id of members) {
        const freed = this.workingSet.chargedTokens(id);
        if (await this.evictOne(id, StorageTier.L2, MutationCause.EvictionPressure)) {
          run.tokensFreed += freed;
          run.evicted.push(id);
        }
      }
    }
    return run;
  }

  /** Compress each member one level (only below ABSTRACT); total tokens saved, or 0 when eviction is due. */
  private async compressMembers(members: readonly string[]): Promise<number> {
    if (!this.registry) return 0;
    for (const id of members) {
      const page = this.store.get(id);
      if (!page || page.compressionLevel >= CompressionLevel.Abstract) return 0;
    }
    let saved = 0;
    for (const id of members) {
      const page = this.store.get(id) as MemoryPage;
      const r = await this.compressOne(id, (page.compressionLevel + 1) as CompressionLevel, false);
      if (r) saved += Math.max(0, tokensSaved(r));
    }
    return saved;
  }

  /**
   * `compressPage` without the lock. Level-only changes (no tokens saved) are applied when `applyLevelOnly`
   * (explicit compression), not on the eviction path, where such a page is evicted instead.
   */
  async compressOne(pageId: string, target: CompressionLevel, applyLevelOnly = true): Promise<CompressionResult | null> {
    if (!this.registry) return null;
    const page = this.store.get(pageId);
    if (!page) return null;
    const result = await this.registry.compressPage(page, target);
    if (result.levelAfter <= result.levelBefore) return result;
    const saved = tokensSaved(result);
    if (saved < 0 || (saved === 0 && !applyLevelOnly)) return result;
    if (!this.originals.has(pageId) && page.compressionLevel === CompressionLevel.Full) this.originals.set(pageId, page);
    const newPage = result.page === page ? copyPage(page) : result.page;
    newPage.sessionId = this.sessionId;
    newPage.storageTier = page.storageTier;
    if (this.workingSet.isInL0(pageId)) {
      const charged = this.workingSet.chargedTokens(pageId);
      this.workingSet.updatePageTokens(pageId, charged, pageTokens(newPage, this.estimator), newPage.modality);
    }
    this.replaceStored(newPage);
    if (this.workingSet.isInL0(pageId)) this.primeContext(newPage);
    if (saved > 0) {
      this.metrics.recordCompression(saved);
      this.log(pageId, MutationType.Compress, this.tierOf(pageId), newPage.storageTier, compressCause(target));
    }
    this.syncTokenMetrics();
    return result;
  }

  /** Evict one page (no group expansion). Pinned pages are refused. */
  async evictOne(pageId: string, target: StorageTier, cause: string): Promise<boolean> {
    const current = this.store.get(pageId);
    if (!current) return false;
    if (this.workingSet.isPinned(pageId)) {
      this.logger.info({ pageId }, 'refusing to evict a pinned page');
      return false;
    }
    let artifactId: string | undefined;
    if (isPersistentTier(target)) {
      if (!this.tierStore) {
        throw new StorageError({ operation: 'evictPage', backend: 'unconfigured', message: `Cannot evict ${pageId} to ${target}: no tier store is configured` });
      }
      const original = this.originals.get(pageId);
      const toStore = copyPage(current, { storageTier: target, dirty: false });
      if (original) {
        const repId = await this.tierStore.storePage(original, target);
        this.ownedArtifacts.add(repId);
        toStore.representations = { ...toStore.representations, [CompressionLevel.Full]: repId };
      }
      artifactId = await this.tierStore.storePage(toStore, target);
      this.ownedArtifacts.add(artifactId);
      const superseded = this.pageTable.lookup(pageId)?.artifactId;
      if (superseded && superseded !== artifactId && this.ownedArtifacts.delete(superseded)) await this.tierStore.deletePage(superseded);
    }
    const oldTier = this.tierOf(pageId) ?? current.storageTier;
    this.workingSet.remove(pageId, current);
    this.pageTable.updateLocation(pageId, target, artifactId ? { artifactId } : {});
    this.tlb.invalidate(pageId);
    if (artifactId) {
      this.pageTable.markClean(pageId);
      this.store.delete(pageId);
      this.originals.delete(pageId);
    } else {
      const page = this.writable(pageId);
      if (page) page.storageTier = target;
    }
    if (oldTier === StorageTier.L0) this.workingSet.recordEviction(pageId);
    this.metrics.recordEviction();
    this.log(pageId, MutationType.Evict, oldTier, target, cause);
    this.syncTokenMetrics();
    this.touch();
    return true;
  }

  /** PageLoader: in-process store first, then tier storage by artifact id. */
  async load(pageId: string, _tier: StorageTier, artifactId?: string | null): Promise<MemoryPage | null> {
    const page = this.store.get(pageId);
    if (page) return page;
    if (artifactId && this.tierStore) return this.tierStore.loadPage(artifactId);
    return null;
  }

  /** A lower level than the stored one: the kept original (re-compressed to the target) or a stored representation. */
  private async detailed(pageId: string, stored: MemoryPage, target: CompressionLevel): Promise<MemoryPage | null> {
    if (target >= stored.compressionLevel) return null;
    let original = this.originals.get(pageId) ?? null;
    const repId = stored.representations[CompressionLevel.Full];
    if (!original && repId && this.tierStore) original = await this.tierStore.loadPage(repId);
    if (!original) return null;
    if (target === CompressionLevel.Full || !this.registry) return original;
    return (await this.registry.compressPage(original, target)).page;
  }

  /** The model-facing fault path (policy, handler, anti-thrash, L0 mapping, mutation log). Never throws. */
  async fault(pageId: string, targetLevel: number, opts: FaultOptions): Promise<FaultResult> {
    const start = globalThis.performance.now();
    if (opts.signal?.aborted) return faultFailure('Fault cancelled', start);
    const entry = this.pageTable.lookup(pageId);
    if (entry && this.workingSet.isInL0(pageId)) {
      const page = this.store.get(pageId) ?? null;
      return { success: true, page, error: null, sourceTier: StorageTier.L0, latencyMs: 0, wasCompressed: false, promoted: false, finalTier: StorageTier.L0, evictions: [] };
    }
    const estimate = entry?.sizeTokens ?? FAULT_PRECHECK_FALLBACK_TOKENS;
    if (!opts.prefetch && !this.faultPolicy.canFault(estimate)) return faultFailure('Fault policy limit reached for this turn', start);
    const hitsBefore = this.faultHandler.metrics.tlbHits;
    const missesBefore = this.faultHandler.metrics.tlbMisses;
    const handlerCount = this.faultHandler.faultsThisTurn;
    if (opts.prefetch) this.faultHandler.faultsThisTurn = 0;
    let r: FaultResult;
    try {
      r = await this.faultHandler.handleFault(pageId, targetLevel);
    } finally {
      if (opts.prefetch) this.faultHandler.faultsThisTurn = handlerCount;
      this.metrics.tlbHits += this.faultHandler.metrics.tlbHits - hitsBefore;
      this.metrics.tlbMisses += this.faultHandler.metrics.tlbMisses - missesBefore;
    }
    if (!r.success || !r.page || !entry) return r;
    let page = r.page;
    const stored = this.store.get(pageId);
    const detailed = stored ? await this.detailed(pageId, stored, targetLevel as CompressionLevel) : null;
    if (detailed) page = detailed;
    else if (stored && page !== stored && page.compressionLevel > stored.compressionLevel && stored.compressionLevel === CompressionLevel.Full) {
      this.originals.set(pageId, stored);
    }
    const sourceTier = entry.tier;
    const members = this.groupOf(pageId).filter((id) => id !== pageId && !this.workingSet.isInL0(id));
    const own = copyPage(page, { sessionId: this.sessionId, storageTier: page === stored ? page.storageTier : sourceTier });
    this.replaceStored(own);
    this.workingSet.recordFault(pageId);
    const { ok, run } = await this.addToWorkingSet(pageId);
    if (!ok) return faultFailure('Page does not fit in the working set', start, sourceTier);
    let tokens = pageTokens(own, this.estimator);
    for (const id of members) {
      const memberEntry = this.pageTable.lookup(id);
      const memberPage = memberEntry ? await this.load(id, memberEntry.tier, memberEntry.artifactId) : null;
      if (!memberEntry || !memberPage) continue;
      const tierBefore = memberEntry.tier;
      this.replaceStored(copyPage(memberPage, { sessionId: this.sessionId }));
      this.workingSet.recordFault(id);
      const added = await this.addToWorkingSet(id);
      run.evicted.push(...added.run.evicted);
      if (!added.ok) continue;
      tokens += pageTokens(memberPage, this.estimator);
      this.log(id, MutationType.FaultIn, tierBefore, StorageTier.L0, opts.cause, opts.actor);
    }
    if (!opts.prefetch) this.faultPolicy.recordFault(tokens);
    this.metrics.recordFault();
    this.log(pageId, MutationType.FaultIn, sourceTier, StorageTier.L0, opts.cause, opts.actor);
    this.ux.recordFault(pageId, opts.reason, this.turn, tokens, r.latencyMs);
    this.prefetcher.recordPageAccess(pageId);
    this.syncTokenMetrics();
    return {
      ...r,
      page: this.store.get(pageId) ?? own,
      wasCompressed: r.wasCompressed || own.compressionLevel !== (stored ?? own).compressionLevel,
      promoted: true,
      finalTier: StorageTier.L0,
      evictions: run.evicted,
      latencyMs: globalThis.performance.now() - start,
    };
  }

  /** Tokens the manifest reports for an L0 page (what is charged to the budget). */
  manifestTokens(pageId: string): number | undefined {
    return this.workingSet.chargedTokens(pageId) || undefined;
  }

  /** Importance the manifest reports for an L0 page (override, else the page's own). */
  manifestImportance(pageId: string): number | undefined {
    return this.workingSet.importanceOverrides.get(pageId) ?? this.store.get(pageId)?.importance;
  }

  /** Render a changed L0 page's context line and manifest entry now, so the next build mostly reuses them. */
  private primeContext(page: MemoryPage): void {
    this.packer.prime(page);
    const entry = this.pageTable.lookup(page.pageId);
    if (entry) this.manifestBuilder.primeWorkingSetEntry(page.pageId, entry, this.manifestTokens(page.pageId), this.manifestImportance(page.pageId));
  }

  /** Throws `PageNotFoundError` for an id the page table does not know. */
  requireKnown(pageId: string): void {
    if (!this.pageTable.has(pageId)) throw new PageNotFoundError({ pageId, sessionId: this.sessionId });
  }
}
