import { FaultReason, type CompressionLevel, type Modality, type PageType } from '../enums.js';
import type { FaultRecord } from './fault.js';

export interface PageManifestEntry {
  pageId: string;
  modality: Modality;
  pageType: PageType;
  compressionLevel: CompressionLevel;
  tokens: number;
  importance: number;
  provenance: string[];
  canEvict: boolean;
  canCompress: boolean;
}

export const DEFAULT_UPGRADE_BUDGET_TOKENS = 2048;
export const DEFAULT_ABI_MAX_CONTEXT_TOKENS = 128_000;
export const DEFAULT_ABI_RESERVED_TOKENS = 2000;

/** What the memory system promises the model (produced by `MemoryManager.buildAbi()`). */
export interface MemoryABI {
  pages: PageManifestEntry[];
  faultsAllowed: boolean;
  upgradeBudgetTokens: number;
  maxContextTokens: number;
  reservedTokens: number;
  toolSchemaTokensReserved: number;
  activeToolsetHash: string | null;
  modalityWeights: Partial<Record<Modality, number>>;
}

export const DEFAULT_ABI_MODALITY_WEIGHTS: Readonly<Partial<Record<Modality, number>>> = { text: 1, image: 0.8, audio: 0.6, video: 0.4 };

export function availableTokens(abi: Pick<MemoryABI, 'maxContextTokens' | 'reservedTokens' | 'toolSchemaTokensReserved'>): number {
  return Math.max(0, abi.maxContextTokens - abi.reservedTokens - abi.toolSchemaTokensReserved);
}

export interface RecallAttempt { turn: number; query: string; pageIdsCited: string[]; userCorrected: boolean; timestamp: Date }

/** Assumed tokens per referenced page in `effectiveTokensRatio` (reference constant). */
export const TOKENS_PER_REFERENCED_PAGE = 200;
export const DEFAULT_THRASH_WINDOW_TURNS = 5;

/** Recall quality and thrash metrics. */
export class UserExperienceMetrics {
  readonly recallAttempts: RecallAttempt[] = [];
  readonly faultHistory: FaultRecord[] = [];
  readonly pagesReferencedPerTurn = new Map<number, string[]>();
  readonly tokensInContextPerTurn = new Map<number, number>();

  constructor(private readonly clock: () => Date = () => new Date()) {}

  recordRecallAttempt(turn: number, query: string, pageIdsCited: string[], userCorrected = false): void {
    this.recallAttempts.push({ turn, query, pageIdsCited: [...pageIdsCited], userCorrected, timestamp: this.clock() });
  }
  recordFault(pageId: string, reason: FaultReason, turn: number, tokensLoaded: number, latencyMs = 0): void {
    this.faultHistory.push({ pageId, reason, turn, tokensLoaded, latencyMs, timestamp: this.clock() });
  }
  recordTurnContext(turn: number, tokensInContext: number, pagesReferenced: string[]): void {
    this.tokensInContextPerTurn.set(turn, tokensInContext);
    this.pagesReferencedPerTurn.set(turn, [...pagesReferenced]);
  }
  recallSuccessRate(): number {
    if (this.recallAttempts.length === 0) return 1;
    return this.recallAttempts.filter((a) => !a.userCorrected).length / this.recallAttempts.length;
  }
  /** Re-faults of the same page within the window, divided by the nominal window (reference formula). */
  thrashIndex(windowTurns = DEFAULT_THRASH_WINDOW_TURNS): number {
    if (this.faultHistory.length === 0 || windowTurns <= 0) return 0;
    const maxTurn = Math.max(...this.faultHistory.map((f) => f.turn));
    const minTurn = Math.max(0, maxTurn - windowTurns);
    const seen = new Set<string>();
    let thrash = 0;
    for (const f of this.faultHistory) {
      if (f.turn < minTurn) continue;
      if (seen.has(f.pageId)) thrash++;
      seen.add(f.pageId);
    }
    return thrash / windowTurns;
  }
  /** Share of context tokens that were referenced; with `pageTokens` real page sizes are summed. */
  effectiveTokensRatio(turn: number, pageTokens?: (pageId: string) => number): number {
    const ctx = this.tokensInContextPerTurn.get(turn) ?? 0;
    if (ctx === 0) return 0;
    const pages = this.pagesReferencedPerTurn.get(turn) ?? [];
    const referenced = pageTokens ? pages.reduce((sum, id) => sum + pageTokens(id), 0) : TOKENS_PER_REFERENCED_PAGE * pages.length;
    return Math.min(1, referenced / ctx);
  }
  getFaultReasonBreakdown(): Record<FaultReason, number> {
    const out = {} as Record<FaultReason, number>;
    for (const r of Object.values(FaultReason)) out[r] = 0;
    for (const f of this.faultHistory) out[f.reason] += 1;
    return out;
  }
}
