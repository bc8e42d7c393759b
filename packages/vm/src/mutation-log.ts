import { z } from 'zod';
import { InvalidInput } from '@chuk/models';
import { Actor, ActorSchema, MutationType, StorageTier, StorageTierSchema } from './enums.js';
import type { PageMutation } from './models/fault.js';
import type { MemoryPage } from './models/page.js';
import type { MutationLogSummary } from './models/stats.js';
import { actorCode, MutationRecords, mutationTypeCode } from './mutation-records.js';
import { parseTimestamp, systemClock } from './util/text.js';

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
  /** The records, stored compactly; public `PageMutation` objects are built when read. */
  private readonly records = new MutationRecords();
  /** Record indexes per page / per turn. */
  private readonly byPage = new Map<string, number[]>();
  private readonly byTurn = new Map<number, number[]>();
  private readonly snapshots = new Map<number, ContextSnapshot>();
  private readonly clock: () => Date;
  /** The clock in epoch milliseconds (`Date.now` for the system clock: no `Date` per record). */
  private readonly nowMs: () => number;
  private readonly idGenerator: (() => string) | undefined;
  private sequence = 0;
  /** Recorded page versions per page, chronological (kept in memory; not part of `toJSON`). */
  private readonly versions = new Map<string, PageVersion[]>();
  /** Records already in `byPage` / `byTurn`. */
  private indexed = 0;

  constructor(opts: { sessionId?: string; clock?: () => Date; idGenerator?: () => string } = {}) {
    this.sessionId = opts.sessionId ?? '';
    const clock = opts.clock;
    this.clock = clock ?? systemClock;
    this.nowMs = clock === undefined || clock === systemClock ? Date.now : () => clock().getTime();
    this.idGenerator = opts.idGenerator;
  }

  /** Add a mutation as it is (its own id; the sequence does not advance). */
  append(m: PageMutation): void {
    this.records.push(m.pageId, m.mutationType, m.tierBefore, m.tierAfter, m.actor, m.cause, m.turn, m.timestamp.getTime(), 0, m.mutationId);
  }

  /**
   * Bring the by-page and by-turn indexes up to date. They are built lazily, on the first query after new
   * entries, so recording a mutation is a few array pushes (the hot path) and indexing costs O(new entries).
   */
  private index(): void {
    const r = this.records;
    for (; this.indexed < r.length; this.indexed++) {
      const i = this.indexed;
      const pageId = r.pageId(i);
      let list = this.byPage.get(pageId);
      if (!list) {
        list = [];
        this.byPage.set(pageId, list);
      }
      list.push(i);
      const t = r.turn(i);
      let turn = this.byTurn.get(t);
      if (!turn) {
        turn = [];
        this.byTurn.set(t, turn);
      }
      turn.push(i);
    }
  }

  /** Mutation ids are a monotonic sequence `m_<n>` unless an id generator is given. */
  recordMutation(a: RecordMutationArgs): PageMutation {
    const i = this.record(
      a.pageId,
      a.mutationType,
      a.tierBefore ?? null,
      a.tierAfter,
      a.actor ?? Actor.System,
      a.cause ?? null,
      a.turn ?? 0,
      a.timestamp === undefined ? this.nowMs() : a.timestamp.getTime(),
    );
    return this.records.get(i);
  }

  /**
   * `recordMutation` without the argument object or the returned record (the manager's hot path); the
   * record's index. `timeMs` is epoch milliseconds (the clock when omitted).
   */
  record(pageId: string, type: MutationType, tierBefore: StorageTier | null, tierAfter: StorageTier, actor: Actor, cause: string | null, turn: number, timeMs?: number): number {
    this.sequence += 1;
    const time = timeMs ?? this.nowMs();
    if (this.idGenerator) return this.records.push(pageId, type, tierBefore, tierAfter, actor, cause, turn, time, 0, this.idGenerator());
    return this.records.push(pageId, type, tierBefore, tierAfter, actor, cause, turn, time, this.sequence);
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
    return this.records.list(this.byPage.get(pageId) ?? []);
  }
  getMutationsByActor(actor: Actor): PageMutation[] {
    const code = actorCode(actor);
    return this.records.where((i) => this.records.actorCode(i) === code);
  }
  getMutationsByType(t: MutationType): PageMutation[] {
    const code = mutationTypeCode(t);
    return this.records.where((i) => this.records.typeCode(i) === code);
  }
  getMutationsInTurn(turn: number): PageMutation[] {
    this.index();
    return this.records.list(this.byTurn.get(turn) ?? []);
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
    return this.records.list();
  }
  mutationCount(): number {
    return this.records.length;
  }
  /** Unique page ids with at least one mutation. */
  pageCount(): number {
    this.index();
    return this.byPage.size;
  }
  clear(): void {
    this.records.clear();
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
    this.index();
    const r = this.records;
    const mutations = r.list((this.byPage.get(pageId) ?? []).filter((i) => r.time(i) <= time));
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
    const r = this.records;
    for (let i = 0; i < r.length; i++) {
      if (r.turn(i) > untilTurn) break;
      const type = r.type(i);
      if (MAPPING_TYPES.has(type) && r.tierAfter(i) === StorageTier.L0) l0.add(r.pageId(i));
      else if (UNMAPPING_TYPES.has(type)) l0.delete(r.pageId(i));
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
    const r = this.records;
    const byCode = new Map<number, number>();
    for (let i = 0; i < r.length; i++) byCode.set(r.typeCode(i), (byCode.get(r.typeCode(i)) ?? 0) + 1);
    const count = (t: MutationType): number => byCode.get(mutationTypeCode(t)) ?? 0;
    return {
      totalMutations: r.length,
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
      mutations: this.records.list().map(mutationToJSON),
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
    log.sequence = parsed.data.next_sequence ?? log.records.length;
    return log;
  }

  private pagesOfType(turn: number, t: MutationType): string[] {
    this.index();
    const code = mutationTypeCode(t);
    const r = this.records;
    return (this.byTurn.get(turn) ?? []).filter((i) => r.typeCode(i) === code).map((i) => r.pageId(i));
  }
}
