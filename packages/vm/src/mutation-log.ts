import { z } from 'zod';
import { InvalidInput } from '@chuk/models';
import { Actor, ActorSchema, MutationType, StorageTier, StorageTierSchema } from './enums.js';
import type { PageMutation } from './models/fault.js';
import type { MemoryPage } from './models/page.js';
import type { MutationLogSummary } from './models/stats.js';
import { parseTimestamp } from './util/text.js';

export interface ContextSnapshot { turn: number; pageIds: string[]; timestamp: Date }

/** A copy of a page as it was at `timestamp` (recorded with `recordVersion`). */
export interface PageVersion { pageId: string; version: number; timestamp: Date; page: MemoryPage }

/** A page reconstructed at a point in time from the log (`replayTo`). */
export interface ReplayedPage {
  pageId: string;
  at: Date;
  /** created and not deleted by then */
  exists: boolean;
  /** tier after the last mutation up to `at` (null without one) */
  tier: StorageTier | null;
  pinned: boolean;
  /** the latest version recorded up to `at` (null: none recorded) */
  version: PageVersion | null;
  /** the page's mutations up to `at`, chronological */
  mutations: PageMutation[];
}

export interface RecordMutationArgs {
  pageId: string;
  mutationType: MutationType;
  tierAfter: StorageTier;
  tierBefore?: StorageTier | null;
  actor?: Actor;
  cause?: string | null;
  turn?: number;
  /** Defaults to the clock. */
  timestamp?: Date | undefined;
}

const MutationJsonSchema = z.object({
  mutation_id: z.string(),
  page_id: z.string(),
  timestamp: z.string().transform(parseTimestamp),
  turn: z.number().int().nonnegative(),
  mutation_type: z.string(),
  tier_before: StorageTierSchema.nullable(),
  tier_after: StorageTierSchema,
  actor: ActorSchema,
  cause: z.string().nullable(),
});
const MutationLogJsonSchema = z.object({
  session_id: z.string(),
  mutations: z.array(MutationJsonSchema),
  snapshots: z.array(z.object({ turn: z.number().int(), page_ids: z.array(z.string()), timestamp: z.string().transform(parseTimestamp) })),
  next_sequence: z.number().int().nonnegative().optional(),
});
export type MutationLogJson = z.input<typeof MutationLogJsonSchema>;

export function mutationToJSON(m: PageMutation): z.input<typeof MutationJsonSchema> {
  return {
    mutation_id: m.mutationId,
    page_id: m.pageId,
    timestamp: m.timestamp.toISOString(),
    turn: m.turn,
    mutation_type: m.mutationType,
    tier_before: m.tierBefore,
    tier_after: m.tierAfter,
    actor: m.actor,
    cause: m.cause,
  };
}

const MUTATION_TYPES: ReadonlySet<string> = new Set(Object.values(MutationType));
const MAPPING_TYPES: ReadonlySet<MutationType> = new Set([MutationType.Create, MutationType.FaultIn, MutationType.Update]);
const UNMAPPING_TYPES: ReadonlySet<MutationType> = new Set([MutationType.Evict, MutationType.Delete]);

/** Append-only, in-memory log of page lifecycle events, with per-turn L0 snapshots. */
export class MutationLogLite {
  sessionId: string;
  private readonly mutations: PageMutation[] = [];
  private readonly byPage = new Map<string, PageMutation[]>();
  private readonly byTurn = new Map<number, PageMutation[]>();
  private readonly snapshots = new Map<number, ContextSnapshot>();
  private readonly clock: () => Date;
  private readonly idGenerator: (() => string) | undefined;
  private sequence = 0;
  /** Recorded page versions per page, chronological (kept in memory; not part of `toJSON`). */
  private readonly versions = new Map<string, PageVersion[]>();
  /** Entries of `mutations` already in `byPage` / `byTurn`. */
  private indexed = 0;

  constructor(opts: { sessionId?: string; clock?: () => Date; idGenerator?: () => string } = {}) {
    this.sessionId = opts.sessionId ?? '';
    this.clock = opts.clock ?? (() => new Date());
    this.idGenerator = opts.idGenerator;
  }

  append(m: PageMutation): void {
    this.mutations.push(m);
  }

  /**
   * Bring the by-page and by-turn indexes up to date. They are built lazily, on the first query after new
   * entries, so recording a mutation is a single push (the hot path) and indexing costs O(new entries).
   */
  private index(): void {
    const all = this.mutations;
    for (; this.indexed < all.length; this.indexed++) {
      const m = all[this.indexed] as PageMutation;
      let list = this.byPage.get(m.pageId);
      if (!list) {
        list = [];
        this.byPage.set(m.pageId, list);
      }
      list.push(m);
      let turn = this.byTurn.get(m.turn);
      if (!turn) {
        turn = [];
        this.byTurn.set(m.turn, turn);
      }
      turn.push(m);
    }
  }

  /** Mutation ids are a monotonic sequence `m_<n>` unless an id generator is given. */
  recordMutation(a: RecordMutationArgs): PageMutation {
    this.sequence += 1;
    const m: PageMutation = {
      mutationId: this.idGenerator ? this.idGenerator() : `m_${this.sequence}`,
      pageId: a.pageId,
      timestamp: a.timestamp ?? this.clock(),
      turn: a.turn ?? 0,
      mutationType: a.mutationType,
      tierBefore: a.tierBefore ?? null,
      tierAfter: a.tierAfter,
      actor: a.actor ?? Actor.System,
      cause: a.cause ?? null,
    };
    this.append(m);
    return m;
  }

  /** Overwrites that turn's snapshot. */
  recordContextAtTurn(turn: number, pageIds: readonly string[]): void {
    this.snapshots.set(turn, { turn, pageIds: [...pageIds], timestamp: this.clock() });
  }
  getContextAtTurn(turn: number): string[] {
    return [...(this.snapshots.get(turn)?.pageIds ?? [])];
  }
  getHistory(pageId: string): PageMutation[] {
    this.index();
    return [...(this.byPage.get(pageId) ?? [])];
  }
  getMutationsByActor(actor: Actor): PageMutation[] {
    return this.mutations.filter((m) => m.actor === actor);
  }
  getMutationsByType(t: MutationType): PageMutation[] {
    return this.mutations.filter((m) => m.mutationType === t);
  }
  getMutationsInTurn(turn: number): PageMutation[] {
    this.index();
    return [...(this.byTurn.get(turn) ?? [])];
  }
  getPagesCreatedInTurn(turn: number): string[] {
    return this.pagesOfType(turn, MutationType.Create);
  }
  getPagesFaultedInTurn(turn: number): string[] {
    return this.pagesOfType(turn, MutationType.FaultIn);
  }
  getPagesEvictedInTurn(turn: number): string[] {
    return this.pagesOfType(turn, MutationType.Evict);
  }
  getAllMutations(): PageMutation[] {
    return [...this.mutations];
  }
  mutationCount(): number {
    return this.mutations.length;
  }
  /** Unique page ids with at least one mutation. */
  pageCount(): number {
    this.index();
    return this.byPage.size;
  }
  clear(): void {
    this.mutations.length = 0;
    this.byPage.clear();
    this.byTurn.clear();
    this.indexed = 0;
    this.snapshots.clear();
    this.versions.clear();
  }

  /** Keep a copy of the page as it is now (or at `timestamp`), so `replayTo` can return its content later. */
  recordVersion(page: MemoryPage, timestamp: Date = this.clock()): PageVersion {
    const v: PageVersion = { pageId: page.pageId, version: page.version, timestamp, page: structuredClone(page) };
    let list = this.versions.get(page.pageId);
    if (!list) {
      list = [];
      this.versions.set(page.pageId, list);
    }
    list.push(v);
    return v;
  }

  /** The versions recorded for a page, chronological (copies of the list; the entries are shared). */
  getVersions(pageId: string): PageVersion[] {
    return [...(this.versions.get(pageId) ?? [])];
  }

  /**
   * The page as it was at `at` (spec/vm.md §21.5): its mutations up to then folded into existence, tier and pin
   * state, and the latest version recorded up to then (a copy, so later changes do not show). `null` when nothing
   * about the page was logged by then.
   */
  replayTo(pageId: string, at: Date): ReplayedPage | null {
    const time = at.getTime();
    const mutations = this.getHistory(pageId).filter((m) => m.timestamp.getTime() <= time);
    const version = (this.versions.get(pageId) ?? []).findLast((v) => v.timestamp.getTime() <= time) ?? null;
    if (mutations.length === 0 && version === null) return null;
    let exists = version !== null;
    let tier: StorageTier | null = null;
    let pinned = false;
    for (const m of mutations) {
      exists = m.mutationType !== MutationType.Delete;
      tier = m.tierAfter;
      if (m.mutationType === MutationType.Pin) pinned = true;
      else if (m.mutationType === MutationType.Unpin) pinned = false;
    }
    return { pageId, at, exists, tier, pinned, version: version === null ? null : { ...version, page: structuredClone(version.page) }, mutations };
  }

  /** L0 ids obtained by folding create/fault_in/evict/delete events up to the end of `untilTurn`. */
  replayWorkingSet(untilTurn: number): string[] {
    const l0 = new Set<string>();
    for (const m of this.mutations) {
      if (m.turn > untilTurn) break;
      if (MAPPING_TYPES.has(m.mutationType) && m.tierAfter === StorageTier.L0) l0.add(m.pageId);
      else if (UNMAPPING_TYPES.has(m.mutationType)) l0.delete(m.pageId);
    }
    return [...l0];
  }

  /** Pages added to / removed from the L0 snapshot between two turns. */
  getContextDiff(turnA: number, turnB: number): { added: string[]; removed: string[] } {
    const a = new Set(this.getContextAtTurn(turnA));
    const b = new Set(this.getContextAtTurn(turnB));
    return { added: [...b].filter((id) => !a.has(id)), removed: [...a].filter((id) => !b.has(id)) };
  }

  getSummary(): MutationLogSummary {
    this.index();
    const count = (t: MutationType): number => this.mutations.reduce((n, m) => (m.mutationType === t ? n + 1 : n), 0);
    return {
      totalMutations: this.mutations.length,
      uniquePages: this.byPage.size,
      contextSnapshots: this.snapshots.size,
      creates: count(MutationType.Create),
      faults: count(MutationType.FaultIn),
      evictions: count(MutationType.Evict),
      compressions: count(MutationType.Compress),
      pins: count(MutationType.Pin),
      unpins: count(MutationType.Unpin),
    };
  }

  toJSON(): MutationLogJson {
    return {
      session_id: this.sessionId,
      mutations: this.mutations.map(mutationToJSON),
      snapshots: [...this.snapshots.values()].map((s) => ({ turn: s.turn, page_ids: [...s.pageIds], timestamp: s.timestamp.toISOString() })),
      next_sequence: this.sequence,
    };
  }

  /** Unknown mutation types are tolerated on read and skipped. */
  static fromJSON(raw: unknown, opts: { clock?: () => Date; idGenerator?: () => string } = {}): MutationLogLite {
    const parsed = MutationLogJsonSchema.safeParse(raw);
    if (!parsed.success) throw new InvalidInput({ field: 'mutationLog', reason: parsed.error.message, issues: parsed.error.issues });
    const log = new MutationLogLite({ sessionId: parsed.data.session_id, ...opts });
    for (const m of parsed.data.mutations) {
      if (!MUTATION_TYPES.has(m.mutation_type)) continue;
      log.append({
        mutationId: m.mutation_id,
        pageId: m.page_id,
        timestamp: m.timestamp,
        turn: m.turn,
        mutationType: m.mutation_type as MutationType,
        tierBefore: m.tier_before,
        tierAfter: m.tier_after,
        actor: m.actor,
        cause: m.cause,
      });
    }
    for (const s of parsed.data.snapshots) log.snapshots.set(s.turn, { turn: s.turn, pageIds: s.page_ids, timestamp: s.timestamp });
    log.sequence = parsed.data.next_sequence ?? log.mutations.length;
    return log;
  }

  private pagesOfType(turn: number, t: MutationType): string[] {
    this.index();
    return (this.byTurn.get(turn) ?? []).filter((m) => m.mutationType === t).map((m) => m.pageId);
  }
}
