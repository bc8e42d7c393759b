import { z } from 'zod';
import { InvalidInput } from '@chuk/models';
import { Modality, StorageTier } from '../enums.js';
import { ImportanceWeightedLRU, type EvictionCandidate, type EvictionContext, type EvictionPolicy } from '../eviction.js';
import { markAccessed, type MemoryPage } from '../models/page.js';
import { DEFAULT_RESERVED_TOKENS, DEFAULT_TOTAL_LIMIT, TokenBudget, type WorkingSetStats } from '../models/stats.js';
import type { PageTable } from '../page-table.js';
import { charRatioEstimator, pageTokens, type TokenEstimator } from '../tokens.js';
import { AntiThrashPolicy, type AntiThrashSnapshot } from './anti-thrash.js';
import { PinnedSet, type PinnedSetSnapshot } from './pinned-set.js';

export const WorkingSetConfigSchema = z
  .object({
    maxL0Tokens: z.number().int().positive().default(DEFAULT_TOTAL_LIMIT).describe('Context window size in tokens (L0)'),
    maxL1Pages: z.number().int().nonnegative().default(100).describe('Pages the L1 hot cache may hold'),
    evictionThreshold: z.number().min(0).max(1).default(0.85).describe('needsEviction() when utilization exceeds this'),
    targetUtilization: z.number().min(0).max(1).default(0.7).describe('Eviction frees down to this utilization'),
    reservedTokens: z.number().int().nonnegative().default(DEFAULT_RESERVED_TOKENS).describe('Tokens reserved for system prompt and tools'),
  })
  .strict();
export type WorkingSetConfig = z.output<typeof WorkingSetConfigSchema>;
export type WorkingSetConfigInput = z.input<typeof WorkingSetConfigSchema>;

export function parseWorkingSetConfig(raw: unknown): WorkingSetConfig {
  const parsed = WorkingSetConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new InvalidInput({ field: 'config', reason: parsed.error.message, issues: parsed.error.issues });
  return parsed.data;
}

/** Anti-thrash history cleanup runs every this many turns. */
export const HISTORY_CLEANUP_INTERVAL_TURNS = 10;

interface Charge { tokens: number; modality: Modality }

export interface WorkingSetSnapshot {
  config: WorkingSetConfig;
  l0PageIds: string[];
  charged: [string, Charge][];
  l1PageIds: string[];
  importanceOverrides: [string, number][];
  pinnedSet: PinnedSetSnapshot;
  antiThrash: AntiThrashSnapshot;
  currentTurn: number;
}

export interface WorkingSetManagerOptions {
  config?: WorkingSetConfigInput;
  estimator?: TokenEstimator;
  clock?: () => Date;
  pinnedSet?: PinnedSet;
  antiThrash?: AntiThrashPolicy;
  evictionPolicy?: EvictionPolicy | null;
}

export interface EvictionCandidateQuery {
  tokensNeeded?: number;
  fromTier?: StorageTier;
  pageTable?: PageTable;
  pages?: (id: string) => MemoryPage | undefined;
}

/** L0 (mapped, budgeted) and L1 (hot cache) with pins, anti-thrash and eviction scoring. */
export class WorkingSetManager {
  readonly config: WorkingSetConfig;
  budget: TokenBudget;
  readonly pinnedSet: PinnedSet;
  readonly antiThrash: AntiThrashPolicy;
  currentTurn = 0;
  /** The L0 pages, oldest mapped first, with what each is charged to the budget (its keys are the L0 ids). */
  private readonly charged = new Map<string, Charge>();
  private readonly l1 = new Map<string, MemoryPage>();
  private readonly overrides = new Map<string, number>();
  private readonly estimator: TokenEstimator;
  private readonly clock: () => Date;
  private policy: EvictionPolicy;

  constructor(opts: WorkingSetManagerOptions = {}) {
    this.config = parseWorkingSetConfig(opts.config);
    this.budget = new TokenBudget({ totalLimit: this.config.maxL0Tokens, reserved: this.config.reservedTokens });
    this.estimator = opts.estimator ?? charRatioEstimator;
    this.clock = opts.clock ?? (() => new Date());
    this.pinnedSet = opts.pinnedSet ?? new PinnedSet();
    this.antiThrash = opts.antiThrash ?? new AntiThrashPolicy();
    this.policy = opts.evictionPolicy ?? new ImportanceWeightedLRU();
  }

  /** `null` restores the built-in importance-weighted scoring. */
  setEvictionPolicy(policy: EvictionPolicy | null): void {
    this.policy = policy ?? new ImportanceWeightedLRU();
  }
  get evictionPolicy(): EvictionPolicy {
    return this.policy;
  }

  /** Ordered, oldest first (a copy). */
  get l0Pages(): readonly string[] {
    return [...this.charged.keys()];
  }
  get l1Cache(): ReadonlyMap<string, MemoryPage> {
    return this.l1;
  }
  get importanceOverrides(): ReadonlyMap<string, number> {
    return this.overrides;
  }
  get size(): number {
    return this.charged.size + this.l1.size;
  }
  get l0Count(): number {
    return this.charged.size;
  }
  get l1Count(): number {
    return this.l1.size;
  }
  get utilization(): number {
    return this.budget.utilization;
  }
  get tokensUsed(): number {
    return this.budget.used;
  }
  get tokensAvailable(): number {
    return this.budget.available;
  }
  needsEviction(): boolean {
    return this.utilization > this.config.evictionThreshold;
  }
  canFit(tokens: number): boolean {
    return this.budget.canFit(tokens);
  }
  /** Tokens charged to the budget for an L0 page (0 when not mapped). */
  chargedTokens(pageId: string): number {
    return this.charged.get(pageId)?.tokens ?? 0;
  }

  /**
   * Map a page into L0, charging it `tokens` (default: its size, `pageTokens`). A page already in L0 is re-charged
   * by the difference only.
   */
  addToL0(page: MemoryPage, tokens?: number): boolean {
    const t = tokens ?? pageTokens(page, this.estimator);
    const previous = this.charged.get(page.pageId);
    if (previous) {
      this.budget.remove(previous.tokens, previous.modality);
      if (!this.budget.add(t, page.modality)) {
        this.budget.force(previous.tokens, previous.modality);
        return false;
      }
      previous.tokens = t;
      previous.modality = page.modality;
    } else {
      if (!this.budget.add(t, page.modality)) return false;
      this.charged.set(page.pageId, { tokens: t, modality: page.modality });
    }
    this.l1.delete(page.pageId);
    page.storageTier = StorageTier.L0;
    markAccessed(page, this.clock());
    return true;
  }

  addToL1(page: MemoryPage): boolean {
    if (!this.l1.has(page.pageId) && this.l1.size >= this.config.maxL1Pages) return false;
    this.releaseL0(page.pageId);
    this.l1.set(page.pageId, page);
    page.storageTier = StorageTier.L1;
    markAccessed(page, this.clock());
    return true;
  }

  /** Remove from L1 and L0, releasing the charged budget. */
  remove(pageId: string, page?: MemoryPage): MemoryPage | undefined {
    const fromL1 = this.l1.get(pageId);
    this.l1.delete(pageId);
    this.releaseL0(pageId);
    return fromL1 ?? page;
  }

  removeFromL0(pageId: string, _page?: MemoryPage): boolean {
    return this.releaseL0(pageId);
  }

  promoteToL0(page: MemoryPage): boolean {
    if (!this.l1.has(page.pageId)) return false;
    return this.addToL0(page);
  }

  demoteToL1(page: MemoryPage): boolean {
    if (!this.charged.has(page.pageId)) return false;
    return this.addToL1(page);
  }

  /** L1 only (L0 is tracked by id). */
  getPage(pageId: string): MemoryPage | undefined {
    return this.l1.get(pageId);
  }

  updatePageTokens(pageId: string, oldTokens: number, newTokens: number, modality: Modality = Modality.Text): void {
    const charge = this.charged.get(pageId);
    if (!charge) return;
    this.budget.remove(oldTokens, modality);
    this.budget.force(newTokens, modality);
    charge.tokens = charge.tokens - oldTokens + newTokens;
    charge.modality = modality;
  }

  isInL0(id: string): boolean {
    return this.charged.has(id);
  }
  isInL1(id: string): boolean {
    return this.l1.has(id);
  }
  isInWorkingSet(id: string): boolean {
    return this.charged.has(id) || this.l1.has(id);
  }

  getEvictionCandidates(query: EvictionCandidateQuery = {}): EvictionCandidate[] {
    const ctx: EvictionContext = {
      currentTurn: this.currentTurn,
      l0PageIds: [...this.charged.keys()],
      l1Pages: this.l1,
      pinnedPageIds: this.pinnedSet.all,
      importanceOverrides: this.overrides,
      antiThrash: this.antiThrash,
      now: this.clock(),
      ...(query.pageTable ? { pageTable: query.pageTable } : {}),
      ...(query.pages ? { getPage: query.pages } : {}),
    };
    return this.policy.scoreCandidates(ctx, query.fromTier ?? StorageTier.L0, query.tokensNeeded ?? 0);
  }

  newTurn(): void {
    this.currentTurn += 1;
    if (this.currentTurn % HISTORY_CLEANUP_INTERVAL_TURNS === 0) this.antiThrash.cleanupOldHistory(this.currentTurn);
  }

  pinPage(id: string): void {
    this.pinnedSet.pin(id);
  }
  unpinPage(id: string): void {
    this.pinnedSet.unpin(id);
  }
  isPinned(id: string): boolean {
    return this.pinnedSet.isPinned(id);
  }
  recordFault(id: string): void {
    this.antiThrash.recordFault(id, this.currentTurn);
  }
  recordEviction(id: string): void {
    this.antiThrash.recordEviction(id, this.currentTurn);
  }

  /** Tokens to free so that utilization returns to the target after adding `tokensNeeded`. */
  calculateEvictionTarget(tokensNeeded = 0): number {
    const usable = this.config.maxL0Tokens - this.config.reservedTokens;
    const target = Math.floor(usable * this.config.targetUtilization);
    return Math.max(0, this.budget.used - target + tokensNeeded);
  }

  /** Clamped to [0, 1]. */
  setImportance(id: string, importance: number): void {
    this.overrides.set(id, Math.min(1, Math.max(0, importance)));
  }
  clearImportance(id: string): void {
    this.overrides.delete(id);
  }

  getL0PageIds(): string[] {
    return [...this.charged.keys()];
  }
  /** Live iteration over L0 ids, oldest first (no copy). */
  l0Ids(): IterableIterator<string> {
    return this.charged.keys();
  }
  getL1Pages(): MemoryPage[] {
    return [...this.l1.values()];
  }

  getStats(): WorkingSetStats {
    return {
      l0Pages: this.charged.size,
      l1Pages: this.l1.size,
      totalPages: this.size,
      tokensUsed: this.budget.used,
      tokensAvailable: this.budget.available,
      utilization: this.budget.utilization,
      needsEviction: this.needsEviction(),
      tokensByModality: { ...this.budget.tokensByModality },
    };
  }

  /** Empties L0 and L1, resets the budget and overrides; pins and anti-thrash history are kept. */
  clear(): void {
    this.charged.clear();
    this.l1.clear();
    this.overrides.clear();
    this.budget = new TokenBudget({ totalLimit: this.config.maxL0Tokens, reserved: this.config.reservedTokens });
  }

  toJSON(): WorkingSetSnapshot {
    return {
      config: { ...this.config },
      l0PageIds: [...this.charged.keys()],
      charged: [...this.charged].map(([id, c]) => [id, { ...c }]),
      l1PageIds: [...this.l1.keys()],
      importanceOverrides: [...this.overrides],
      pinnedSet: this.pinnedSet.toJSON(),
      antiThrash: this.antiThrash.toJSON(),
      currentTurn: this.currentTurn,
    };
  }

  /** Rebuild from a snapshot; `pages` resolves L1 ids to page objects. */
  static fromJSON(
    s: WorkingSetSnapshot,
    opts: Omit<WorkingSetManagerOptions, 'config' | 'pinnedSet' | 'antiThrash'> & { pages?: (id: string) => MemoryPage | undefined } = {},
  ): WorkingSetManager {
    const ws = new WorkingSetManager({
      ...opts,
      config: s.config,
      pinnedSet: PinnedSet.fromJSON(s.pinnedSet),
      antiThrash: AntiThrashPolicy.fromJSON(s.antiThrash),
    });
    ws.currentTurn = s.currentTurn;
    // L0 in the snapshot's order; an id without a charge (not written by this class) is charged nothing.
    const charges = new Map(s.charged);
    for (const id of s.l0PageIds) {
      const c = charges.get(id) ?? { tokens: 0, modality: Modality.Text };
      ws.charged.set(id, { ...c });
      ws.budget.force(c.tokens, c.modality);
    }
    for (const id of s.l1PageIds) {
      const page = opts.pages?.(id);
      if (page) ws.l1.set(id, page);
    }
    for (const [id, v] of s.importanceOverrides) ws.overrides.set(id, v);
    return ws;
  }

  private releaseL0(pageId: string): boolean {
    const charge = this.charged.get(pageId);
    if (!charge) return false;
    this.budget.remove(charge.tokens, charge.modality);
    this.charged.delete(pageId);
    return true;
  }
}
