import { z } from 'zod';
import { InvalidInput } from '@chuk/models';

export const AntiThrashConfigSchema = z
  .object({
    evictionCooldownTurns: z.number().int().nonnegative().default(3).describe('Turns an evicted page is not evicted again'),
    faultProtectionTurns: z.number().int().nonnegative().default(2).describe('Turns a faulted page is protected from eviction'),
  })
  .strict();
export type AntiThrashConfig = z.output<typeof AntiThrashConfigSchema>;
export type AntiThrashConfigInput = z.input<typeof AntiThrashConfigSchema>;

export const DEFAULT_HISTORY_MAX_AGE = 20;
const EVICTION_PENALTY_FACTOR = 0.5;

export interface AntiThrashSnapshot { config: AntiThrashConfig; evictionHistory: [string, number][]; faultHistory: [string, number][] }

/**
 * Keeps a page that was just faulted in from being evicted again (and vice versa).
 * With this policy the penalty is non-zero exactly when `canEvict` is false, so for evictable pages the
 * "thrash" term of the eviction formulas is always 0; a custom implementation can decouple the two.
 */
export class AntiThrashPolicy {
  readonly config: AntiThrashConfig;
  readonly evictionHistory = new Map<string, number>();
  readonly faultHistory = new Map<string, number>();
  /** `getEvictionPenalty` is 0 for every page `canEvict` allows (the eviction scan then skips it). */
  readonly penaltyZeroWhenEvictable: boolean;

  constructor(config: AntiThrashConfigInput = {}) {
    const parsed = AntiThrashConfigSchema.safeParse(config);
    if (!parsed.success) throw new InvalidInput({ field: 'antiThrash', reason: parsed.error.message, issues: parsed.error.issues });
    this.config = parsed.data;
    // Holds for this class's own `canEvict` / `getEvictionPenalty` (see above); a subclass overriding either
    // makes no such promise.
    this.penaltyZeroWhenEvictable = this.canEvict === AntiThrashPolicy.prototype.canEvict && this.getEvictionPenalty === AntiThrashPolicy.prototype.getEvictionPenalty;
  }

  recordEviction(id: string, turn: number): void {
    this.evictionHistory.set(id, turn);
  }
  recordFault(id: string, turn: number): void {
    this.faultHistory.set(id, turn);
  }

  canEvict(id: string, currentTurn: number): boolean {
    // Size checks first: the eviction scan asks for every L0 page, and most sessions never fault.
    const f = this.faultHistory.size === 0 ? undefined : this.faultHistory.get(id);
    if (f !== undefined && currentTurn - f < this.config.faultProtectionTurns) return false;
    const e = this.evictionHistory.size === 0 ? undefined : this.evictionHistory.get(id);
    if (e !== undefined && currentTurn - e < this.config.evictionCooldownTurns) return false;
    return true;
  }

  /** Higher = keep. In [0, 1]; a zero-length window contributes nothing. */
  getEvictionPenalty(id: string, currentTurn: number): number {
    let penalty = 0;
    const { faultProtectionTurns: fp, evictionCooldownTurns: ec } = this.config;
    const f = this.faultHistory.size === 0 ? undefined : this.faultHistory.get(id);
    if (f !== undefined && fp > 0) {
      const d = Math.max(0, currentTurn - f);
      if (d < fp) penalty += 1 - d / fp;
    }
    const e = this.evictionHistory.size === 0 ? undefined : this.evictionHistory.get(id);
    if (e !== undefined && ec > 0) {
      const d = Math.max(0, currentTurn - e);
      if (d < ec) penalty += EVICTION_PENALTY_FACTOR * (1 - d / ec);
    }
    return Math.min(1, penalty);
  }

  /** Drop entries older than `maxAge` turns. */
  cleanupOldHistory(currentTurn: number, maxAge = DEFAULT_HISTORY_MAX_AGE): void {
    for (const history of [this.evictionHistory, this.faultHistory]) {
      for (const [id, turn] of history) if (currentTurn - turn > maxAge) history.delete(id);
    }
  }

  forget(id: string): void {
    this.evictionHistory.delete(id);
    this.faultHistory.delete(id);
  }

  toJSON(): AntiThrashSnapshot {
    return { config: { ...this.config }, evictionHistory: [...this.evictionHistory], faultHistory: [...this.faultHistory] };
  }
  static fromJSON(s: AntiThrashSnapshot): AntiThrashPolicy {
    const p = new AntiThrashPolicy(s.config);
    for (const [id, t] of s.evictionHistory) p.evictionHistory.set(id, t);
    for (const [id, t] of s.faultHistory) p.faultHistory.set(id, t);
    return p;
  }
}
