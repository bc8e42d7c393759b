import { InMemoryBlobStore } from '@chuk/models';
import { assertLevel, type CompressionResult } from '../compression.js';
import { Actor, FaultReason, MutationCause, MutationType, StorageTier, VmMode, type CompressionLevel } from '../enums.js';
import { DEFAULT_FAULT_TARGET_LEVEL, buildToolError, buildToolResult, type FaultResult, type PageLoader } from '../fault.js';
import type { MemoryABI } from '../models/abi.js';
import { searchResultToJSON, type SearchResult, type VmToolDefinition, type VmToolResult } from '../models/content.js';
import type { VmContext } from '../models/context.js';
import type { MemoryPage } from '../models/page.js';
import type { MemoryManagerStats, VmMetrics } from '../models/stats.js';
import { getVmTools } from '../prompts.js';
import { DEFAULT_SEARCH_LIMIT, type PageSearchOptions } from '../search.js';
import { BlobTierStore, type TierStore } from '../storage/tier-store.js';
import { buildAbiCore, buildContextCore } from './context-build.js';
import { VmCore } from './core.js';
import { compressGroup, evictGroup, evictSegment } from './explicit-paging.js';
import { faultCore } from './fault-path.js';
import { Mutex } from './mutex.js';
import type { BuildContextOptions, CreatePageOptions, HandleFaultOptions, MemoryManagerOptions, PagePatch } from './options.js';
import { deletePageCore, getPageCore, loadKnownPage, rebuildFromPagesCore, updatePageCore } from './page-ops.js';
import { mapToL0 } from './paging.js';
import { checkpointCore, copyStateInto, flushCore, restoreCore, setPin } from './persistence.js';
import { demandPrePassCore, newTurnCore } from './prefetching.js';
import { statsCore, syncedMetrics } from './stats-snapshot.js';
import { mapMaybe, runSteps } from './steps.js';
import { dispatchVmToolCall, type VmToolCallOutcome } from './tool-calls.js';

export interface CheckpointInfo { id: string; name: string; createdAt: Date; pageCount: number }

/**
 * The VM orchestrator. Every public method is async and runs under one per-manager mutex, so concurrent
 * calls never interleave. Callbacks (summariser, search function, tier store) are awaited while the lock is
 * held: a long summarisation blocks other VM calls of the same session. With the lock idle and only in-memory
 * work to do (built-in compressors, no tier I/O), a call completes without a promise hop (see `Mutex`).
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
    return this.locked(() => mapMaybe(mapToL0(this.core, id), (r) => r.ok));
  }

  /** Evict a page (and its group) to a tier. Pinned pages are refused (false). L3/L4 without storage → `StorageError`. */
  evictPage(pageId: string, targetTier: StorageTier = StorageTier.L2): Promise<boolean> {
    return this.locked(() => runSteps(evictGroup(this.core, pageId, targetTier)));
  }

  /** Compress a page (and its group) to a level; null without a registry or for unknown ids. */
  compressPage(pageId: string, targetLevel: CompressionLevel): Promise<CompressionResult | null> {
    assertLevel(targetLevel);
    return this.locked(() => runSteps(compressGroup(this.core, pageId, targetLevel)));
  }

  /** Segment rollover: evict every unpinned L0 page (groups with a pinned member stay). */
  evictSegmentPages(targetTier: StorageTier = StorageTier.L2): Promise<string[]> {
    return this.locked(() => runSteps(evictSegment(this.core, targetTier)));
  }

  searchPages(query: string, modality?: string | null, limit = DEFAULT_SEARCH_LIMIT, opts: PageSearchOptions = {}): Promise<SearchResult> {
    return this.locked(() => this.core.searchHandler.search(query, modality, limit, opts));
  }

  /**
   * Before the model sees a user message: fault in pages it will need. Uses its own budget
   * (`maxPrefetchPages`, `maxPrefetchTokens`), never the model's fault quota; honours the confidence threshold.
   */
  demandPrePass(userMessage: string): Promise<string[]> {
    return this.locked(() => demandPrePassCore(this.core, userMessage));
  }

  /** Model-initiated fault: policy limits, fault handler, anti-thrash protection, L0 mapping. Never throws. */
  handleFault(pageId: string, targetLevel: number = DEFAULT_FAULT_TARGET_LEVEL, opts: HandleFaultOptions = {}): Promise<FaultResult> {
    // Deferred: a fault requested without awaiting (streaming faults) can still be cancelled by its signal.
    return this.mutex.runDeferred(() =>
      faultCore(this.core, pageId, targetLevel, {
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
    return this.locked(() => newTurnCore(this.core));
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

  /** Snapshot of the typed metrics, consistent with the page table and budget. Never throws. */
  getMetrics(): Promise<VmMetrics> {
    return this.locked(() => syncedMetrics(this.core));
  }

  /** Stats of every subsystem. Never throws (a minimal object on internal failure). */
  getStats(): Promise<MemoryManagerStats> {
    return this.locked(() => statsCore(this.core));
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
    return this.locked(() => getPageCore(this.core, pageId));
  }

  /** Unknown id → `PageNotFoundError`; known but unloadable content → `StorageError`. */
  getPageOrThrow(pageId: string): Promise<MemoryPage> {
    return this.locked(() => loadKnownPage(this.core, pageId));
  }

  /** New version of a page (dirty until flushed). Unknown id → `PageNotFoundError`. */
  updatePage(pageId: string, patch: PagePatch): Promise<MemoryPage> {
    return this.locked(() => updatePageCore(this.core, pageId, patch));
  }

  /** Remove a page everywhere (its blob too, when this manager created it). */
  deletePage(pageId: string): Promise<void> {
    return this.locked(() => deletePageCore(this.core, pageId));
  }

  /** Re-register pages (e.g. after a reload); L0 pages are re-mapped in order within the budget. */
  rebuildFromPages(pages: readonly MemoryPage[]): Promise<void> {
    return this.locked(() => rebuildFromPagesCore(this.core, pages));
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
