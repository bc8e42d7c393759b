import { InvalidInput, noopLogger, type BlobStore, type Logger } from '@chuk/models';
import { CompressorRegistry } from '../compression.js';
import { ContextPacker } from '../context-packer.js';
import { DemandPagingPrePass, HintIndex } from '../demand-paging.js';
import { Actor, CompressionLevel, DEFAULT_IMPORTANCE, Modality, MutationCause, MutationType, StorageTier, VmMode, isCompressionLevel } from '../enums.js';
import { DuplicatePageError, PageNotFoundError } from '../errors.js';
import { PageFaultHandler, type PageLoader } from '../fault.js';
import { ManifestBuilder } from '../manifest.js';
import { UserExperienceMetrics } from '../models/abi.js';
import { FaultPolicy } from '../models/fault.js';
import { assertImportance, copyPage, type MemoryPage } from '../models/page.js';
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

/** `CreatePageOptions.metadata` key naming the page id (or ids) a new page supersedes, e.g. a correction. */
export const SUPERSEDES_METADATA_KEY = 'supersedes';
/** Prefix of the hint of a superseded page (manifest and `search_pages`). */
export const SUPERSEDED_HINT_PREFIX = '[superseded] ';
/** A fault follows a chain of successors (A superseded by B, B by C) this far. */
const MAX_SUCCESSOR_CHAIN = 8;

function supersededIds(metadata: Record<string, unknown>): string[] {
  const value = metadata[SUPERSEDES_METADATA_KEY];
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * All VM state, page registration and the small helpers every operation uses. The operations themselves live
 * by area in this folder (paging, fault path, page ops, persistence, ...), as functions of a `VmCore`;
 * `MemoryManager` runs each public call of them under its mutex, and they call each other unlocked.
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
  /** Superseded page → the page that supersedes it (`metadata.supersedes`; in memory, not in checkpoints). */
  readonly successors = new Map<string, string>();
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
    this.mutationLog.record(pageId, type, tierBefore, tierAfter, actor, cause, this.turn, timestamp?.getTime());
  }

  tierOf(pageId: string): StorageTier | null {
    return this.pageTable.lookup(pageId)?.tier ?? null;
  }

  /** The stored page, made private first if it is shared with a fork. */
  writable(pageId: string): MemoryPage | undefined {
    const page = this.store.get(pageId);
    return page ? this.ownCopy(page) : undefined;
  }

  /** `writable` of a page the caller just read from the store (no second lookup). */
  ownCopy(page: MemoryPage): MemoryPage {
    if (!this.shared.has(page)) return page;
    const own = copyPage(page, { sessionId: this.sessionId });
    this.store.set(page.pageId, own);
    return own;
  }

  /** Keep a copy of this page version for `replayTo` when `recordVersions` is on (at `timestamp`, default the clock). */
  recordVersion(page: MemoryPage, timestamp?: Date): void {
    if (this.options.recordVersions === true) this.mutationLog.recordVersion(page, timestamp ?? this.clock());
  }

  /** Store a new page object (content change): bumps table size/version and invalidates caches. */
  replaceStored(page: MemoryPage): void {
    this.store.set(page.pageId, page);
    this.pageTable.updateVersion(page.pageId, pageTokens(page, this.estimator), page.compressionLevel, page.version);
    this.tlb.invalidate(page.pageId);
    this.touch();
  }

  /** Tokens L0 charges for `page`: its size, or its `VM:CONTEXT` line when larger and `chargeContextLines` is on. */
  chargeOf(page: MemoryPage): number {
    const size = pageTokens(page, this.estimator);
    return this.options.chargeContextLines === true ? Math.max(size, this.packer.lineTokens(page)) : size;
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
    const level = opts.compressionLevel ?? CompressionLevel.Full;
    if (!isCompressionLevel(level)) throw new InvalidInput({ field: 'compressionLevel', reason: `invalid level ${String(level)}` });
    const now = this.clock();
    // The page literal is built here (the same defaults as `makePage`) rather than through an init object:
    // one allocation less per page, and no megamorphic reads of the many init shapes `makePage` sees.
    const page: MemoryPage = {
      pageId,
      sessionId: this.sessionId,
      modality: opts.modality ?? Modality.Text,
      pageType,
      provenance: opts.provenance ?? [],
      represents: null,
      representationLevel: CompressionLevel.Full,
      storageTier: StorageTier.L1,
      artifactId: null,
      content: content ?? null,
      compressionLevel: level,
      representations: {},
      sizeBytes: opts.sizeBytes ?? 0,
      sizeTokens: opts.sizeTokens ?? null,
      createdAt: now,
      lastAccessed: now,
      accessCount: 0,
      importance: opts.importance ?? DEFAULT_IMPORTANCE,
      dirty: false,
      pinned: false,
      parentPageId: null,
      mimeType: opts.mimeType ?? null,
      durationSeconds: opts.durationSeconds ?? null,
      dimensions: opts.dimensions ?? null,
      transcript: opts.transcript ?? null,
      caption: opts.caption ?? null,
      metadata,
      version: 1,
      groupId: opts.groupId ?? null,
    };
    if (replacing) this.forgetPage(pageId);
    page.sizeTokens ??= this.estimator.estimatePage(page);
    // Not in the table: a replaced page was forgotten above.
    this.pageTable.registerNew(page);
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
    for (const old of supersededIds(metadata)) if (old !== pageId && this.pageTable.has(old)) this.markSuperseded(old, pageId);
    if (replacing) this.log(pageId, MutationType.Update, null, StorageTier.L1, MutationCause.ReplacePage);
    else this.log(pageId, MutationType.Create, null, StorageTier.L1, MutationCause.CreatePage, Actor.System, page.createdAt);
    this.recordVersion(page, page.createdAt);
    // A new id, or one `forgetPage` just cleared: its first access.
    this.prefetcher.recordFirstAccess(pageId);
    this.touch();
    return page;
  }

  /** `old` is superseded by `successor`: a fault of `old` maps the successor too, and its hint says `[superseded]`. */
  markSuperseded(old: string, successor: string): void {
    this.successors.set(old, successor);
    const hint = this.hints.get(old) ?? '';
    if (!hint.startsWith(SUPERSEDED_HINT_PREFIX)) this.setHint(old, `${SUPERSEDED_HINT_PREFIX}${hint}`.trimEnd());
  }

  /** The pages that supersede `pageId`, nearest first (following the chain, without cycles). */
  successorsOf(pageId: string): string[] {
    const out: string[] = [];
    let next = this.successors.size === 0 ? undefined : this.successors.get(pageId);
    while (next !== undefined && next !== pageId && !out.includes(next) && out.length < MAX_SUCCESSOR_CHAIN) {
      out.push(next);
      next = this.successors.get(next);
    }
    return out;
  }

  /** Remove every trace of a page from the in-process structures (not from tier storage). */
  forgetPage(pageId: string): void {
    const page = this.store.get(pageId);
    this.workingSet.remove(pageId, page);
    this.forgetContext(pageId);
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
    if (this.successors.size > 0) {
      this.successors.delete(pageId);
      for (const [old, successor] of this.successors) if (successor === pageId) this.successors.delete(old);
    }
    this.hints.delete(pageId);
    this.hintIndex.delete(pageId);
    this.prefetcher.forget(pageId);
    this.touch();
  }

  /** PageLoader: in-process store first, then tier storage by artifact id. */
  async load(pageId: string, _tier: StorageTier, artifactId?: string | null): Promise<MemoryPage | null> {
    const page = this.store.get(pageId);
    if (page) return page;
    if (artifactId && this.tierStore) return this.tierStore.loadPage(artifactId);
    return null;
  }

  /** Tokens the manifest reports for an L0 page (what is charged to the budget). */
  manifestTokens(pageId: string): number | undefined {
    return this.workingSet.chargedTokens(pageId) || undefined;
  }

  /** Importance the manifest reports for an L0 page (override, else the page's own). */
  manifestImportance(pageId: string): number | undefined {
    return this.workingSet.importanceOverrides.get(pageId) ?? this.store.get(pageId)?.importance;
  }

  /**
   * Render a changed L0 page's context line and manifest entry now, so the next build mostly reuses them.
   * `page` is the stored page (so its importance is what `manifestImportance` would read from the store).
   */
  primeContext(page: MemoryPage): void {
    this.packer.prime(page);
    const id = page.pageId;
    const entry = this.pageTable.lookup(id);
    if (entry) this.manifestBuilder.primeWorkingSetEntry(id, entry, this.manifestTokens(id), this.workingSet.importanceOverrides.get(id) ?? page.importance);
  }

  /**
   * A page left L0: drop its primed context line and manifest entry, so those caches hold the working set only,
   * even when `buildContext` (which prunes them too) is called rarely, never, or only with a token budget.
   */
  forgetContext(pageId: string): void {
    this.packer.forget(pageId);
    this.manifestBuilder.forgetWorkingSetEntry(pageId);
  }

  /** Throws `PageNotFoundError` for an id the page table does not know. */
  requireKnown(pageId: string): void {
    if (!this.pageTable.has(pageId)) throw new PageNotFoundError({ pageId, sessionId: this.sessionId });
  }
}
