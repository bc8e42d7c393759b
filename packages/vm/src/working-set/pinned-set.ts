import { z } from 'zod';
import { InvalidInput } from '@chuk/models';

export const PinnedSetConfigSchema = z
  .object({
    autoPinLastNTurns: z.number().int().nonnegative().default(3).describe('Auto-pin transcript pages created in the last N turns'),
    autoPinSystemPrompt: z.boolean().default(true).describe('Auto-pin pages whose metadata.role is "system"'),
    autoPinClaims: z.boolean().default(true).describe('Auto-pin every claim page in L0'),
  })
  .strict();
export type PinnedSetConfig = z.output<typeof PinnedSetConfigSchema>;
export type PinnedSetConfigInput = z.input<typeof PinnedSetConfigSchema>;

export interface PinnedSetSnapshot { pinned: string[]; autoPinned: string[]; config: PinnedSetConfig }

/** Explicit and automatic pins; a pinned page is never evicted. */
export class PinnedSet {
  readonly config: PinnedSetConfig;
  private readonly explicit = new Set<string>();
  private readonly auto = new Set<string>();
  private readonly union = new Set<string>();

  constructor(config: PinnedSetConfigInput = {}) {
    const parsed = PinnedSetConfigSchema.safeParse(config);
    if (!parsed.success) throw new InvalidInput({ field: 'pinnedSet', reason: parsed.error.message, issues: parsed.error.issues });
    this.config = parsed.data;
  }

  get pinned(): ReadonlySet<string> {
    return this.explicit;
  }
  get autoPinned(): ReadonlySet<string> {
    return this.auto;
  }
  /** Union of explicit and automatic pins (a live view). */
  get all(): ReadonlySet<string> {
    return this.union;
  }

  pin(id: string): void {
    this.explicit.add(id);
    this.union.add(id);
  }
  /** Removes both the explicit and the automatic pin. */
  unpin(id: string): void {
    this.explicit.delete(id);
    this.auto.delete(id);
    this.union.delete(id);
  }
  autoPin(id: string): void {
    this.auto.add(id);
    this.union.add(id);
  }
  /** Explicit pins survive. */
  clearAutoPins(): void {
    for (const id of this.auto) if (!this.explicit.has(id)) this.union.delete(id);
    this.auto.clear();
  }
  isPinned(id: string): boolean {
    return this.union.has(id);
  }
  isExplicitlyPinned(id: string): boolean {
    return this.explicit.has(id);
  }
  getAllPinned(): Set<string> {
    return new Set(this.union);
  }
  count(): number {
    return this.union.size;
  }

  toJSON(): PinnedSetSnapshot {
    return { pinned: [...this.explicit], autoPinned: [...this.auto], config: { ...this.config } };
  }
  static fromJSON(s: PinnedSetSnapshot): PinnedSet {
    const set = new PinnedSet(s.config);
    for (const id of s.pinned) set.pin(id);
    for (const id of s.autoPinned) set.autoPin(id);
    return set;
  }
}
