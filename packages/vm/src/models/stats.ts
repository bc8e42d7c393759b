import { z } from 'zod';
import { InvalidInput } from '@chuk/models';
import { ALL_MODALITIES, Modality, type StorageTier } from '../enums.js';

/** Deep copy of a plain object with camelCase keys turned into snake_case (the wire form of stats). */
export function toSnakeCaseJSON(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toSnakeCaseJSON);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[key.replace(/([a-z0-9])([A-Z])/g, (_m, a: string, b: string) => `${a}_${b.toLowerCase()}`)] = toSnakeCaseJSON(v);
    return out;
  }
  return value;
}

export function zeroByTier(): Record<StorageTier, number> {
  return { L0: 0, L1: 0, L2: 0, L3: 0, L4: 0 };
}
export function zeroByModality(): Record<Modality, number> {
  const out = {} as Record<Modality, number>;
  for (const m of ALL_MODALITIES) out[m] = 0;
  return out;
}

export interface TLBStats { size: number; maxSize: number; utilization: number; hits: number; misses: number; hitRate: number }

export interface WorkingSetStats {
  l0Pages: number;
  l1Pages: number;
  totalPages: number;
  tokensUsed: number;
  tokensAvailable: number;
  utilization: number;
  needsEviction: boolean;
  tokensByModality: Record<Modality, number>;
}

export interface StorageStats { backend: string; persistent: boolean; sessionId: string | null; pagesStored: number }

export interface PageTableStats {
  totalPages: number;
  dirtyPages: number;
  pagesByTier: Record<StorageTier, number>;
  pagesByModality: Record<Modality, number>;
  /** L0 + L1 pages. */
  workingSetSize: number;
}

export interface CombinedPageTableStats { pageTable: PageTableStats; tlb: TLBStats }

export interface FaultMetrics {
  faultsThisTurn: number;
  maxFaultsPerTurn: number;
  faultsRemaining: number;
  totalFaults: number;
  tlbHitRate: number;
}

export interface MutationLogSummary {
  totalMutations: number;
  uniquePages: number;
  contextSnapshots: number;
  creates: number;
  faults: number;
  evictions: number;
  compressions: number;
  pins: number;
  unpins: number;
}

export interface PrefetcherStats { toolsTracked: number; pagesTracked: number; totalAccesses: number }

export interface PackCacheStats { hits: number; misses: number; evictions: number; invalidations: number; size: number; maxSize: number }

export const DEFAULT_TOTAL_LIMIT = 32_000;
export const DEFAULT_RESERVED_TOKENS = 4_000;

export const TokenBudgetStateSchema = z
  .object({
    total_limit: z.number().int().nonnegative().default(DEFAULT_TOTAL_LIMIT).describe('Context window size in tokens'),
    reserved: z.number().int().nonnegative().default(DEFAULT_RESERVED_TOKENS).describe('Tokens reserved for system prompt and tools'),
    tokens_by_modality: z.partialRecord(z.enum(Modality), z.number().int().nonnegative()).default({}).describe('Tokens used per modality'),
  })
  .strict();
export type TokenBudgetState = z.output<typeof TokenBudgetStateSchema>;

/** Token accounting of L0, per modality. */
export class TokenBudget {
  readonly totalLimit: number;
  readonly reserved: number;
  private readonly byModality: Record<Modality, number>;
  private usedTotal = 0;

  constructor(state: { totalLimit?: number; reserved?: number; tokensByModality?: Partial<Record<Modality, number>> } = {}) {
    this.totalLimit = state.totalLimit ?? DEFAULT_TOTAL_LIMIT;
    this.reserved = state.reserved ?? DEFAULT_RESERVED_TOKENS;
    this.byModality = zeroByModality();
    for (const [m, t] of Object.entries(state.tokensByModality ?? {})) this.setTokens(m as Modality, t);
  }

  get used(): number {
    return this.usedTotal;
  }
  get available(): number {
    return Math.max(0, this.totalLimit - this.reserved - this.usedTotal);
  }
  get utilization(): number {
    const usable = this.totalLimit - this.reserved;
    if (usable <= 0) return 1;
    return Math.min(1, this.usedTotal / usable);
  }
  get textTokens(): number {
    return this.byModality.text;
  }
  get imageTokens(): number {
    return this.byModality.image;
  }
  get audioTokens(): number {
    return this.byModality.audio;
  }
  get videoTokens(): number {
    return this.byModality.video;
  }
  get structuredTokens(): number {
    return this.byModality.structured;
  }
  get tokensByModality(): Readonly<Record<Modality, number>> {
    return this.byModality;
  }

  canFit(tokens: number): boolean {
    return tokens <= this.available;
  }
  add(tokens: number, modality: Modality): boolean {
    if (!this.canFit(tokens)) return false;
    this.byModality[modality] += tokens;
    this.usedTotal += tokens;
    return true;
  }
  /** Charge without the fit check (used when a page already in L0 grows). */
  force(tokens: number, modality: Modality): void {
    this.byModality[modality] += tokens;
    this.usedTotal += tokens;
  }
  remove(tokens: number, modality: Modality): void {
    const next = Math.max(0, this.byModality[modality] - tokens);
    this.usedTotal += next - this.byModality[modality];
    this.byModality[modality] = next;
  }
  getTokens(modality: Modality): number {
    return this.byModality[modality];
  }
  setTokens(modality: Modality, tokens: number): void {
    const next = Math.max(0, tokens);
    this.usedTotal += next - this.byModality[modality];
    this.byModality[modality] = next;
  }

  toJSON(): TokenBudgetState {
    return { total_limit: this.totalLimit, reserved: this.reserved, tokens_by_modality: { ...this.byModality } };
  }
  static fromJSON(raw: unknown): TokenBudget {
    const parsed = TokenBudgetStateSchema.safeParse(raw);
    if (!parsed.success) throw new InvalidInput({ field: 'tokenBudget', reason: parsed.error.message, issues: parsed.error.issues });
    return new TokenBudget({
      totalLimit: parsed.data.total_limit,
      reserved: parsed.data.reserved,
      tokensByModality: parsed.data.tokens_by_modality,
    });
  }
}

/** Plain snapshot of `VmMetrics` counters. */
export interface VmMetricsState {
  faultsTotal: number;
  faultsThisTurn: number;
  tlbHits: number;
  tlbMisses: number;
  evictionsTotal: number;
  evictionsThisTurn: number;
  tokensInWorkingSet: number;
  tokensAvailable: number;
  pagesByTier: Record<StorageTier, number>;
  pagesByModality: Record<Modality, number>;
  compressionsTotal: number;
  compressionsThisTurn: number;
  tokensSavedByCompression: number;
}

/** Typed VM counters (`vm.getMetrics()`). */
export class VmMetrics implements VmMetricsState {
  faultsTotal = 0;
  faultsThisTurn = 0;
  tlbHits = 0;
  tlbMisses = 0;
  evictionsTotal = 0;
  evictionsThisTurn = 0;
  tokensInWorkingSet = 0;
  tokensAvailable = 0;
  pagesByTier: Record<StorageTier, number> = zeroByTier();
  pagesByModality: Record<Modality, number> = zeroByModality();
  compressionsTotal = 0;
  compressionsThisTurn = 0;
  tokensSavedByCompression = 0;

  recordFault(): void {
    this.faultsTotal += 1;
    this.faultsThisTurn += 1;
  }
  recordTlbHit(): void {
    this.tlbHits += 1;
  }
  recordTlbMiss(): void {
    this.tlbMisses += 1;
  }
  recordEviction(): void {
    this.evictionsTotal += 1;
    this.evictionsThisTurn += 1;
  }
  recordCompression(tokensSaved = 0): void {
    this.compressionsTotal += 1;
    this.compressionsThisTurn += 1;
    this.tokensSavedByCompression += tokensSaved;
  }
  newTurn(): void {
    this.faultsThisTurn = 0;
    this.evictionsThisTurn = 0;
    this.compressionsThisTurn = 0;
  }
  get tlbHitRate(): number {
    const total = this.tlbHits + this.tlbMisses;
    return total === 0 ? 0 : this.tlbHits / total;
  }
  /** The reference's misnamed alias of `faultsThisTurn` (a count, not a rate). */
  get faultRate(): number {
    return this.faultsThisTurn;
  }

  /** An independent copy. */
  snapshot(): VmMetrics {
    return VmMetrics.fromState(this.toState());
  }
  toState(): VmMetricsState {
    return {
      faultsTotal: this.faultsTotal,
      faultsThisTurn: this.faultsThisTurn,
      tlbHits: this.tlbHits,
      tlbMisses: this.tlbMisses,
      evictionsTotal: this.evictionsTotal,
      evictionsThisTurn: this.evictionsThisTurn,
      tokensInWorkingSet: this.tokensInWorkingSet,
      tokensAvailable: this.tokensAvailable,
      pagesByTier: { ...this.pagesByTier },
      pagesByModality: { ...this.pagesByModality },
      compressionsTotal: this.compressionsTotal,
      compressionsThisTurn: this.compressionsThisTurn,
      tokensSavedByCompression: this.tokensSavedByCompression,
    };
  }
  static fromState(state: Partial<VmMetricsState>): VmMetrics {
    const m = new VmMetrics();
    Object.assign(m, state);
    m.pagesByTier = { ...zeroByTier(), ...state.pagesByTier };
    m.pagesByModality = { ...zeroByModality(), ...state.pagesByModality };
    return m;
  }
  /** Snake_case wire form. */
  toJSON(): unknown {
    return toSnakeCaseJSON(this.toState());
  }
}

/** Everything `MemoryManager.getStats()` reports. */
export interface MemoryManagerStats {
  sessionId: string;
  turn: number;
  mode: string;
  pageTable: PageTableStats;
  workingSet: WorkingSetStats;
  faultHandler: FaultMetrics;
  tlb: TLBStats;
  mutationLog: MutationLogSummary;
  prefetcher: PrefetcherStats;
  packCache: PackCacheStats;
  metrics: VmMetrics;
  pagesInStore: number;
  storage: StorageStats | null;
}
