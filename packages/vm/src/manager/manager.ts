import { InMemoryBlobStore, StorageError } from '@chuk/models';
import { assertLevel, type CompressionResult } from '../compression.js';
import type { CompressionLevel } from '../enums.js';
import {
  Actor,
  FaultConfidenceThreshold,
  FaultReason,
  MutationCause,
  MutationType,
  StorageTier,
  VmMode,
  isPersistentTier,
} from '../enums.js';
import { DEFAULT_FAULT_TARGET_LEVEL, buildToolError, buildToolResult, type FaultResult, type PageLoader } from '../fault.js';
import type { MemoryABI } from '../models/abi.js';
import { searchResultToJSON, type SearchResult, type VmToolDefinition, type VmToolResult } from '../models/content.js';
import type { VmContext } from '../models/context.js';
import { assertImportance, copyPage, type MemoryPage } from '../models/page.js';
import type { MemoryManagerStats, VmMetrics } from '../models/stats.js';
import { DEFAULT_SEARCH_LIMIT, type PageSearchOptions } from '../search.js';
import { BlobTierStore, type TierStore } from '../storage/tier-store.js';
import { getVmTools } from '../prompts.js';
import { pageTokens } from '../tokens.js';
import { VmCore } from './core.js';
import { Mutex } from './mutex.js';
import type { BuildContextOptions, CreatePageOptions, HandleFaultOptions, MemoryManagerOptions, PagePatch } from './options.js';
import { buildAbiCore, buildContextCore, minimalStats } from './context-build.js';
import { checkpointCore, copyStateInto, flushCore, refreshAutoPins, restoreCore, setPin } from './persistence.js';
import { dispatchVmToolCall, type VmToolCallOutcome } from './tool-calls.js';

export interface CheckpointInfo { id: string; name: string; createdAt: Date; pageCount: number }

/**
 * The VM orchestrator. Every public method is async and runs under one per-manager mutex, so concurrent
 * calls never interleave. Callbacks (summariser, search function, tier store) are awaited while the lock is
 * held: a long summarisation blocks other VM calls of the same session.
 */
export class MemoryManager implements PageLoader {
  private readonly core: VmCore;
  private readonly mutex = new Mutex();

  constructor(options: MemoryManagerOptions = {}) {
    this.core = new VmCore(options);
  }

  get sessionId(): string {
    return this.core.sessionId;
  }
  get mode(): VmMode {
    return this.core.mode;
  }
  get turn(): number {
    return this.core.turn;
  }
  get pageTable(): VmCore['pageTable'] {
    return this.core.pageTable;
  }
  get workingSet(): VmCore['workingSet'] {
    return this.core.workingSet;
  }
  /** The live metrics object (use `getMetrics()` for a consistent snapshot). */
  get metrics(): VmMetrics {
    return this.core.metrics;
  }
  get mutationLog(): VmCore['mutationLog'] {
    return this.core.mutationLog;
  }
  get tlb(): VmCore['tlb'] {
    return this.core.tlb;
  }
  get faultPolicy(): VmCore['faultPolicy'] {
    return this.core.faultPolicy;
  }
  get prefetcher(): VmCore['prefetcher'] {
    return this.core.prefetcher;
  }
  get packCache(): VmCore['packCache'] {
    return this.core.packCache;
  }
  get uxMetrics(): VmCore['ux'] {
    return this.core.ux;
  }
  get tierStore(): TierStore | undefined {
    return this.core.tierStore;
  }
  /** The single hint map (search, manifest and demand paging read it). */
  get hints(): ReadonlyMap<string, string> {
    return this.core.hints;
  }

  private locked<T>(fn: () => Promise<T> | T): Promise<T> {
    return this.mutex.run(fn);
  }

  /** Register a page at L1 (not mapped; call `addToWorkingSet`). Duplicate ids throw unless `replace`. */
  createPage(content: unknown, opts: CreatePageOptions = {}): Promise<MemoryPage> {
    return this.locked(() => this.core.createPage(content, opts));
  }

  /** Map the stored page with this id into L0 (evicting/compressing others if needed). */
  addToWorkingSet(page: MemoryPage | string): Promise<boolean> {
    const id = typeof page === 'string' ? page : page.pageId;
    return this.locked(async () => (await this.core.addToWorkingSet(id)).ok);
  }

  /** Evict a page (and its group) to a tier. Pinned pages are refused (false). L3/L4 without storage → `StorageError`. */
  evictPage(pageId: string, targetTier: StorageTier = StorageTier.L2): Promise<boolean> {
    return this.locked(async () => {
      const members = this.core.groupOf(pageId).filter((id) => this.core.store.has(id));
      if (!members.includes(pageId)) return false;
      if (members.some((id) => this.core.workingSet.isPinned(id))) return false;
      let ok = false;
      for (const id of members) {
        const evicted = await this.core.evictOne(id, targetTier, MutationCause.ExplicitEvict);
        if (id === pageId) ok = evicted;
      }
      return ok;
    });
  }

  /** Compress a page (and its group) to a level; null without a registry or for unknown ids. */
  compressPage(pageId: string, targetLevel: CompressionLevel): Promise<CompressionResult | null> {
    assertLevel(targetLevel);
    return this.locked(async () => {
      let primary: CompressionResult | null = null;
      for (const id of this.core.groupOf(pageId)) {
        const r = await this.core.compressOne(id, targetLevel);
        if (id === pageId) primary = r;
      }
      return primary;
    });
  }

  /** Segment rollover: evict every unpinned L0 page (groups with a pinned member stay). */
  evictSegmentPages(targetTier: StorageTier = StorageTier.L2): Promise<string[]> {
    return this.locked(async () => {
      if (isPersistentTier(targetTier) && !this.core.tierStore) {
        throw new StorageError({ operation: 'evictSegmentPages', backend: 'unconfigured', message: `Cannot evict to ${targetTier}: no tier store is configured` });
      }
      this.capPinnedSummaries();
      const evicted: string[] = [];
      for (const id of this.core.workingSet.getL0PageIds()) {
        if (!this.core.workingSet.isInL0(id) || this.core.workingSet.isPinned(id)) continue;
        if (this.core.groupOf(id).some((m) => this.core.workingSet.isPinned(m))) continue;
        if (await this.core.evictOne(id, targetTier, MutationCause.SegmentRollover)) evicted.push(id);
      }
      return evicted;
    });
  }

  private capPinnedSummaries(): void {
    const max = this.core.options.maxPinnedSummaries ?? 0;
    if (max <= 0) return;
    const pinnedSummaries = this.core.workingSet
      .getL0PageIds()
      .filter((id) => this.core.workingSet.pinnedSet.isExplicitlyPinned(id) && this.core.pageTable.lookup(id)?.pageType === 'summary');
    for (const id of pinnedSummaries.slice(0, Math.max(0, pinnedSummaries.length - max))) {
      setPin(this.core, id, false);
      this.core.log(id, MutationType.Unpin, this.core.tierOf(id), this.core.tierOf(id) ?? StorageTier.L0, MutationCause.SegmentRollover);
    }
  }

  searchPages(query: string, modality?: string | null, limit = DEFAULT_SEARCH_LIMIT, opts: PageSearchOptions = {}): Promise<SearchResult> {
    return this.locked(() => this.core.searchHandler.search(query, modality, limit, opts));
  }

  /**
   * Before the model sees a user message: fault in pages it will need. Uses its own budget
   * (`maxPrefetchPages`, `maxPrefetchTokens`), never the model's fault quota; honours the confidence threshold.
   */
  demandPrePass(userMessage: string): Promise<string[]> {
    return this.locked(async () => {
      const core = this.core;
      const threshold = core.faultPolicy.faultConfidenceThreshold;
      if (threshold === FaultConfidenceThreshold.Explicit || userMessage.trim() === '') return [];
      const c = core.demandPaging.classify({
        message: userMessage,
        pageTable: core.pageTable,
        pageHints: core.hints,
        workingSetIds: new Set(core.workingSet.l0Ids()),
        hintIndex: core.hintIndex,
      });
      const reason = c.recall ? FaultReason.UserRequestedRecall : FaultReason.Speculative;
      if (reason === FaultReason.Speculative && threshold === FaultConfidenceThreshold.Referenced) return [];
      return this.prefetch(c.all, reason);
    });
  }

  private async prefetch(ids: readonly string[], reason: FaultReason): Promise<string[]> {
    const core = this.core;
    const maxTokens = core.options.demandPaging?.maxPrefetchTokens ?? core.faultPolicy.maxFaultTokensPerTurn;
    let used = 0;
    const out: string[] = [];
    for (const id of ids) {
      const size = core.pageTable.lookup(id)?.sizeTokens ?? 0;
      if (used + size > maxTokens) continue;
      const r = await core.fault(id, DEFAULT_FAULT_TARGET_LEVEL, { actor: Actor.System, cause: MutationCause.DemandPrefetch, reason, prefetch: true });
      if (r.success && r.promoted === true) {
        out.push(id);
        used += r.page ? pageTokens(r.page, core.estimator) : size;
      }
    }
    return out;
  }

  /** Model-initiated fault: policy limits, fault handler, anti-thrash protection, L0 mapping. Never throws. */
  handleFault(pageId: string, targetLevel: number = DEFAULT_FAULT_TARGET_LEVEL, opts: HandleFaultOptions = {}): Promise<FaultResult> {
    return this.locked(() =>
      this.core.fault(pageId, targetLevel, {
        actor: Actor.Model,
        cause: MutationCause.PageFault,
        reason: opts.reason ?? FaultReason.ResolveReference,
        prefetch: false,
        ...(opts.signal ? { signal: opts.signal } : {}),
      }),
    );
  }

  /** Envelope of a fault result (the tier reported is the one the page ended up in). */
  buildToolResult(result: FaultResult): VmToolResult {
    return buildToolResult(result, result.evictions ?? null, this.core.estimator);
  }

  /** L0 pages in L0 order (oldest first). */
  getL0Pages(): Promise<MemoryPage[]> {
    return this.locked(() => this.l0Pages());
  }

  private l0Pages(): MemoryPage[] {
    const out: MemoryPage[] = [];
    for (const id of this.core.workingSet.l0Ids()) {
      const p = this.core.store.get(id);
      if (p) out.push(p);
    }
    return out;
  }

  /** Developer message (rules, manifest, context), tools and the packed context. Cached while nothing changes. */
  buildContext(opts: BuildContextOptions = {}): Promise<VmContext> {
    return this.locked(() => buildContextCore(this.core, this.l0Pages(), opts));
  }

  /** Tool definitions offered to the model in the current mode. */
  getVmTools(opts: { includeSearch?: boolean } = {}): VmToolDefinition[] {
    return this.core.mode === VmMode.Passive ? [] : getVmTools(opts);
  }

  /** Dispatch `page_fault` / `search_pages`; never throws; `handled: false` for other names. */
  handleToolCall(name: string, args: unknown): Promise<VmToolCallOutcome> {
    return dispatchVmToolCall(
      {
        faultsAllowed: this.core.mode !== VmMode.Passive,
        fault: async (pageId, level, reason) => {
          const result = await this.handleFault(pageId, level, reason ? { reason } : {});
          const envelope = result.success || this.core.options.legacyErrorEnvelope ? this.buildToolResult(result) : buildToolError(result.error ?? 'Unknown error', pageId);
          return { result, content: JSON.stringify(envelope) };
        },
        search: async (query, modality, limit) => {
          const result = await this.searchPages(query, modality ?? null, limit);
          return { result, content: searchResultToJSON(result) };
        },
      },
      name,
      args,
    );
  }

  /** Start a new turn: per-turn counters reset, auto-pins refreshed, L0 snapshot logged. */
  newTurn(): Promise<void> {
    for (const listener of this.core.turnListeners) listener();
    return this.locked(async () => {
      const core = this.core;
      core.turn += 1;
      core.workingSet.newTurn();
      core.faultHandler.newTurn();
      core.faultPolicy.newTurn();
      core.metrics.newTurn();
      refreshAutoPins(core);
      core.mutationLog.recordContextAtTurn(core.turn, core.workingSet.getL0PageIds());
      const every = core.options.flushEveryNTurns ?? 0;
      if (every > 0 && core.turn % every === 0) await flushCore(core);
      if (core.options.prefetchOnNewTurn) {
        const ids = await core.prefetcher.prefetchOnTurnStart(core.sessionId, core.pageTable);
        await this.prefetch(ids.filter((id) => core.pageTable.has(id) && !core.workingSet.isInL0(id)), FaultReason.Speculative);
      }
    });
  }

  /**
   * Called as soon as `newTurn()` is requested, before it waits for the lock, so queued work can be cancelled
   * (used by the streaming fault handler). Returns an unsubscribe function.
   */
  onNewTurn(listener: () => void): () => void {
    this.core.turnListeners.add(listener);
    return () => this.core.turnListeners.delete(listener);
  }

  /** Pinned pages are never evicted. Unknown id → `PageNotFoundError`. */
  pinPage(pageId: string): Promise<void> {
    return this.locked(() => {
      this.core.requireKnown(pageId);
      setPin(this.core, pageId, true);
      const tier = this.core.tierOf(pageId) ?? StorageTier.L1;
      this.core.log(pageId, MutationType.Pin, tier, tier, MutationCause.ExplicitPin);
    });
  }

  unpinPage(pageId: string): Promise<void> {
    return this.locked(() => {
      this.core.requireKnown(pageId);
      setPin(this.core, pageId, false);
      const tier = this.core.tierOf(pageId) ?? StorageTier.L1;
      this.core.log(pageId, MutationType.Unpin, tier, tier, MutationCause.ExplicitUnpin);
    });
  }

  /** Importance override used by eviction scoring and the manifest (clamped to [0, 1]). */
  setImportance(pageId: string, importance: number): Promise<void> {
    return this.locked(() => {
      this.core.requireKnown(pageId);
      this.core.workingSet.setImportance(pageId, importance);
      this.core.touch();
    });
  }

  /** After a segment rollover: new id for the log, tier storage scope and pack cache. */
  updateSessionId(sessionId: string): Promise<void> {
    return this.locked(() => {
      const old = this.core.sessionId;
      this.core.sessionId = sessionId;
      this.core.mutationLog.sessionId = sessionId;
      this.core.tierStore?.setSessionId(sessionId);
      this.core.packCache.invalidateSession(old);
      this.core.touch();
    });
  }

  setLastSegmentSummary(pageId: string): Promise<void> {
    return this.locked(() => {
      this.core.prefetcher.setLastSegmentSummary(pageId);
    });
  }

  /** Tools package hook: remember which pages were in context before a tool call. */
  recordToolCall(toolName: string, pagesInContext?: readonly string[]): Promise<void> {
    return this.locked(() => {
      this.core.prefetcher.recordToolCall(toolName, this.core.turn, pagesInContext ?? this.core.workingSet.getL0PageIds());
    });
  }

  private syncedMetrics(): VmMetrics {
    const core = this.core;
    core.syncTokenMetrics();
    const stats = core.pageTable.getStats();
    core.metrics.pagesByTier = stats.pagesByTier;
    core.metrics.pagesByModality = stats.pagesByModality;
    return core.metrics.snapshot();
  }

  /** Snapshot of the typed metrics, consistent with the page table and budget. Never throws. */
  getMetrics(): Promise<VmMetrics> {
    return this.locked(() => this.syncedMetrics());
  }

  /** Stats of every subsystem. Never throws (a minimal object on internal failure). */
  getStats(): Promise<MemoryManagerStats> {
    return this.locked(async () => {
      const core = this.core;
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
          metrics: this.syncedMetrics(),
          pagesInStore: core.store.size,
          storage: core.tierStore ? await core.tierStore.getStats() : null,
        };
      } catch (err) {
        core.logger.warn({ err }, 'getStats failed');
        return minimalStats(core);
      }
    });
  }

  /** PageLoader: in-process store first, then tier storage. */
  load(pageId: string, tier: StorageTier, artifactId?: string | null): Promise<MemoryPage | null> {
    return this.core.load(pageId, tier, artifactId);
  }

  /** Install tier storage; without arguments a `BlobTierStore` over an `InMemoryBlobStore`. */
  configureStorage(tierStore?: TierStore, sessionId?: string): Promise<void> {
    return this.locked(() => {
      const scope = sessionId ?? this.core.sessionId;
      this.core.tierStore =
        tierStore ?? new BlobTierStore({ sessionId: scope, l3: new InMemoryBlobStore(), persistent: false, clock: this.core.clock, logger: this.core.logger });
      this.core.tierStore.setSessionId(scope);
    });
  }

  getPage(pageId: string): Promise<MemoryPage | undefined> {
    return this.locked(async () => {
      const entry = this.core.pageTable.lookup(pageId);
      if (!entry) return undefined;
      return (await this.core.load(pageId, entry.tier, entry.artifactId)) ?? undefined;
    });
  }

  /** Unknown id → `PageNotFoundError`; known but unloadable content → `StorageError`. */
  getPageOrThrow(pageId: string): Promise<MemoryPage> {
    return this.locked(() => this.loadKnown(pageId));
  }

  private async loadKnown(pageId: string): Promise<MemoryPage> {
    this.core.requireKnown(pageId);
    const entry = this.core.pageTable.lookup(pageId);
    const page = entry ? await this.core.load(pageId, entry.tier, entry.artifactId) : null;
    if (!page) throw new StorageError({ operation: 'load', backend: this.core.tierStore ? 'tier-store' : 'unconfigured', message: `Page content unavailable: ${pageId}` });
    return page;
  }

  /** New version of a page (dirty until flushed). Unknown id → `PageNotFoundError`. */
  updatePage(pageId: string, patch: PagePatch): Promise<MemoryPage> {
    return this.locked(async () => {
      const core = this.core;
      if (patch.importance !== undefined) assertImportance(patch.importance);
      const current = await this.loadKnown(pageId);
      const entry = core.pageTable.lookup(pageId) as NonNullable<ReturnType<typeof core.pageTable.lookup>>;
      const contentChanged = patch.content !== undefined;
      const next = copyPage(current, {
        ...patch,
        ...(contentChanged && patch.sizeTokens === undefined ? { sizeTokens: null } : {}),
        sessionId: core.sessionId,
        version: current.version + 1,
        dirty: true,
        storageTier: entry.tier,
      });
      if (contentChanged) core.originals.delete(pageId);
      const charged = core.workingSet.chargedTokens(pageId);
      core.replaceStored(next);
      if (core.workingSet.isInL0(pageId)) {
        core.workingSet.updatePageTokens(pageId, charged, pageTokens(next, core.estimator), next.modality);
        const usable = core.workingSet.config.maxL0Tokens - core.workingSet.config.reservedTokens;
        if (core.workingSet.tokensUsed > usable) await core.runEviction(0, new Set([pageId]));
      }
      core.pageTable.markDirty(pageId);
      core.tlb.invalidate(pageId);
      core.syncTokenMetrics();
      core.log(pageId, MutationType.Update, entry.tier, entry.tier, MutationCause.UpdatePage);
      return next;
    });
  }

  /** Remove a page everywhere (its blob too, when this manager created it). */
  deletePage(pageId: string): Promise<void> {
    return this.locked(async () => {
      const core = this.core;
      core.requireKnown(pageId);
      const entry = core.pageTable.lookup(pageId);
      const tier = entry?.tier ?? StorageTier.L1;
      if (entry?.artifactId && core.tierStore && core.ownedArtifacts.delete(entry.artifactId)) await core.tierStore.deletePage(entry.artifactId);
      core.forgetPage(pageId);
      core.syncTokenMetrics();
      core.log(pageId, MutationType.Delete, tier, tier, MutationCause.DeletePage);
    });
  }

  /** Re-register pages (e.g. after a reload); L0 pages are re-mapped in order within the budget. */
  rebuildFromPages(pages: readonly MemoryPage[]): Promise<void> {
    return this.locked(async () => {
      const core = this.core;
      const toMap: string[] = [];
      for (const p of pages) {
        const page = copyPage(p, { sessionId: core.sessionId, storageTier: p.storageTier === StorageTier.L0 ? StorageTier.L2 : p.storageTier });
        if (core.pageTable.has(page.pageId)) core.forgetPage(page.pageId);
        core.pageTable.register(page);
        if (!isPersistentTier(page.storageTier) || page.content !== null) core.store.set(page.pageId, page);
        if (page.groupId !== null) {
          const members = core.groups.get(page.groupId) ?? new Set<string>();
          members.add(page.pageId);
          core.groups.set(page.groupId, members);
        }
        if (page.pinned) setPin(core, page.pageId, true);
        if (p.storageTier === StorageTier.L0) toMap.push(page.pageId);
      }
      for (const id of toMap) await core.addToWorkingSet(id);
      core.touch();
    });
  }

  /** Write dirty pages back to their backing store. */
  flush(opts: { pageIds?: readonly string[] } = {}): Promise<string[]> {
    return this.locked(() => flushCore(this.core, opts.pageIds));
  }

  /** Point-in-time snapshot of the whole VM into the tier store; returns the checkpoint id. */
  checkpoint(name: string): Promise<string> {
    return this.locked(() => checkpointCore(this.core, name));
  }

  /** Swap in a checkpointed state (atomically for other callers). */
  restore(checkpointId: string): Promise<void> {
    return this.locked(() => restoreCore(this.core, checkpointId));
  }

  listCheckpoints(): Promise<CheckpointInfo[]> {
    return this.locked(async () => {
      const store = this.core.tierStore;
      if (!store) return [];
      const out: CheckpointInfo[] = [];
      for (const id of await store.listCheckpoints()) {
        const m = await store.loadCheckpointManifest(id);
        if (m) out.push({ id, name: m.name, createdAt: new Date(m.created_at), pageCount: m.page_count });
      }
      return out;
    });
  }

  /** Copy-on-write fork: metadata copied, page objects and blobs shared until either side writes. */
  fork(opts: { targetSessionId: string; copyMutationLog?: boolean }): Promise<MemoryManager> {
    return this.locked(() => {
      const child = new MemoryManager({ ...this.core.options, sessionId: opts.targetSessionId, mode: this.core.mode, ...(this.core.tierStore ? { tierStore: this.core.tierStore } : {}) });
      copyStateInto(this.core, child.core, opts.copyMutationLog ?? false);
      return child;
    });
  }

  /** The memory ABI of the current working set. */
  buildAbi(): Promise<MemoryABI> {
    return this.locked(() => buildAbiCore(this.core, this.l0Pages()));
  }
}
